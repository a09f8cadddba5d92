using Microsoft.Playwright;
using ServiceHub.Data.Admin;
using ServiceHub.Data.Complaints;
using ServiceHub.Data.Infrastructure;
using ServiceHub.Data.Intake;
using ServiceHub.Tests.Infrastructure;

namespace ServiceHub.Tests.Counting;

// Shares the collection's app: it merges and verifies two complaints of its own.
[Collection(BrowserCollection.Name)]
public sealed class CountingBrowserTests(BrowserAppFactory app, BrowserFixture browser)
{
    private async Task<IntakeResult> RegisterAsync(int customerId, string content)
    {
        var agent = (await app.Get<UserRepository>().FindByUserNameAsync("agent"))!;
        var actor = new Actor(agent.Id, agent.UserName, agent.DisplayName, agent.Roles, agent.DepartmentId);
        var customer = (await app.Get<CustomerRepository>().GetAsync(Actor.System, customerId))!;
        return await app.Get<IntakeRepository>().RegisterAsync(actor, new IntakeForm
        {
            Channel = Channels.Phone, Kind = ContactKinds.Complaint, CustomerId = customerId, UnitId = customer.UnitId, Content = content,
        });
    }

    [Fact]
    public async Task The_supervisor_merges_two_complaints_sees_every_voice_undoes_the_merge_and_verifies()
    {
        var a = await RegisterAsync(1, "地下车库顶板漏水，车被淋湿");
        var b = await RegisterAsync(2, "地下车库顶板又漏水了");
        var page = await browser.SignInAsync(app, "supervisor", startAt: $"/counting/complaints/{a.ComplaintId}");
        await Assertions.Expect(page.Locator("[data-testid=times]")).ToContainTextAsync("1");

        var box = page.Locator("input[data-testid=merge-sheet], [data-testid=merge-sheet] input").First;
        await box.FillAsync(b.SheetNo!);
        await box.PressAsync("Tab");
        await page.ClickAsync("[data-testid=merge]");
        await Assertions.Expect(page.Locator("[data-testid=times]")).ToContainTextAsync("投诉次数 2");
        await Assertions.Expect(page.Locator("[data-testid=complainants]")).ToContainTextAsync("投诉人数 2");
        await Assertions.Expect(page.Locator("[data-testid=voices]")).ToContainTextAsync(b.RegisterNo);

        await page.ClickAsync($"[data-testid=unmerge-{b.ComplaintId}]");
        await Assertions.Expect(page.Locator("[data-testid=times]")).ToContainTextAsync("投诉次数 1");
        await Assertions.Expect(page.Locator("[data-testid=voices]")).Not.ToContainTextAsync(b.RegisterNo);

        await page.ClickAsync("[data-testid=verify-counted]");
        await Assertions.Expect(page.Locator("[data-testid=verification-state]")).ToContainTextAsync("计入统计");
        await page.Context.CloseAsync();
    }
}
