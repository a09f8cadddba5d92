using System.Net;
using ServiceHub.Data.Admin;
using ServiceHub.Data.Infrastructure;
using ServiceHub.Data.Information;
using ServiceHub.Tests.Infrastructure;

namespace ServiceHub.Tests.Information;

/// <summary>The register and documents pages as each user sees them (the whole app, server-rendered).</summary>
// Shares the collection's app: every record it files, sends or publishes has a title of its own (a GUID in it).
[Collection(AppCollection.Name)]
public sealed class InformationPageTests(AppFactory app)
{
    private async Task<Actor> ActorAsync(string userName)
    {
        var u = (await app.Get<UserRepository>().FindByUserNameAsync(userName))!;
        return new Actor(u.Id, u.UserName, u.DisplayName, u.Roles, u.DepartmentId);
    }

    [Fact]
    public async Task A_reader_outside_a_kinds_access_is_refused_on_the_page_and_sees_no_row()
    {
        var title = $"会籍升级记录{Guid.NewGuid():N}"[..14];
        await app.Get<InformationRegister>().FileAsync(await ActorAsync("supervisor"), "membership_info", title, "金卡", "HY2026001", null);

        var supervisorPage = await (await app.SignedInClientAsync("supervisor")).GetStringAsync("/information?kind=membership_info");
        Assert.Contains(title, supervisorPage);
        Assert.DoesNotContain("data-testid=\"info-refused\"", supervisorPage);

        var response = await (await app.SignedInClientAsync("handler")).GetAsync("/information?kind=membership_info");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var handlerPage = await response.Content.ReadAsStringAsync();
        Assert.Contains("data-testid=\"info-refused\"", handlerPage);
        Assert.Contains("您无权查阅此类信息", handlerPage);
        Assert.DoesNotContain(title, handlerPage);
        Assert.DoesNotContain("data-testid=\"info-row\"", handlerPage);
    }

    [Fact]
    public async Task A_document_forwarded_to_a_leader_shows_on_their_page_and_not_on_another_departments()
    {
        var title = $"年度培训纲要{Guid.NewGuid():N}"[..12];
        var documents = app.Get<FormalDocumentRepository>();
        var id = await documents.SendAsync(await ActorAsync("hr"), title, "各部门年度培训计划");
        Assert.Contains(title, await (await app.SignedInClientAsync("docadmin")).GetStringAsync("/documents"));
        await documents.ForwardAsync(await ActorAsync("docadmin"), id, (await ActorAsync("leader")).Id, null, "请阅");

        Assert.Contains(title, await (await app.SignedInClientAsync("leader")).GetStringAsync("/documents"));
        Assert.DoesNotContain(title, await (await app.SignedInClientAsync("handler")).GetStringAsync("/documents"));
    }

    [Fact]
    public async Task Everyone_sees_published_releases_with_their_publication_record_and_only_authors_see_drafts()
    {
        var releases = app.Get<ReleaseRepository>();
        var published = $"停水通知{Guid.NewGuid():N}"[..12];
        var draft = $"排班草稿{Guid.NewGuid():N}"[..12];
        var id = await releases.DraftAsync(await ActorAsync("supervisor"), "external", published, "周六 9:00–12:00 二次供水设备检修");
        await releases.DraftAsync(await ActorAsync("supervisor"), "internal", draft, "草稿内容");
        await releases.DecideAsync(await ActorAsync("leader"), id, true, null);
        await releases.PublishAsync(await ActorAsync("supervisor"), id, "业主微信群");

        var agentPage = await (await app.SignedInClientAsync("agent")).GetStringAsync("/information/releases");
        Assert.Contains(published, agentPage);
        Assert.Contains("业主微信群", agentPage);
        Assert.DoesNotContain(draft, agentPage);
        Assert.DoesNotContain("data-testid=\"release-form\"", agentPage);
        Assert.Contains(draft, await (await app.SignedInClientAsync("leader")).GetStringAsync("/information/releases"));
    }
}
