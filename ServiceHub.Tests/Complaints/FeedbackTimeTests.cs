using Dapper;
using Npgsql;
using ServiceHub.Data.Complaints;
using ServiceHub.Data.Infrastructure;
using ServiceHub.Tests.Infrastructure;

namespace ServiceHub.Tests.Complaints;

/// <summary>
/// The earliest feedback time (最快反馈信息的时间, issue #11 point 6): agreed with the owner when the matter cannot be resolved at once,
/// shown on the complaint and in the queue, warned like the other deadlines, marked missed when it passes — without escalating.
/// </summary>
public sealed class FeedbackTimeTests(DatabaseFixture db) : ComplaintWorldTests(db)
{
    private async Task<long> ContactedAsync()
    {
        var id = await _w.RegisterComplaintAsync();
        await _w.Lifecycle.ConfirmContactAsync(_w.Handler, id, _s.Clock.GetUtcNow(), "电话");
        return id;
    }

    private Task<int> NotificationsAsync(long id, string key) =>
        Scalar<int>("SELECT count(*) FROM notification_inbox WHERE complaint_id = @id AND user_id = @h AND message_key = @key AND args[2] = 'feedback'",
            new { id, h = _w.Handler.Id, key });

    [Fact]
    public async Task The_earliest_feedback_time_is_shown_warned_at_the_configured_share_and_marked_missed_without_escalating()
    {
        var id = await ContactedAsync();
        var agreedAt = _s.Clock.GetUtcNow();
        var due = agreedAt.AddHours(10);
        await _w.Lifecycle.AgreeFeedbackAsync(_w.Handler, id, due);

        var c = (await _w.Complaints.GetAsync(_w.Handler, id))!;
        Assert.Equal(due, c.Feedback!.DueAt);
        Assert.Equal(DeadlineTone.Ok, c.Feedback.Countdown!.Tone(_s.Clock.GetUtcNow()));
        Assert.Equal(c.ReplyDueAt, c.CurrentDueAt); // the queue's order still follows the escalating deadlines
        var queued = Assert.Single((await _w.Complaints.QueueAsync(_w.Handler, new QueueFilter(_w.DepartmentId), 0, 50)).Items, q => q.Id == id);
        Assert.Equal(due, queued.Feedback!.DueAt);
        Assert.Contains(await _w.Complaints.TimelineAsync(Actor.System, id), e => e.Kind == ComplaintEvents.FeedbackAgreed && e.DeadlineAfter == due);

        // Warned at 80% of the way, like the other deadlines.
        _s.Clock.SetUtcNow(agreedAt.AddHours(8).AddSeconds(-1));
        await _w.Sweep.RunAsync();
        Assert.Equal(0, await NotificationsAsync(id, "Notify.Deadline.warned"));
        _s.Clock.SetUtcNow(agreedAt.AddHours(8));
        await _w.Sweep.RunAsync();
        Assert.Equal(1, await NotificationsAsync(id, "Notify.Deadline.warned"));
        Assert.Equal(DeadlineTone.Warn, (await _w.Complaints.GetAsync(_w.Handler, id))!.Feedback!.Countdown!.Tone(_s.Clock.GetUtcNow()));

        // Passed unmet: missed, the handler told once, nobody escalated.
        _s.Clock.SetUtcNow(due.AddSeconds(1));
        await _w.Sweep.RunAsync();
        await _w.Sweep.RunAsync();
        Assert.Equal(1, await NotificationsAsync(id, "Notify.Deadline.missed"));
        Assert.Single(await _w.Complaints.TimelineAsync(Actor.System, id), e => e.Kind == "deadline-missed" && e.Details == DeadlineKinds.Feedback);
        c = (await _w.Complaints.GetAsync(_w.Handler, id))!;
        Assert.True(c.Feedback!.Missed(_s.Clock.GetUtcNow()));
        Assert.Equal(0, c.EscalationLevel);
        Assert.Equal(0, await Scalar<int>("SELECT count(*) FROM notification_inbox WHERE complaint_id = @id AND message_key LIKE 'Notify.Deadline.level%'", new { id }));

        // A new time cannot hide the miss: the feedback is recorded first (late, still missed), then the next time is agreed.
        var hidden = await Assert.ThrowsAsync<ValidationFailedException>(() => _w.Lifecycle.AgreeFeedbackAsync(_w.Handler, id, _s.Clock.GetUtcNow().AddHours(5)));
        Assert.Equal("Complaint.FeedbackMissedFirst", hidden.Errors["FeedbackDue"].Code);
        await _w.Lifecycle.RecordFeedbackGivenAsync(_w.Handler, id);
        c = (await _w.Complaints.GetAsync(_w.Handler, id))!;
        Assert.True(c.Feedback!.Missed(_s.Clock.GetUtcNow()));
        Assert.Null(c.Feedback.Countdown);
        Assert.Contains(await _w.Complaints.TimelineAsync(Actor.System, id), e => e.Kind == ComplaintEvents.FeedbackGiven && e.Details == "late");
        await _w.Lifecycle.AgreeFeedbackAsync(_w.Handler, id, _s.Clock.GetUtcNow().AddHours(5));
        Assert.False((await _w.Complaints.GetAsync(_w.Handler, id))!.Feedback!.Missed(_s.Clock.GetUtcNow()));
    }

    [Fact]
    public async Task Feedback_given_in_time_or_the_reply_itself_meets_the_feedback_time()
    {
        var id = await ContactedAsync();
        await _w.Lifecycle.AgreeFeedbackAsync(_w.Handler, id, _s.Clock.GetUtcNow().AddHours(4));
        _s.Clock.Advance(TimeSpan.FromHours(2));
        await _w.Lifecycle.RecordFeedbackGivenAsync(_w.Handler, id);
        var met = (await _w.Complaints.GetAsync(_w.Handler, id))!.Feedback!;
        Assert.Equal((false, _s.Clock.GetUtcNow()), (met.Missed(_s.Clock.GetUtcNow().AddDays(1)), met.MetAt!.Value));
        await Assert.ThrowsAsync<DomainException>(() => _w.Lifecycle.RecordFeedbackGivenAsync(_w.Handler, id));

        var replied = await ContactedAsync();
        await _w.Lifecycle.AgreeFeedbackAsync(_w.Handler, replied, _s.Clock.GetUtcNow().AddHours(4));
        await _w.Lifecycle.HandleAsync(_w.Handler, replied, "已更换阀门", "已为您修好", false);
        _s.Clock.Advance(TimeSpan.FromHours(5));
        await _w.Sweep.RunAsync();
        Assert.False((await _w.Complaints.GetAsync(_w.Handler, replied))!.Feedback!.Missed(_s.Clock.GetUtcNow()));
        Assert.DoesNotContain(await _w.Complaints.TimelineAsync(Actor.System, replied), e => e.Kind == "deadline-missed");
    }

    [Fact]
    public async Task The_feedback_time_is_agreed_after_the_contact_by_the_department_and_lies_ahead()
    {
        var dispatched = await _w.RegisterComplaintAsync();
        var before = await Assert.ThrowsAsync<DomainException>(() => _w.Lifecycle.AgreeFeedbackAsync(_w.Handler, dispatched, _s.Clock.GetUtcNow().AddHours(2)));
        Assert.Equal("Complaint.WrongState", before.Code);

        var id = await ContactedAsync();
        await Assert.ThrowsAsync<ForbiddenException>(() => _w.Lifecycle.AgreeFeedbackAsync(_w.OtherHandler, id, _s.Clock.GetUtcNow().AddHours(2)));
        await Assert.ThrowsAsync<ForbiddenException>(() => _w.Lifecycle.AgreeFeedbackAsync(_w.Agent, id, _s.Clock.GetUtcNow().AddHours(2)));
        var past = await Assert.ThrowsAsync<ValidationFailedException>(() => _w.Lifecycle.AgreeFeedbackAsync(_w.Handler, id, _s.Clock.GetUtcNow().AddMinutes(-1)));
        Assert.Equal("Complaint.FeedbackInPast", past.Errors["FeedbackDue"].Code);
        var far = await Assert.ThrowsAsync<ValidationFailedException>(() => _w.Lifecycle.AgreeFeedbackAsync(_w.Handler, id, _s.Clock.GetUtcNow().AddDays(400)));
        Assert.Equal("Complaint.AgreedTooFar", far.Errors["FeedbackDue"].Code);
        Assert.Null((await _w.Complaints.GetAsync(_w.Handler, id))!.Feedback);
    }
}
