using ServiceHub.Data.Admin;
using ServiceHub.Data.Complaints;
using ServiceHub.Data.Infrastructure;
using ServiceHub.Data.ReturnVisits;
using ServiceHub.Tests.Infrastructure;
using ServiceHub.Tests.ReturnVisits;

namespace ServiceHub.Tests.Complaints;

/// <summary>
/// The handler can call the customer (issue #11 point 1): while a complaint is the department's to work — dispatched or contacted, not
/// merged — its handlers and manager see the customer's phone, each look audited; another department never does; from handling on it
/// is masked again for them, and a return visit that sends it back opens it again.
/// </summary>
public sealed class CustomerPhoneTests(DatabaseFixture db) : WorldTests<ReturnVisitWorld>(db)
{
    private ComplaintWorld W => _w.W;

    private async Task<string> PhoneAsync() =>
        await _w.ScalarAsync<string>("SELECT phone FROM customers WHERE id = @id", new { id = W.CustomerId });

    private async Task<int> LooksAsync(int userId) =>
        await _w.ScalarAsync<int>("SELECT count(*) FROM audit_log WHERE action = 'private-data-viewed' AND entity = 'customer' AND user_id = @userId", new { userId });

    [Fact]
    public async Task The_handler_and_the_manager_of_the_department_see_the_phone_of_an_open_complaint_and_each_look_is_audited()
    {
        var id = await W.RegisterComplaintAsync();
        var page = (await W.Complaints.GetAsync(W.Handler, id))!;
        Assert.True(page.MaySeeCustomerPhone(W.Handler));
        Assert.Equal(Masking.Phone(await PhoneAsync()), page.CustomerPhoneMasked);
        Assert.DoesNotContain(await PhoneAsync(), page.CustomerPhoneMasked);

        Assert.Equal(await PhoneAsync(), (await W.Complaints.RevealCustomerPhoneAsync(W.Handler, id)).Phone);
        Assert.Equal(await PhoneAsync(), (await W.Complaints.RevealCustomerPhoneAsync(W.Handler, id)).Phone);
        Assert.Equal(2, await LooksAsync(W.Handler.Id));
        var sheet = page.SheetNo;
        Assert.Equal(2, await _w.ScalarAsync<int>("SELECT count(*) FROM audit_log WHERE user_id = @u AND details = @d", new { u = W.Handler.Id, d = $"complaint {sheet}" }));

        // Contacted: still the department's to work.
        await W.Lifecycle.ConfirmContactAsync(W.Handler, id, _s.Clock.GetUtcNow(), "电话");
        Assert.Equal(await PhoneAsync(), (await W.Complaints.RevealCustomerPhoneAsync(W.Manager, id)).Phone);
        Assert.Equal(1, await LooksAsync(W.Manager.Id));
    }

    [Fact]
    public async Task Another_department_sees_neither_the_complaint_nor_the_phone_and_nothing_is_audited()
    {
        var id = await W.RegisterComplaintAsync();
        Assert.False(ComplaintPermissions.MaySeeCustomerPhone(W.OtherHandler, ComplaintStates.Dispatched, W.DepartmentId, merged: false));
        await Assert.ThrowsAsync<ForbiddenException>(() => W.Complaints.GetAsync(W.OtherHandler, id));
        await Assert.ThrowsAsync<ForbiddenException>(() => W.Complaints.RevealCustomerPhoneAsync(W.OtherHandler, id));
        Assert.Equal(0, await LooksAsync(W.OtherHandler.Id));
    }

    [Fact]
    public async Task Handled_and_closed_it_is_masked_again_for_the_department_and_a_reopening_shows_it_again()
    {
        var id = await _w.HandledComplaintAsync();
        Assert.False((await W.Complaints.GetAsync(W.Handler, id))!.MaySeeCustomerPhone(W.Handler));
        await Assert.ThrowsAsync<ForbiddenException>(() => W.Complaints.RevealCustomerPhoneAsync(W.Handler, id));
        await Assert.ThrowsAsync<ForbiddenException>(() => W.Complaints.RevealCustomerPhoneAsync(W.Manager, id));

        // Not satisfied at the return visit: back to the department, which must call again.
        await _w.Visits.RecordAttemptAsync(_w.Visitor, await _w.TaskOfAsync(id),
            new AttemptForm { Result = AttemptResults.Reached, Outcome = Outcomes.NotSatisfied, CustomerWords = "还在漏" });
        Assert.Equal(ComplaintStates.Contacted, (await _w.ComplaintAsync(id)).State);
        Assert.Equal(await PhoneAsync(), (await W.Complaints.RevealCustomerPhoneAsync(W.Handler, id)).Phone);

        await W.Lifecycle.HandleAsync(W.Handler, id, "再次维修", "已彻底修好。", false);
        await _w.Visits.RecordAttemptAsync(_w.Visitor, await _w.TaskOfAsync(id),
            new AttemptForm { Result = AttemptResults.Reached, Outcome = Outcomes.Satisfied });
        Assert.Equal(ComplaintStates.Closed, (await _w.ComplaintAsync(id)).State);
        await Assert.ThrowsAsync<ForbiddenException>(() => W.Complaints.RevealCustomerPhoneAsync(W.Handler, id));
        // The roles that need private data still may, as on every page (DOMAIN.md §2).
        Assert.Equal(await PhoneAsync(), (await W.Complaints.RevealCustomerPhoneAsync(_w.Supervisor, id)).Phone);
    }

    [Theory]
    [InlineData(ComplaintStates.Registered, false, false)]
    [InlineData(ComplaintStates.Dispatched, false, true)]
    [InlineData(ComplaintStates.Contacted, false, true)]
    [InlineData(ComplaintStates.Dispatched, true, false)]
    [InlineData(ComplaintStates.Handled, false, false)]
    [InlineData(ComplaintStates.Closed, false, false)]
    public void The_department_sees_the_phone_while_the_complaint_is_its_to_work(string state, bool merged, bool visible)
    {
        var handler = new Actor(1, "h", "h", [Roles.Handler], 7);
        var manager = new Actor(2, "m", "m", [Roles.DeptManager], 7);
        Assert.Equal(visible, ComplaintPermissions.MaySeeCustomerPhone(handler, state, 7, merged));
        Assert.Equal(visible, ComplaintPermissions.MaySeeCustomerPhone(manager, state, 7, merged));
        Assert.False(ComplaintPermissions.MaySeeCustomerPhone(new Actor(3, "o", "o", [Roles.Handler], 8), state, 7, merged));
        Assert.False(ComplaintPermissions.MaySeeCustomerPhone(new Actor(4, "l", "l", [Roles.Leadership], null), state, 7, merged));
    }
}
