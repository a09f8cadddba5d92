using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Rendering;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using ServiceHub.App.Components.Shared;
using ServiceHub.Data.Complaints;
using ServiceHub.Tests.Infrastructure;

namespace ServiceHub.Tests.Components;

/// <summary>
/// The clock moves only the countdowns whose text changes (issue #14 point 6): a countdown in its last hour each second, one with
/// hours left each minute, a row without a running deadline never, and the page around them not at all.
/// </summary>
public sealed class CountdownRenderTests
{
    /// <summary>A page of rows: a countdown in the rows that have a running deadline (as the queue places them), its own renders counted.</summary>
    private sealed class Rows : ComponentBase
    {
        public static readonly DateTimeOffset Start = TestClock.Start;
        [Parameter] public int LastHourSeconds { get; set; }
        [Parameter] public int HoursLeftSeconds { get; set; }
        public int Renders { get; private set; }

        protected override void BuildRenderTree(RenderTreeBuilder b)
        {
            Renders++;
            foreach (var (seconds, key) in new[] { (LastHourSeconds, "last-hour"), (0, "none"), (HoursLeftSeconds, "hours-left") })
            {
                b.OpenElement(0, "div");
                b.AddAttribute(1, "id", key);
                if (seconds > 0)
                {
                    var due = Start.AddSeconds(seconds);
                    b.OpenComponent<Countdown>(2);
                    b.AddComponentParameter(3, nameof(Countdown.Deadline), new DeadlineCountdown(due, due.AddMinutes(-10)));
                    b.CloseComponent();
                }
                b.CloseElement();
            }
        }
    }

    [Fact]
    public async Task Each_second_only_the_countdown_in_its_last_hour_renders_and_one_with_hours_left_once_a_minute()
    {
        var clock = new FakeTimeProvider(TestClock.Start);
        await using var ctx = BunitSetup.Create(services: s => s.AddSingleton<TimeProvider>(clock));
        var scope = ctx.Render<CountdownScope>(p => p.AddChildContent<Rows>(r => r
            .Add(x => x.LastHourSeconds, 30 * 60)
            .Add(x => x.HoursLeftSeconds, 3 * 3600 + 30)));
        var page = scope.FindComponent<Rows>();
        var countdowns = scope.FindComponents<Countdown>();
        Assert.Equal(2, countdowns.Count); // the row without a running deadline holds no countdown
        var (lastHour, hoursLeft) = (countdowns[0], countdowns[1]);
        var (lastHourRenders, hoursLeftRenders, pageRenders) = (lastHour.RenderCount, hoursLeft.RenderCount, page.Instance.Renders);
        Assert.Contains("剩余 30 分 0 秒", lastHour.Markup);

        for (var second = 1; second <= 91; second++) clock.Advance(TimeSpan.FromSeconds(1));

        // 91 s later: the last-hour countdown showed each second; the other changed its minutes twice (3:00 → 2:59 at 31 s, 2:58 at 91 s).
        scope.WaitForAssertion(() => Assert.Contains("剩余 28 分 29 秒", lastHour.Markup));
        Assert.Equal(lastHourRenders + 91, lastHour.RenderCount);
        Assert.Equal(hoursLeftRenders + 2, hoursLeft.RenderCount);
        Assert.Equal(pageRenders, page.Instance.Renders);
    }

    [Fact]
    public async Task A_countdown_on_an_english_page_stays_english_when_the_clock_that_moves_it_runs_in_another_language()
    {
        var clock = new FakeTimeProvider(TestClock.Start);
        await using var ctx = BunitSetup.Create("en", s => s.AddSingleton<TimeProvider>(clock));
        var countdown = ctx.Render<CountdownScope>(p => p.AddChildContent<Rows>(r => r.Add(x => x.LastHourSeconds, 30 * 60))).FindComponent<Countdown>();
        Assert.Contains("30 min 0 s left", countdown.Markup);

        // The app's one timer thread: its culture is that of whichever circuit started it (here a Chinese one).
        await Task.Run(() =>
        {
            System.Globalization.CultureInfo.CurrentCulture = System.Globalization.CultureInfo.CurrentUICulture = new("zh-CN");
            clock.Advance(TimeSpan.FromSeconds(1));
        });

        countdown.WaitForAssertion(() => Assert.Contains("29 min 59 s left", countdown.Markup));
        Assert.DoesNotContain("剩余", countdown.Markup);
    }

    [Fact]
    public async Task Circuits_countdowns_are_spread_over_the_second_and_each_still_shows_the_time_of_its_tick()
    {
        // Twenty circuits showing a countdown in its last hour (one scope each, as twenty signed-in users on the queue), one app clock.
        var clock = new FakeTimeProvider(TestClock.Start);
        await using var ctx = BunitSetup.Create(services: s => s.AddSingleton<TimeProvider>(clock));
        var circuits = Enumerable.Range(0, 20)
            .Select(_ => ctx.Render<CountdownScope>(p => p.AddChildContent<Rows>(r => r.Add(x => x.LastHourSeconds, 30 * 60))).FindComponent<Countdown>())
            .ToList();
        var renders = circuits.Select(c => c.RenderCount).ToArray();

        // Each tenth of a second two circuits' countdowns render, never all twenty at once.
        for (var step = 1; step <= CountdownClock.Slots; step++)
        {
            clock.Advance(CountdownClock.Step);
            var rendered = circuits.Select((c, i) => c.RenderCount - renders[i]).Sum();
            Assert.Equal(2 * step, rendered);
        }

        // After the second every countdown moved once and shows the time of its tick; ten seconds later, ten more times, the right text.
        Assert.All(circuits.Select((c, i) => c.RenderCount - renders[i]), n => Assert.Equal(1, n));
        Assert.All(circuits, c => Assert.Contains("剩余 29 分 59 秒", c.Markup));
        for (var second = 1; second <= 10; second++) clock.Advance(TimeSpan.FromSeconds(1));
        Assert.All(circuits.Select((c, i) => c.RenderCount - renders[i]), n => Assert.Equal(11, n));
        Assert.All(circuits, c => Assert.Contains("剩余 29 分 49 秒", c.Markup));
    }
}
