using System.Security.Claims;
using Bunit;
using Dapper;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using ServiceHub.App.Components.Pages.Counting;
using ServiceHub.App.Components.Shared;
using ServiceHub.App.Infrastructure;
using ServiceHub.Data.Admin;
using ServiceHub.Data.Counting;
using ServiceHub.Tests.Infrastructure;

namespace ServiceHub.Tests.Counting;

/// <summary>The two intake components the intake page places: duplicate suggestions and the standard-reply picker.</summary>
public sealed class CountingComponentTests(DatabaseFixture db) : WorldTests<CountingWorld>(db)
{

    private BunitContext Context() => BunitSetup.Create(services: s =>
    {
        s.AddSingleton(_s.Get<CountingRepository>());
        s.AddSingleton(_s.Get<StandardReplyRepository>());
        s.AddSingleton<TimeProvider>(_s.Clock);
        s.AddScoped<CurrentUser>();
    }, auth: a => a.SignedInAs(_w.W.Agent));

    [Fact]
    public async Task The_agent_sees_a_likely_duplicate_and_chooses_to_attach_to_it()
    {
        var existing = await _w.ComplaintAsync("5号楼电梯经常困人，物业不管");
        await using var ctx = Context();
        DuplicateSuggestion? chosen = null;
        var cut = ctx.Render<DuplicateSuggestions>(p => p
            .Add(x => x.ProjectId, _w.W.ProjectId)
            .Add(x => x.Content, "5号楼电梯又困人了，物业不管")
            .Add(x => x.OnAttach, EventCallback.Factory.Create<DuplicateSuggestion>(this, d => chosen = d)));
        cut.WaitForAssertion(() => Assert.NotNull(cut.Find($"[data-testid=attach-{existing}]")));
        cut.Find($"[data-testid=attach-{existing}] ").Click();
        cut.WaitForAssertion(() => Assert.Equal(existing, chosen?.Id));

        // Typed on: looked up again once the typing pauses.
        cut.Render(p => p.Add(x => x.Content, "物业费收费标准不合理"));
        _s.Clock.Advance(TypedLookup.Pause);
        cut.WaitForAssertion(() => Assert.Empty(cut.FindAll("[data-testid=duplicates]")));
    }

    [Fact]
    public async Task A_burst_of_typing_looks_the_standard_replies_up_once_when_the_typing_pauses()
    {
        var garage = await _w.Replies.SubmitAsync(_w.W.Manager, new StandardReplyDraft(_w.W.ProjectId, "地下车库顶板漏水", "车库顶板正在返修，预计12月10日完工。"));
        var fee = await _w.Replies.SubmitAsync(_w.W.Manager, new StandardReplyDraft(_w.W.ProjectId, "物业费上涨没有公示", "调价依据已在公告栏公示。"));
        foreach (var id in new[] { garage, fee }) await _w.Replies.DecideAsync(_w.Supervisor, id, StandardReplyStatuses.Approved, null);
        await using var ctx = Context();
        using var lookups = new QueryCounter(Db.ConnectionString, "FROM standard_replies");

        // Opened before anything is typed: the project's replies at once.
        var cut = ctx.Render<StandardReplyPicker>(p => p.Add(x => x.ProjectId, _w.W.ProjectId).Add(x => x.Content, ""));
        cut.WaitForAssertion(() => Assert.NotNull(cut.Find($"[data-testid=use-reply-{fee}]")));
        Assert.Equal(1, lookups.Count);

        // The content field is bound at every keystroke: five changes, and the clock has not moved.
        foreach (var typed in new[] { "地", "地下", "地下车库", "地下车库顶板", "地下车库顶板漏水" })
            cut.Render(p => p.Add(x => x.Content, typed));
        _s.Clock.Advance(TypedLookup.Pause - TimeSpan.FromMilliseconds(1));
        Assert.NotNull(cut.Find($"[data-testid=use-reply-{fee}]"));

        // The typing pauses: one look-up, for the text as typed last (the fee reply no longer matches).
        _s.Clock.Advance(TimeSpan.FromMilliseconds(1));
        cut.WaitForAssertion(() => Assert.Empty(cut.FindAll($"[data-testid=use-reply-{fee}]")));
        Assert.NotNull(cut.Find($"[data-testid=use-reply-{garage}]"));
        Assert.Equal(2, lookups.Count);
    }

    [Fact]
    public async Task The_agent_answers_with_a_standard_reply_in_one_click_and_records_the_customers_opinion()
    {
        var id = await _w.Replies.SubmitAsync(_w.W.Manager, new StandardReplyDraft(_w.W.ProjectId, "地下车库顶板漏水", "车库顶板正在返修，预计12月10日完工。"));
        await _w.Replies.DecideAsync(_w.Supervisor, id, StandardReplyStatuses.Approved, null);
        await using var ctx = Context();
        ReplyUse? used = null;
        var cut = ctx.Render<StandardReplyPicker>(p => p
            .Add(x => x.ProjectId, _w.W.ProjectId)
            .Add(x => x.Content, "3号楼地下车库顶板又漏水了")
            .Add(x => x.CustomerId, _w.W.CustomerId)
            .Add(x => x.OnChosen, EventCallback.Factory.Create<ReplyUse>(this, u => used = u)));
        cut.WaitForAssertion(() => Assert.NotNull(cut.Find($"[data-testid=use-reply-{id}]")));
        cut.Find($"[data-testid=use-reply-{id}]").Click();
        cut.WaitForAssertion(() => Assert.Equal("车库顶板正在返修，预计12月10日完工。", used?.Reply));
        cut.WaitForElement("[data-testid=opinion-satisfied]").Click();
        // The opinion is saved before the button shows it chosen.
        cut.WaitForAssertion(() => Assert.Contains("mud-button-filled", cut.Find("[data-testid=opinion-satisfied]").ClassName));

        await using var conn = new NpgsqlConnection(Db.ConnectionString);
        var rows = (await conn.QueryAsync<(int CustomerId, string Opinion)>("SELECT customer_id, opinion FROM standard_reply_uses WHERE reply_id = @id", new { id })).ToList();
        Assert.Equal([(_w.W.CustomerId, ReplyOpinions.Satisfied)], rows);
    }
}
