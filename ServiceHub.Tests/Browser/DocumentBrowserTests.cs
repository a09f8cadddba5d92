using Microsoft.Playwright;
using ServiceHub.Data.Admin;
using ServiceHub.Data.Infrastructure;
using ServiceHub.Data.Information;
using ServiceHub.Tests.Infrastructure;

namespace ServiceHub.Tests.Browser;

// Shares the collection's app: the document it forwards is its own.
[Collection(BrowserCollection.Name)]
public sealed class DocumentBrowserTests(BrowserAppFactory app, BrowserFixture browser)
{
    [Fact]
    public async Task The_document_administrator_forwards_a_departments_document_to_a_leader_and_the_forward_is_recorded()
    {
        var hr = (await app.Get<UserRepository>().FindByUserNameAsync("hr"))!;
        var id = await app.Get<FormalDocumentRepository>().SendAsync(new Actor(hr.Id, hr.UserName, hr.DisplayName, hr.Roles, hr.DepartmentId), "年度培训纲要", "各部门年度培训计划汇总");

        var page = await browser.SignInAsync(app, "docadmin", startAt: "/documents");
        await page.Locator("[data-testid=document-row]").Filter(new() { HasText = "年度培训纲要" }).WaitForAsync();
        await page.Locator("tr").Filter(new() { HasText = "年度培训纲要" }).Locator("[data-testid=document-open]").ClickAsync();
        await page.Locator("[data-testid=document-recipient]").ClickAsync();
        await page.Locator(".mud-popover-open .mud-list-item").Filter(new() { HasText = "领导：郑国华" }).First.ClickAsync();
        await page.Locator("input[data-testid=document-note]").FillAsync("请审阅");
        await page.Locator("[data-testid=document-forward]").ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=document-forwards] tbody tr")).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator("[data-testid=document-forwards] tbody tr").First).ToContainTextAsync("郑国华");
        await page.Context.CloseAsync();

        var leader = (await app.Get<UserRepository>().FindByUserNameAsync("leader"))!;
        var received = await app.Get<FormalDocumentRepository>().ListAsync(new Actor(leader.Id, leader.UserName, leader.DisplayName, leader.Roles, leader.DepartmentId), DocumentBox.Received);
        Assert.Contains(received, d => d.Id == id);
    }
}
