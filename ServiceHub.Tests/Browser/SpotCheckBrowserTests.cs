using Microsoft.Playwright;
using ServiceHub.Data.Accountability;
using ServiceHub.Data.Admin;
using ServiceHub.Data.Complaints;
using ServiceHub.Data.Infrastructure;
using ServiceHub.Data.Intake;
using ServiceHub.Tests.Infrastructure;

namespace ServiceHub.Tests.Browser;

// Shares the collection's app: it draws 2 of the month's sheets (its own 3 and other journeys'); every sheet there is registered by the demo agent, so the penalty falls on the agent whichever is drawn.
[Collection(BrowserCollection.Name)]
public sealed class SpotCheckBrowserTests(BrowserAppFactory app, BrowserFixture browser)
{
    [Fact]
    public async Task An_HR_inspector_draws_a_sample_and_records_a_breach_with_a_penalty()
    {
        var agent = (await app.Get<UserRepository>().FindByUserNameAsync("agent"))!;
        var agentActor = new Actor(agent.Id, agent.UserName, agent.DisplayName, agent.Roles, agent.DepartmentId);
        var customer = (await app.Get<CustomerRepository>().SearchAsync(Actor.System, null, null, 0, 1)).Items[0];
        for (var i = 0; i < 3; i++)
            await app.Get<IntakeRepository>().RegisterAsync(agentActor, new IntakeForm
            {
                Channel = Channels.Phone, Kind = ContactKinds.Complaint, CustomerId = customer.Id, Content = $"抽查样本投诉 {i}",
            });

        var page = await browser.SignInAsync(app, "hr", startAt: "/hr/spot-checks");
        await page.Locator("input[data-testid=spot-size]").FillAsync("2");
        await page.Locator("[data-testid=spot-draw]").ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=spot-item-link]")).ToHaveCountAsync(2);

        await page.Locator("[data-testid=spot-item-link]").First.ClickAsync();
        await page.Locator("[data-testid=spot-breach]").ClickAsync();
        await page.Locator(".mud-popover-open .mud-list-item").Filter(new() { HasText = "用语不文明" }).First.ClickAsync();
        var amount = page.Locator("input[data-testid=spot-amount]");
        // Choosing the breach pre-fills the lowest amount of its range; wait for it before typing over it.
        await Assertions.Expect(amount).ToHaveValueAsync("100");
        await amount.FillAsync("600");
        await page.Locator("[data-testid=spot-propose]").ClickAsync();
        await Assertions.Expect(page.GetByText("金额须在 100–500 元之间。")).ToBeVisibleAsync();

        await amount.FillAsync("200");
        await page.Locator("[data-testid=spot-propose]").ClickAsync();
        await Assertions.Expect(page.Locator(".mud-snackbar").Filter(new() { HasText = "已保存" })).ToHaveCountAsync(1);

        var hr = (await app.Get<UserRepository>().FindByUserNameAsync("hr"))!;
        var penalties = await app.Get<SpotCheckRepository>().PenaltiesAsync(new Actor(hr.Id, "hr", "hr", hr.Roles, hr.DepartmentId), Month.Of(app.Clock.GetUtcNow()).ToString());
        Assert.Contains(penalties, p => p.Breach == Breaches.UncivilLanguage && p.Amount == 200 && p.PersonId == agent.Id);
        await page.Context.CloseAsync();
    }
}
