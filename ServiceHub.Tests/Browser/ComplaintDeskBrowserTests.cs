using Microsoft.Playwright;
using ServiceHub.Tests.Infrastructure;

namespace ServiceHub.Tests.Browser;

// Shares the collection's app: the customer and complaint it registers are its own and found by sheet number.
[Collection(BrowserCollection.Name)]
public sealed class ComplaintDeskBrowserTests(BrowserAppFactory app, BrowserFixture browser)
{
    private static async Task PickAsync(IPage page, string selectTestId, string optionText)
    {
        await page.Locator($"[data-testid={selectTestId}]").ClickAsync();
        await page.Locator(".mud-popover-open .mud-list-item").Filter(new() { HasText = optionText }).First.ClickAsync();
        // The list closes once the server has taken the choice; the next field is used after that, as a person does.
        await Assertions.Expect(page.Locator(".mud-popover-open")).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task An_agent_registers_and_dispatches_a_complaint_and_the_handler_sees_it_in_the_department_queue()
    {
        var agent = await browser.SignInAsync(app, "agent", startAt: "/intake");
        await agent.Locator("[data-testid=kind-complaint]").ClickAsync();

        // New customer inline, then the complaint.
        await agent.Locator("[data-testid=intake-new-customer]").ClickAsync();
        await agent.Locator("input[data-testid=customer-name]").FillAsync("测试业主");
        await agent.Locator("input[data-testid=customer-phone]").FillAsync("13912345678");
        await agent.Locator("[data-testid=customer-save]").ClickAsync();
        await Assertions.Expect(agent.Locator("input[data-testid=intake-customer]")).ToHaveValueAsync(new System.Text.RegularExpressions.Regex("测试业主"));

        await agent.Locator("textarea[data-testid=intake-content]").FillAsync("地下车库B2层顶棚持续漏水，车辆被泡");
        await PickAsync(agent, "intake-department", "物业公司");
        await PickAsync(agent, "intake-urgency", "30 分钟内联系");
        await agent.Locator("[data-testid=intake-save]").ClickAsync();

        await agent.WaitForURLAsync(u => u.Contains("/complaints/"));
        await Assertions.Expect(agent.Locator("[data-testid=complaint-state]")).ToHaveTextAsync("已派发");
        var sheetNo = (await agent.Locator("h5").First.TextContentAsync())!.Split(' ').Last();
        Assert.StartsWith("FY-", sheetNo);
        await agent.Context.CloseAsync();

        var handler = await browser.SignInAsync(app, "handler", startAt: "/complaints/queue");
        var row = handler.Locator("[data-testid=queue-grid] tr").Filter(new() { HasText = sheetNo });
        await Assertions.Expect(row).ToContainTextAsync("测试业主");
        await Assertions.Expect(row.Locator("[data-testid=countdown]")).ToContainTextAsync("剩余");
        await handler.Context.CloseAsync();
    }
}
