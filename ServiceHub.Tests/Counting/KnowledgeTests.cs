using Dapper;
using Npgsql;
using ServiceHub.Data.Counting;
using ServiceHub.Data.Infrastructure;
using ServiceHub.Tests.Infrastructure;

namespace ServiceHub.Tests.Counting;

public sealed class KnowledgeTests(DatabaseFixture db) : WorldTests<CountingWorld>(db)
{

    // ------------------------------------------------------------ standard replies

    private async Task<int> ApprovedReplyAsync(string matter = "地下车库顶板漏水", string reply = "车库顶板防水层正在返修，预计12月10日完工，期间请将车辆停放在地面临时车位。")
    {
        var id = await _w.Replies.SubmitAsync(_w.W.Manager, new StandardReplyDraft(_w.W.ProjectId, matter, reply));
        await _w.Replies.DecideAsync(_w.Supervisor, id, StandardReplyStatuses.Approved, null);
        return id;
    }

    [Fact]
    public async Task A_department_writes_a_standard_reply_the_supervisor_approves_it_and_only_then_agents_see_it()
    {
        var id = await _w.Replies.SubmitAsync(_w.W.Manager, new StandardReplyDraft(_w.W.ProjectId, "地下车库顶板漏水", "正在返修。"));
        Assert.Empty(await _w.Replies.MatchAsync(_w.W.ProjectId, "3号楼地下车库顶板又漏水了"));
        await Assert.ThrowsAsync<ForbiddenException>(() => _w.Replies.DecideAsync(_w.W.Manager, id, StandardReplyStatuses.Approved, null));
        await _w.Replies.DecideAsync(_w.Supervisor, id, StandardReplyStatuses.Approved, null);
        var match = Assert.Single(await _w.Replies.MatchAsync(_w.W.ProjectId, "3号楼地下车库顶板又漏水了"));
        Assert.Equal(id, match.Id);
        Assert.Empty(await _w.Replies.MatchAsync(_w.W.ProjectId, "物业费收费标准不合理"));
        await Assert.ThrowsAsync<DomainException>(() => _w.Replies.DecideAsync(_w.Supervisor, id, StandardReplyStatuses.Approved, null));
        var reject = await Assert.ThrowsAsync<ValidationFailedException>(() => _w.Replies.DecideAsync(_w.Supervisor, id, StandardReplyStatuses.Rejected, ""));
        Assert.Equal("Counting.ReasonRequired", reject.Errors["Note"].Code);
    }

    [Fact]
    public async Task A_standard_reply_use_is_counted_once_per_use_with_the_customers_opinion()
    {
        var id = await ApprovedReplyAsync();
        var first = await _w.RegisterAsync("车库顶板漏水");
        var use1 = await _w.Replies.UseAsync(_w.W.Agent, id, first.ContactId, null);
        await _w.Replies.RecordOpinionAsync(_w.W.Agent, use1.Id, ReplyOpinions.Satisfied, null);
        await _w.Replies.RecordOpinionAsync(_w.W.Agent, use1.Id, ReplyOpinions.Dissatisfied, "要求赔偿"); // correcting the opinion is not another use
        var use2 = await _w.Replies.UseAsync(_w.W.Agent, id, null, _w.OtherCustomerId); // before the contact is saved
        var second = await _w.RegisterAsync("车库漏水", _w.OtherCustomerId);
        await _w.Replies.LinkContactAsync(_w.W.Agent, use2.Id, second.ContactId);
        await _w.Replies.RecordOpinionAsync(_w.W.Agent, use2.Id, ReplyOpinions.Satisfied, null);

        var r = (await _w.Replies.GetAsync(id))!;
        Assert.Equal((2, 1, 1), (r.Uses, r.Satisfied, r.Dissatisfied));
        Assert.Equal(use1.Reply, r.Reply);
        Assert.Equal(2, (await _w.Replies.MatchAsync(_w.W.ProjectId, "地下车库顶板漏水"))[0].Uses);
    }

    [Fact]
    public async Task A_pending_or_retired_reply_cannot_be_used()
    {
        var id = await ApprovedReplyAsync();
        await _w.Replies.DecideAsync(_w.Supervisor, id, StandardReplyStatuses.Retired, "已修复");
        await Assert.ThrowsAsync<DomainException>(() => _w.Replies.UseAsync(_w.W.Agent, id, null, null));
    }

    // ------------------------------------------------------------ hot complaints

    [Fact]
    public async Task A_hot_complaint_flagged_on_friday_is_due_on_monday_and_the_sweep_reminds_then_flags_overdue_once()
    {
        // Friday 2026-11-27 10:00 Beijing.
        _s.Clock.SetUtcNow(new DateTimeOffset(2026, 11, 27, 2, 0, 0, TimeSpan.Zero));
        var complaint = await _w.ComplaintAsync("业主集体投诉车库漏水，媒体已关注");
        var id = await _w.Hot.FlagAsync(_w.Supervisor, complaint);
        var h = (await _w.Hot.GetAsync(Actor.System, id))!;
        Assert.Equal(new DateTimeOffset(2026, 11, 30, 2, 0, 0, TimeSpan.Zero), h.DueAt);
        await Assert.ThrowsAsync<DomainException>(() => _w.Hot.FlagAsync(_w.Supervisor, complaint));
        await Assert.ThrowsAsync<ForbiddenException>(() => _w.Hot.FlagAsync(_w.W.Agent, complaint));

        Assert.Equal(new HotSweepResult(0, 0), await _w.Hot.SweepAsync());
        _s.Clock.SetUtcNow(h.DueAt.AddMinutes(-90));
        Assert.Equal(1, (await _w.Hot.SweepAsync()).Reminded);
        Assert.Equal(0, (await _w.Hot.SweepAsync()).Reminded);
        _s.Clock.SetUtcNow(h.DueAt.AddMinutes(1));
        Assert.Equal(new HotSweepResult(0, 1), await _w.Hot.SweepAsync());
        Assert.Equal(new HotSweepResult(0, 0), await _w.Hot.SweepAsync());
        var notes = await _s.Get<NotificationRepository>().RecentAsync(_w.Supervisor.Id);
        Assert.Equal(["Counting.Notify.HotOverdue", "Counting.Notify.HotDueSoon"], notes.Where(n => n.ComplaintId == complaint).Select(n => n.MessageKey).ToArray());
        Assert.True((await _w.Hot.GetAsync(Actor.System, id))!.IsOverdue(_s.Clock.GetUtcNow()));
    }

    [Fact]
    public async Task The_report_is_sent_only_with_its_five_parts_and_then_appears_in_the_list_of_reports_sent()
    {
        var complaint = await _w.ComplaintAsync("业主集体投诉车库漏水");
        var id = await _w.Hot.FlagAsync(_w.Supervisor, complaint);
        await _w.Hot.SaveReportAsync(_w.Supervisor, id, new HotReport("车库漏水，30户业主联名投诉", "防水层施工缺陷", "", "", ""));
        var ex = await Assert.ThrowsAsync<ValidationFailedException>(() => _w.Hot.MarkSentAsync(_w.Supervisor, id));
        Assert.Equal(["CurrentStatus", "Difficulties", "HelpNeeded"], ex.Errors.Keys.Order().ToArray());
        await _w.Hot.SaveReportAsync(_w.Supervisor, id, new HotReport("车库漏水，30户业主联名投诉", "防水层施工缺陷", "已搭设临时导水槽", "雨季无法施工", "请集团协调总包单位返修"));
        await _w.Hot.MarkSentAsync(_w.Supervisor, id);
        Assert.Contains(await _w.Hot.ListAsync(Actor.System, sent: true), x => x.Id == id);
        Assert.DoesNotContain(await _w.Hot.ListAsync(Actor.System, sent: false), x => x.Id == id);
        await Assert.ThrowsAsync<DomainException>(() => _w.Hot.SaveReportAsync(_w.Supervisor, id, new HotReport("a", "b", "c", "d", "e")));
    }

    [Fact]
    public async Task The_due_time_follows_the_calendar_the_admin_edits()
    {
        // Thursday 2026-12-24 10:00 Beijing; the admin declares Friday the 25th a holiday.
        _s.Clock.SetUtcNow(new DateTimeOffset(2026, 12, 24, 2, 0, 0, TimeSpan.Zero));
        var cal = _s.Get<CalendarRepository>();
        await Assert.ThrowsAsync<ForbiddenException>(() => cal.SaveAsync(_w.Supervisor, new DateOnly(2026, 12, 25), CalendarDayKinds.Holiday, "测试"));
        await cal.SaveAsync(Actor.System, new DateOnly(2026, 12, 25), CalendarDayKinds.Holiday, "测试假日");
        try
        {
            var id = await _w.Hot.FlagAsync(_w.Supervisor, await _w.ComplaintAsync("热点"));
            Assert.Equal(new DateTimeOffset(2026, 12, 28, 2, 0, 0, TimeSpan.Zero), (await _w.Hot.GetAsync(Actor.System, id))!.DueAt);
        }
        finally
        {
            await cal.DeleteAsync(Actor.System, new DateOnly(2026, 12, 25));
        }
        Assert.Contains(await cal.ListAsync(2026), d => d.Day == new DateOnly(2026, 10, 10) && d.Kind == CalendarDayKinds.Workday);
    }

    // ------------------------------------------------------------ dossier

    [Fact]
    public async Task The_dossier_shows_contacts_complaints_and_standard_replies_with_private_data_masked()
    {
        var reply = await ApprovedReplyAsync();
        var c = await _w.RegisterAsync("车库顶板漏水");
        await _w.Replies.UseAsync(_w.W.Agent, reply, c.ContactId, null);
        var dossiers = _s.Get<CustomerDossierRepository>();
        var d = (await dossiers.GetAsync(_w.W.Agent, _w.W.CustomerId))!;
        Assert.Contains(d.Contacts, x => x.Id == c.ContactId && x.SheetNo == c.SheetNo);
        Assert.Contains(d.Complaints, x => x.Id == c.ComplaintId);
        Assert.Contains(d.StandardReplies, x => x.RegisterNo == c.RegisterNo);
        Assert.Contains("****", d.Customer.PhoneMasked);
        await Assert.ThrowsAsync<ForbiddenException>(() => dossiers.GetAsync(_w.W.Handler, _w.W.CustomerId));
    }
}
