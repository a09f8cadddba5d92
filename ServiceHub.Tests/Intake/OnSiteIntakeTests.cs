using Dapper;
using Npgsql;
using ServiceHub.Data.Admin;
using ServiceHub.Data.Complaints;
using ServiceHub.Data.Infrastructure;
using ServiceHub.Data.Intake;
using ServiceHub.Tests.Complaints;
using ServiceHub.Tests.Infrastructure;

namespace ServiceHub.Tests.Intake;

/// <summary>
/// On-site staff register what they receive (issue #11 point 2): the handlers and manager of a department whose switch is on register
/// visits, calls and letters as first responders; their complaints land registered for the call centre to dispatch (呼叫中心派发), with
/// the same deadlines. The switch is read on the server: without it nothing is written.
/// </summary>
public sealed class OnSiteIntakeTests(DatabaseFixture db) : ComplaintWorldTests(db)
{
    private async Task SwitchAsync(bool on)
    {
        var d = (await _s.Get<DepartmentRepository>().GetAsync(_w.DepartmentId))!;
        await _s.Get<DepartmentRepository>().SaveAsync(Actor.System, new DepartmentEdit
        {
            Id = d.Id, Code = d.Code, Name = d.Name, NameEn = d.NameEn, ManagerUserId = d.ManagerUserId, ReturnVisitLeadId = d.ReturnVisitLeadId,
            SupervisingVpId = d.SupervisingVpId, IsActive = d.IsActive, StaffRegisterContacts = on,
        });
    }

    private async Task<int> ContactCountAsync()
    {
        await using var conn = new NpgsqlConnection(Db.ConnectionString);
        return await conn.ExecuteScalarAsync<int>("SELECT count(*) FROM contacts");
    }

    private IntakeForm Visit(string kind = ContactKinds.Consultation) => new()
    {
        Channel = Channels.Visit, Kind = kind, CustomerId = _w.CustomerId, UnitId = _w.UnitId, Content = "前台来访：咨询装修押金退还",
        Answer = kind == ContactKinds.Complaint ? "" : "押金于验收后十个工作日内退还", Satisfied = kind == ContactKinds.Consultation ? true : null,
    };

    [Fact]
    public async Task Without_the_departments_switch_its_staff_cannot_register_and_nothing_is_written()
    {
        var before = await ContactCountAsync();
        Assert.False((await _w.Intake.AccessAsync(_w.Handler)).MayRegister);
        await Assert.ThrowsAsync<ForbiddenException>(() => _w.Intake.RegisterAsync(_w.Handler, Visit()));
        await Assert.ThrowsAsync<ForbiddenException>(() => _s.Get<CustomerRepository>().SaveAsync(_w.Handler, new CustomerEdit { Name = "新业主", Phone = "13911112222" }));
        Assert.Equal(before, await ContactCountAsync());
    }

    [Fact]
    public async Task With_the_switch_on_the_handler_and_the_manager_register_visits_calls_and_letters_as_first_responders()
    {
        await SwitchAsync(true);
        Assert.True((await _s.Get<DepartmentRepository>().GetAsync(_w.DepartmentId))!.StaffRegisterContacts);
        Assert.Equal(new IntakeAccess(true, false), await _w.Intake.AccessAsync(_w.Handler));
        Assert.False((await _w.Intake.AccessAsync(_w.OtherHandler)).MayRegister);

        var visit = await _w.Intake.RegisterAsync(_w.Handler, Visit());
        Assert.Matches(@"^LF-2026-\d{6}$", visit.RegisterNo);
        Assert.Matches(@"^FY-2026-\d{6}$", visit.SheetNo!);
        Assert.Equal(_w.Handler.Id, (await _w.Intake.GetAsync(_w.Handler, visit.ContactId))!.FirstResponderId);

        var letter = Visit(ContactKinds.Inquiry);
        letter.Channel = Channels.Letter;
        var byLetter = await _w.Intake.RegisterAsync(_w.Manager, letter);
        Assert.Matches(@"^QT-2026-\d{6}$", byLetter.RegisterNo);
        var call = Visit();
        call.Channel = Channels.Phone;
        Assert.Matches(@"^LD-2026-\d{6}$", (await _w.Intake.RegisterAsync(_w.Handler, call)).RegisterNo);

        // A new visitor is created at intake as the call centre does.
        Assert.True(await _s.Get<CustomerRepository>().SaveAsync(_w.Handler, new CustomerEdit { Name = "新业主", Phone = "13911112222" }) > 0);

        // Switched off again: refused at once.
        await SwitchAsync(false);
        await Assert.ThrowsAsync<ForbiddenException>(() => _w.Intake.RegisterAsync(_w.Handler, Visit()));
    }

    [Fact]
    public async Task A_complaint_registered_on_site_lands_registered_for_the_call_centre_to_dispatch_with_the_usual_deadlines()
    {
        await SwitchAsync(true);
        var form = Visit(ContactKinds.Complaint);
        form.Content = "前台来访投诉：地下车库照明损坏";
        form.DispatchDepartmentId = _w.DepartmentId;
        form.UrgencyMinutes = 30;
        var refused = await Assert.ThrowsAsync<ValidationFailedException>(() => _w.Intake.RegisterAsync(_w.Handler, form));
        Assert.Equal("Intake.OnSiteDispatchedByCallCentre", refused.Errors[nameof(IntakeForm.DispatchDepartmentId)].Code);
        form.AttachToComplaintId = 1;
        form.DispatchDepartmentId = null;
        form.UrgencyMinutes = null;
        await Assert.ThrowsAsync<ForbiddenException>(() => _w.Intake.RegisterAsync(_w.Handler, form));
        form.AttachToComplaintId = null;

        var registeredAt = _s.Clock.GetUtcNow();
        var r = await _w.Intake.RegisterAsync(_w.Handler, form);
        var c = (await _w.Complaints.GetAsync(_w.Handler, r.ComplaintId!.Value))!;
        Assert.Equal((ComplaintStates.Registered, _w.Handler.Id, r.SheetNo), (c.State, c.RegisteredBy, c.SheetNo));
        Assert.Equal(Deadlines.ReplyDue(registeredAt), c.ReplyDueAt);
        Assert.DoesNotContain(ComplaintAction.Dispatch, c.ActionsFor(_w.Handler));
        Assert.Contains(ComplaintAction.Dispatch, c.ActionsFor(_w.Agent));

        _s.Clock.Advance(TimeSpan.FromMinutes(5));
        await _w.Lifecycle.DispatchAsync(_w.Agent, c.Id, _w.DepartmentId, 30);
        var dispatched = (await _w.Complaints.GetAsync(_w.Handler, c.Id))!;
        Assert.Equal((ComplaintStates.Dispatched, _s.Clock.GetUtcNow().AddMinutes(30)), (dispatched.State, dispatched.ContactDueAt));
    }
}

/// <summary>The property company registers what it receives on site from the start (its switch is on in the demo company).</summary>
public sealed class OnSiteDefaultTests(DatabaseFixture db) : IClassFixture<DatabaseFixture>
{
    [Fact]
    public async Task The_property_company_has_the_switch_on_and_the_other_departments_off()
    {
        await using var s = new TestServices(db.ConnectionString);
        await s.Demo().SeedAsync();
        var departments = await s.Get<DepartmentRepository>().ListAsync();
        Assert.Equal(["PM"], departments.Where(d => d.StaffRegisterContacts).Select(d => d.Code));
        var handler = (await s.Get<UserRepository>().FindByUserNameAsync("handler"))!;
        var actor = new Actor(handler.Id, handler.UserName, handler.DisplayName, handler.Roles, handler.DepartmentId);
        Assert.True((await s.Get<IntakeRepository>().AccessAsync(actor)).OnSite);
    }
}

/// <summary>The intake page's policy reads the department switch on the server, as the Data layer does.</summary>
// Shares the collection's app: it only opens a page as demo users (no test of the collection turns a department's switch).
[Collection(AppCollection.Name)]
public sealed class OnSitePageAccessTests(AppFactory app)
{
    [Theory]
    [InlineData("handler", true)]     // 物业公司: the switch is on
    [InlineData("pmmanager", true)]
    [InlineData("enghandler", false)] // 工程部: off
    [InlineData("hr", false)]
    [InlineData("agent", true)]
    public async Task The_intake_page_opens_for_those_who_register_contacts_only(string user, bool opens)
    {
        using var client = await app.SignedInClientAsync(user);
        var response = await client.GetAsync("/intake");
        if (opens) Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        else
        {
            Assert.Equal(System.Net.HttpStatusCode.Redirect, response.StatusCode);
            Assert.StartsWith("/account/denied", response.Headers.Location!.PathAndQuery);
        }
    }
}
