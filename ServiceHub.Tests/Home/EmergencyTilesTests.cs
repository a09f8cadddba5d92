using System.Security.Claims;
using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;
using ServiceHub.App.Components.Pages.Emergencies;
using ServiceHub.App.Infrastructure;
using ServiceHub.Data.Admin;
using ServiceHub.Data.Emergencies;
using ServiceHub.Data.Home;
using ServiceHub.Tests.Emergencies;
using ServiceHub.Tests.Infrastructure;
using static ServiceHub.Tests.Emergencies.EmergencyTestData;

namespace ServiceHub.Tests.Home;

/// <summary>
/// The home page's emergency figures count exactly what the list they link to shows: "awaiting arrival" leaves out an "other" event the
/// CS supervisor judged not first-class; the CS supervisor has the "other" events awaiting confirmation.
/// </summary>
public sealed class EmergencyTilesTests(EmergencyFixture db) : IClassFixture<EmergencyFixture>
{
    private DateTimeOffset Now => db.S.Clock.GetUtcNow();

    private async Task<WorkTile?> TileAsync(string user, string key) =>
        (await db.S.Get<WorkSummary>().GetAsync(await db.ActorAsync(user))).SingleOrDefault(t => t.Key == key);

    /// <summary>What the list behind <paramref name="href"/> shows to <paramref name="user"/>: its ids and its total.</summary>
    private async Task<(List<int> Ids, int Total)> ListedAsync(string user, string href)
    {
        var query = QueryHelpers.ParseQuery(new Uri("http://x" + href).Query);
        int? dept = query.TryGetValue("dept", out var d) ? int.Parse(d!) : null;
        var page = await db.Emergencies.ListAsync(await db.ActorAsync(user), query.TryGetValue("filter", out var f) ? f.ToString() : null, 0, 1000, dept);
        return (page.Items.Select(e => e.Id).ToList(), page.Total);
    }

    private async Task<int> RaiseAsync(string kind) =>
        await db.Emergencies.ReportAsync(await db.ActorAsync("agent"), await ReportAsync(db.DataSource, Now, kind: kind));

    [Fact]
    public async Task An_other_event_judged_not_first_class_leaves_the_awaiting_arrival_figures_and_the_lists_they_open()
    {
        var other = await RaiseAsync(EmergencyKinds.Other);
        var fire = await RaiseAsync(EmergencyKinds.FireExplosion);
        var pm = await db.DepartmentIdAsync("PM");
        var tiles = new[] { ("pmmanager", "EmergenciesOpen"), ("leader", "EmergenciesOpenAll") };
        var before = new Dictionary<string, int>();
        foreach (var (user, key) in tiles)
        {
            var tile = (await TileAsync(user, key))!;
            var (ids, total) = await ListedAsync(user, tile.Href);
            Assert.Equal(total, tile.Count);
            Assert.Contains(other, ids);
            before[key] = tile.Count;
        }
        Assert.Equal($"/emergencies?filter=awaiting&dept={pm}", (await TileAsync("pmmanager", "EmergenciesOpen"))!.Href);

        await db.Emergencies.ConfirmAsync(await db.ActorAsync("supervisor"), other, false, "电梯短时停运，无人被困");

        foreach (var (user, key) in tiles)
        {
            var tile = (await TileAsync(user, key))!;
            var (ids, total) = await ListedAsync(user, tile.Href);
            Assert.Equal(before[key] - 1, tile.Count);
            Assert.Equal(total, tile.Count);
            Assert.DoesNotContain(other, ids);
            Assert.Contains(fire, ids);
        }
    }

    [Fact]
    public async Task The_cs_supervisor_sees_the_other_events_awaiting_confirmation_and_the_tile_opens_the_list_of_exactly_those()
    {
        var before = (await TileAsync("supervisor", "OthersToConfirm"))!;
        Assert.Equal("/emergencies?filter=unconfirmed", before.Href);
        Assert.True(before.Urgent);
        var other = await RaiseAsync(EmergencyKinds.Other);
        await RaiseAsync(EmergencyKinds.FireExplosion);

        var tile = (await TileAsync("supervisor", "OthersToConfirm"))!;
        var (ids, total) = await ListedAsync("supervisor", tile.Href);
        Assert.Equal((before.Count + 1, total), (tile.Count, tile.Count));
        Assert.Contains(other, ids);

        await db.Emergencies.ConfirmAsync(await db.ActorAsync("supervisor"), other, true, null);
        Assert.Equal(before.Count, (await TileAsync("supervisor", "OthersToConfirm"))!.Count);
        Assert.Null(await TileAsync("leader", "OthersToConfirm"));
    }

    [Fact]
    public async Task The_list_opened_from_the_managers_figure_shows_the_departments_events_awaiting_arrival_and_not_the_one_judged_not_first_class()
    {
        var other = await RaiseAsync(EmergencyKinds.Other);
        var fire = await RaiseAsync(EmergencyKinds.FireExplosion);
        await db.Emergencies.ConfirmAsync(await db.ActorAsync("supervisor"), other, false, "不属于一类");
        var manager = await db.ActorAsync("pmmanager");
        var tile = (await TileAsync("pmmanager", "EmergenciesOpen"))!;

        await using var ctx = BunitSetup.Create("zh-CN", s =>
        {
            s.AddSingleton(db.Emergencies);
            s.AddSingleton(db.S.Get<DepartmentRepository>());
            s.AddSingleton<TimeProvider>(db.S.Clock);
            s.AddScoped<CurrentUser>();
        }, a => a.SetAuthorized(manager.UserName).SetRoles([.. manager.Roles])
            .SetClaims(new Claim(ClaimTypes.NameIdentifier, manager.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)), new Claim(AppClaims.DisplayName, manager.DisplayName)));
        ctx.Render<MudBlazor.MudPopoverProvider>();
        ctx.Services.GetRequiredService<NavigationManager>().NavigateTo(tile.Href);
        var list = ctx.Render<EmergencyList>();
        // The department's chip comes from the list's own parameter load and the rows from the grid's: either may render first.
        list.WaitForAssertion(() =>
        {
            Assert.NotEmpty(list.FindAll($"a[href='/emergencies/{fire}']"));
            Assert.Contains("物业", list.Find("[data-testid=emergency-department-filter]").TextContent);
            var shown = list.FindAll("a[href^='/emergencies/']").Select(a => a.GetAttribute("href")).Where(h => h != "/emergencies/new").Distinct().Count();
            Assert.Equal(tile.Count, shown);
        }, TimeSpan.FromSeconds(20));
        Assert.Empty(list.FindAll($"a[href='/emergencies/{other}']"));
    }
}
