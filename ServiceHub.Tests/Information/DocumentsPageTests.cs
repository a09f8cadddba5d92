using Bunit;
using MudBlazor;
using ServiceHub.App.Components.Pages.Information;
using ServiceHub.Data.Admin;
using ServiceHub.Tests.Infrastructure;

namespace ServiceHub.Tests.Information;

/// <summary>The documents page rendered with bUnit over the database.</summary>
public sealed class DocumentsPageTests(DatabaseFixture db) : WorldTests<DataWorld>(db)
{
    /// <summary>
    /// When a page goes away (the end of every server render of /documents, the end of a session), MudTabs removes its panels one
    /// by one and reports the active index as they go, -1 once none is left. The page threw on it (IndexOutOfRangeException in
    /// its box lookup), which failed the request after its response was written; in TestHost that aborted the response body, the
    /// "transport error" page tests once retried.
    /// </summary>
    [Fact]
    public async Task The_page_takes_its_tab_strip_going_away_calmly()
    {
        var leader = await _w.PersonAsync($"ldr{Guid.NewGuid():N}"[..12], Roles.Leadership, null, "领导");
        await using var ctx = BunitSetup.Create("zh-CN", s => s.AddData(Db.ConnectionString, _s.Clock), a => a.SignedInAs(leader));
        var page = ctx.Render<DocumentsPage>();
        var tabs = page.FindComponent<MudTabs>();
        page.WaitForAssertion(() => Assert.Single(page.FindAll(".mud-tab")));

        await page.InvokeAsync(() => tabs.Instance.ActivePanelIndexChanged.InvokeAsync(-1));

        Assert.NotNull(page.Find("[data-testid=document-list]"));
    }
}
