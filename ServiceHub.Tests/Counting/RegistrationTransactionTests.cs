using ServiceHub.Data.Infrastructure;
using Dapper;
using Npgsql;
using ServiceHub.Data.Complaints;
using ServiceHub.Data.Counting;
using ServiceHub.Data.Intake;
using ServiceHub.Tests.Infrastructure;

namespace ServiceHub.Tests.Counting;

/// <summary>
/// Registering a contact is one transaction in the Data layer: the contact, the standard reply it was answered with, its complaint and
/// the existing complaint it is attached to — all written, or nothing.
/// </summary>
public sealed class RegistrationTransactionTests(DatabaseFixture db) : WorldTests<CountingWorld>(db)
{
    private async Task<ReplyUse> ReplyUsedAsync()
    {
        var id = await _w.Replies.SubmitAsync(_w.W.Manager, new StandardReplyDraft(_w.W.ProjectId, "地下车库顶板漏水", "车库顶板防水层正在返修，预计12月10日完工。"));
        await _w.Replies.DecideAsync(_w.Supervisor, id, StandardReplyStatuses.Approved, null);
        return await _w.Replies.UseAsync(_w.W.Agent, id, null, _w.W.CustomerId);
    }

    private IntakeForm Inquiry(long? replyUse) => new()
    {
        Channel = Channels.Phone, Kind = ContactKinds.Inquiry, CustomerId = _w.W.CustomerId, UnitId = _w.W.UnitId, Content = "车库漏水什么时候修好",
        Answer = "车库顶板防水层正在返修，预计12月10日完工。", StandardReplyUseId = replyUse,
    };

    private IntakeForm Complaint(long? attachTo) => new()
    {
        Channel = Channels.Phone, Kind = ContactKinds.Complaint, CustomerId = _w.OtherCustomerId, UnitId = _w.W.UnitId,
        Content = "邻居也反映车库顶板漏水", AttachToComplaintId = attachTo,
    };

    [Fact]
    public async Task An_answer_with_a_standard_reply_and_a_complaint_attached_at_intake_are_written_by_the_registration()
    {
        var use = await ReplyUsedAsync();
        var inquiry = await _w.W.Intake.RegisterAsync(_w.W.Agent, Inquiry(use.Id));
        Assert.Equal(inquiry.ContactId, await Scalar<long>("SELECT contact_id FROM standard_reply_uses WHERE id = @id", new { id = use.Id }));

        var existing = await _w.ComplaintAsync();
        var voice = await _w.W.Intake.RegisterAsync(_w.W.Agent, Complaint(existing));
        Assert.Equal(existing, voice.AttachedToComplaintId);
        var own = (await _w.W.Complaints.GetAsync(_w.W.Agent, voice.ComplaintId!.Value))!;
        Assert.NotNull(own.MergedIntoSheetNo);
        // Attached, not dispatched: the group is handled through the existing complaint.
        Assert.Equal(ComplaintStates.Registered, own.State);
        var info = (await _w.Counting.GetAsync(Actor.System, existing))!;
        Assert.Equal((2, 2), (info.Complainants, info.Times));
    }

    [Fact]
    public async Task A_complaint_that_cannot_be_attached_leaves_no_contact_no_complaint_and_gives_its_numbers_back()
    {
        var before = await _w.W.Intake.RegisterAsync(_w.W.Agent, Complaint(null));
        var contacts = await Scalar<long>("SELECT count(*) FROM contacts");
        var complaints = await Scalar<long>("SELECT count(*) FROM complaints");

        // The third step fails: the complaint to attach to does not exist.
        var ex = await Assert.ThrowsAsync<ServiceHub.Data.Infrastructure.DomainException>(() => _w.W.Intake.RegisterAsync(_w.W.Agent, Complaint(999_999)));
        Assert.Equal("NotFound", ex.Code);
        Assert.Equal(contacts, await Scalar<long>("SELECT count(*) FROM contacts"));
        Assert.Equal(complaints, await Scalar<long>("SELECT count(*) FROM complaints"));

        var after = await _w.W.Intake.RegisterAsync(_w.W.Agent, Complaint(null));
        Assert.Equal(int.Parse(before.RegisterNo[^6..]) + 1, int.Parse(after.RegisterNo[^6..]));
        Assert.Equal(int.Parse(before.SheetNo![^6..]) + 1, int.Parse(after.SheetNo![^6..]));
    }

    [Fact]
    public async Task An_answer_whose_standard_reply_cannot_be_linked_leaves_no_contact()
    {
        var use = await ReplyUsedAsync();
        var other = await _w.W.Intake.RegisterAsync(_w.W.Agent, Inquiry(use.Id));
        var contacts = await Scalar<long>("SELECT count(*) FROM contacts");

        // The use already belongs to another contact: the link fails, so the second registration writes nothing.
        await Assert.ThrowsAsync<ServiceHub.Data.Infrastructure.DomainException>(() => _w.W.Intake.RegisterAsync(_w.W.Agent, Inquiry(use.Id)));
        Assert.Equal(contacts, await Scalar<long>("SELECT count(*) FROM contacts"));
        Assert.Equal(other.ContactId, await Scalar<long>("SELECT contact_id FROM standard_reply_uses WHERE id = @id", new { id = use.Id }));
    }
}
