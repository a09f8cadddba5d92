using System.Globalization;
using System.Security.Claims;
using Bunit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using ServiceHub.App.Components.Pages.Complaints;
using ServiceHub.App.Infrastructure;
using ServiceHub.Data.Complaints;
using ServiceHub.Data.Infrastructure;
using ServiceHub.Data.Intake;
using ServiceHub.Tests.Infrastructure;

namespace ServiceHub.Tests.Complaints;

/// <summary>
/// "When does this deadline turn amber / red" is one rule, from the configured warning share (Complaints:WarnShare): the queue and
/// the complaint page colour the same deadline the same way, at the time the handler is warned, and red once it has passed.
/// </summary>
public sealed class DeadlineColourTests(DatabaseFixture db) : ComplaintWorldTests(db)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);

    [Fact]
    public void A_deadline_turns_amber_at_its_warning_time_and_red_once_passed()
    {
        var start = new DateTimeOffset(2026, 11, 26, 2, 0, 0, TimeSpan.Zero);
        var countdown = new DeadlineCountdown(start.AddMinutes(60), Deadlines.WarnAt(start, start.AddMinutes(60), 0.8));
        Assert.Equal(DeadlineTone.Ok, countdown.Tone(start.AddMinutes(47)));
        Assert.Equal(DeadlineTone.Warn, countdown.Tone(start.AddMinutes(48)));
        Assert.Equal(DeadlineTone.Warn, countdown.Tone(start.AddMinutes(60)));
        Assert.Equal(DeadlineTone.Over, countdown.Tone(start.AddMinutes(60).AddSeconds(1)));
    }

    private BunitContext Create(Actor who, double warnShare) => BunitSetup.Create("zh-CN",
        s => s.AddData(Db.ConnectionString, _s.Clock, new Dictionary<string, string?> { ["Complaints:WarnShare"] = warnShare.ToString(CultureInfo.InvariantCulture) }),
        a => a.SignedInAs(who));

    /// <summary>The tones of the complaint page's countdowns, in page order (contact, reply).</summary>
    private static string Tones(IRenderedComponent<ComplaintPage> page) =>
        string.Join(' ', page.FindAll("[data-testid=countdown]").Select(c => c.GetAttribute("data-tone")));

    private static string Tone(IRenderedComponent<QueuePage> queue, string sheetNo) =>
        queue.FindAll("tr").Single(r => r.TextContent.Contains(sheetNo)).QuerySelector("[data-testid=countdown]")!.GetAttribute("data-tone")!;

    [Fact]
    public async Task The_queue_and_the_complaint_page_turn_the_same_deadline_amber_at_the_configured_share_and_red_when_it_passes()
    {
        await using var ctx = Create(_w.Handler, warnShare: 0.5);
        ctx.Render<MudBlazor.MudPopoverProvider>();
        // Dispatched with one hour to contact the customer: warned, and amber, half-way (30 minutes), red after the hour.
        var form = _w.ComplaintForm(urgency: 60);
        var registered = await ctx.Services.GetRequiredService<IntakeRepository>().RegisterAsync(_w.Agent, form);
        var sheetNo = registered.SheetNo!;
        _s.Clock.Advance(TimeSpan.FromMinutes(29));

        var queue = ctx.Render<QueuePage>();
        var page = ctx.Render<ComplaintPage>(p => p.Add(c => c.Id, registered.ComplaintId!.Value));
        queue.WaitForAssertion(() => Assert.Equal("ok", Tone(queue, sheetNo)), Wait);
        page.WaitForAssertion(() => Assert.Equal("ok ok", Tones(page)), Wait);

        // Both pages count on the server's clock: past half-way the contact deadline is amber on both, the 48-hour reply still in time.
        _s.Clock.Advance(TimeSpan.FromMinutes(2));
        queue.WaitForAssertion(() => Assert.Equal("warn", Tone(queue, sheetNo)), Wait);
        page.WaitForAssertion(() => Assert.Equal("warn ok", Tones(page)), Wait);

        _s.Clock.Advance(TimeSpan.FromMinutes(30));
        queue.WaitForAssertion(() => Assert.Equal("over", Tone(queue, sheetNo)), Wait);
        page.WaitForAssertion(() => Assert.Equal("over ok", Tones(page)), Wait);
    }

    [Fact]
    public async Task The_reply_deadline_turns_amber_at_the_configured_share_of_its_48_hours_on_the_complaint_page()
    {
        await using var ctx = Create(_w.Handler, warnShare: 0.8);
        ctx.Render<MudBlazor.MudPopoverProvider>();
        var id = (await ctx.Services.GetRequiredService<IntakeRepository>().RegisterAsync(_w.Agent, _w.ComplaintForm())).ComplaintId!.Value;
        await ctx.Services.GetRequiredService<ComplaintLifecycle>().ConfirmContactAsync(_w.Handler, id, _s.Clock.GetUtcNow(), "电话");
        // 80% of 48 hours is 38.4 hours: 9 h 36 min before the deadline (the page used to say 8 h).
        _s.Clock.Advance(TimeSpan.FromHours(38.3));
        var page = ctx.Render<ComplaintPage>(p => p.Add(c => c.Id, id));
        page.WaitForAssertion(() => Assert.Equal("ok", Tones(page)), Wait);
        _s.Clock.Advance(TimeSpan.FromMinutes(12));
        page.WaitForAssertion(() => Assert.Equal("warn", Tones(page)), Wait);
    }
}
