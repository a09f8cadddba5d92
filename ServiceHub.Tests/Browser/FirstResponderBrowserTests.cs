using Microsoft.Playwright;
using ServiceHub.Data.Admin;
using ServiceHub.Data.Complaints;
using ServiceHub.Data.Infrastructure;
using ServiceHub.Data.Intake;
using ServiceHub.Tests.Infrastructure;

namespace ServiceHub.Tests.Browser;

/// <summary>
/// The people who must act can (issue #11 points 1, 2, 4), each as a role's journey in the browser: the handler calls the customer from
/// the complaint page, the property company's front desk registers a visit, and a hand-over reaches its recipient live.
/// </summary>
// Shares the collection's app: each test registers its own contact or complaint; the hand-over goes to a handler of its own (the bell
// and the list then count only it); the clock is not moved.
[Collection(BrowserCollection.Name)]
public sealed class FirstResponderBrowserTests(BrowserAppFactory app, BrowserFixture browser)
{
    private Task<Actor> ActorAsync(string userName) => app.ActorAsync(userName);

    private async Task<CustomerSummary> CustomerAsync(int skip) => (await app.Get<CustomerRepository>().SearchAsync(Actor.System, null, null, skip, 1)).Items[0];

    private async Task<int> DepartmentIdAsync(string code) => (await app.Get<DepartmentRepository>().ListAsync()).Single(d => d.Code == code).Id;

    [Fact]
    public async Task A_handler_shows_the_customers_number_on_the_complaint_page_and_calls_it()
    {
        var customer = await CustomerAsync(3);
        var r = await app.Get<IntakeRepository>().RegisterAsync(await ActorAsync("agent"), new IntakeForm
        {
            Channel = Channels.Phone, Kind = ContactKinds.Complaint, CustomerId = customer.Id, Content = "电梯停运，老人无法下楼",
            DispatchDepartmentId = await DepartmentIdAsync("PM"), UrgencyMinutes = 15,
        });
        var full = (await app.Get<CustomerRepository>().RevealAsync(await ActorAsync("admin"), customer.Id, "test")).Phone;

        var page = await browser.SignInAsync(app, "handler", startAt: $"/complaints/{r.ComplaintId}");
        await Assertions.Expect(page.Locator("[data-testid=customer-phone]")).ToContainTextAsync(customer.PhoneMasked);
        await Assertions.Expect(page.Locator("[data-testid=customer-phone-call]")).ToHaveCountAsync(0);
        await page.Locator("[data-testid=customer-phone-show]").ClickAsync();
        var call = page.Locator("[data-testid=customer-phone-call]");
        await Assertions.Expect(call).ToHaveAttributeAsync("href", $"tel:{full}");
        await Assertions.Expect(call).ToContainTextAsync(full!);
        await page.Context.CloseAsync();

        // Another department's handler cannot open the complaint at all.
        var other = await browser.SignInAsync(app, "enghandler", startAt: $"/complaints/{r.ComplaintId}");
        await Assertions.Expect(other.Locator("[data-testid=access-denied]")).ToBeVisibleAsync();
        await Assertions.Expect(other.Locator("[data-testid=customer-phone]")).ToHaveCountAsync(0);
        await other.Context.CloseAsync();
    }

    [Fact]
    public async Task The_property_companys_front_desk_registers_a_visit_as_its_first_responder()
    {
        var customer = await CustomerAsync(5);
        var first = await CustomerAsync(4);
        var page = await browser.SignInAsync(app, "handler");
        await page.Locator("[data-testid=nav-intake]").ClickAsync();
        await page.WaitForURLAsync(u => u.EndsWith("/intake"));
        await Assertions.Expect(page.Locator("[data-testid=intake-onsite]")).ToBeVisibleAsync();

        await page.Locator("[data-testid=intake-channel]").ClickAsync();
        await page.Locator(".mud-popover-open .mud-list-item").Filter(new() { HasText = "来访" }).First.ClickAsync();
        await Assertions.Expect(page.Locator(".mud-popover-open")).ToHaveCountAsync(0); // the channel's list closed: the server has the choice
        // The receptionist picks a customer, sees it is the wrong one and types the right name into the field, which still has the
        // focus: no focus event this time, so only the search after the typing pause (the debounce) can open the list.
        await page.Locator("input[data-testid=intake-customer]").FillAsync(first.Name);
        await page.Locator(".mud-popover-open .mud-list-item").Filter(new() { HasText = first.Name }).First.ClickAsync();
        await Assertions.Expect(page.Locator("input[data-testid=intake-customer]"))
            .ToHaveValueAsync(new System.Text.RegularExpressions.Regex($"^{System.Text.RegularExpressions.Regex.Escape(first.Name)}  \\S"));
        await page.Locator("input[data-testid=intake-customer]").FillAsync(customer.Name);
        await page.Locator(".mud-popover-open .mud-list-item").Filter(new() { HasText = customer.Name }).First.ClickAsync();
        // As the receptionist does: the field shows the chosen customer (name, then how they are reached) before going on.
        await Assertions.Expect(page.Locator("input[data-testid=intake-customer]"))
            .ToHaveValueAsync(new System.Text.RegularExpressions.Regex($"^{System.Text.RegularExpressions.Regex.Escape(customer.Name)}  \\S"));
        await page.Locator("textarea[data-testid=intake-content]").FillAsync("到物业前台咨询装修押金何时退还");
        await page.Locator("textarea[data-testid=intake-answer]").FillAsync("验收合格后十个工作日内退还");
        await page.Locator("[data-testid=intake-satisfied] input[type=radio]").First.ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=intake-satisfied] input[type=radio]").First).ToBeCheckedAsync();
        await page.Locator("[data-testid=intake-save]").ClickAsync();

        var saved = page.Locator(".mud-snackbar").Filter(new() { HasText = "客户反映问题记录单 FY-" });
        await Assertions.Expect(saved).ToContainTextAsync("已登记：LF-");
        var contact = (await app.Get<IntakeRepository>().HistoryAsync(Actor.System, customer.Id, 1))[0];
        Assert.Equal(("visit", "consultation", "刘强"), (contact.Channel, contact.Kind, contact.FirstResponderName));
        Assert.StartsWith("FY-", contact.SheetNo);

        // The complaint form leaves the dispatch to the call centre.
        await page.Locator("[data-testid=kind-complaint]").ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=intake-onsite-dispatch]")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("[data-testid=intake-dispatch-now]")).ToHaveCountAsync(0);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task A_hand_over_reaches_its_recipient_live_who_takes_it_up_and_records_the_result()
    {
        await app.Get<ServiceHub.App.Infrastructure.NotificationFeed>().Listening.WaitAsync(TimeSpan.FromSeconds(30));
        await app.Get<UserRepository>().SaveAsync(Actor.System, new UserEdit
        {
            UserName = "handover-to", DisplayName = "孙伟乙", Roles = [Roles.Handler], DepartmentId = await DepartmentIdAsync("ENG"), NewPassword = "Handover2026",
        });
        var recipient = await browser.SignInAsync(app, "handover-to", password: "Handover2026");
        await recipient.Locator("[data-testid=nav-handovers]").ClickAsync();
        await Assertions.Expect(recipient.Locator("[data-testid=handovers-empty]")).ToBeVisibleAsync();

        var customer = await CustomerAsync(7);
        var r = await app.Get<IntakeRepository>().RegisterAsync(await ActorAsync("agent"), new IntakeForm
        {
            Channel = Channels.Phone, Kind = ContactKinds.Inquiry, CustomerId = customer.Id, Content = "查询地下室防水维修的施工时间", Answer = "需工程部确认后回复",
        });
        var agent = await browser.SignInAsync(app, "agent", startAt: $"/intake/contacts/{r.ContactId}");
        await agent.Locator("[data-testid=handover-recipient]").ClickAsync();
        await agent.Locator(".mud-popover-open .mud-list-item").Filter(new() { HasText = "(handover-to)" }).First.ClickAsync();
        await agent.Locator("textarea[data-testid=handover-note]").FillAsync("请确认施工日期并回复客户");
        await agent.Locator("[data-testid=handover-submit]").ClickAsync();
        await Assertions.Expect(agent.Locator("[data-testid=handover-to]")).ToContainTextAsync("孙伟乙");

        // Without reloading: the bell counts it, the list shows it.
        await Assertions.Expect(recipient.Locator("[data-testid=notification-count] .mud-badge")).ToHaveTextAsync("1");
        var item = recipient.Locator($"[data-testid=handover-{r.ContactId}]");
        await Assertions.Expect(item).ToContainTextAsync("请确认施工日期并回复客户");
        await Assertions.Expect(item.Locator("[data-testid=handover-state]")).ToHaveTextAsync("待接手");

        await item.Locator("[data-testid=handover-take-up]").ClickAsync();
        await Assertions.Expect(item.Locator("[data-testid=handover-state]")).ToHaveTextAsync("已接手");
        await item.Locator("textarea[data-testid=handover-result-input]").FillAsync("施工定于下周一，已电话告知客户");
        await item.Locator("[data-testid=handover-record]").ClickAsync();
        await Assertions.Expect(recipient.Locator("[data-testid=handovers-empty]")).ToBeVisibleAsync();

        // The bell opens on the hand-over's notification; opening that marks it read, and the count goes.
        await recipient.Locator("[data-testid=notification-open]").ClickAsync();
        var note = recipient.Locator(".mud-popover-open [data-testid=notification-item]");
        await Assertions.Expect(note).ToHaveCountAsync(1);
        await note.ClickAsync();
        await Assertions.Expect(recipient.Locator("[data-testid=notification-count] .mud-badge")).ToBeHiddenAsync();

        await agent.ReloadAsync();
        await BrowserFixture.WaitInteractiveAsync(agent);
        await Assertions.Expect(agent.Locator("[data-testid=handover-result]")).ToContainTextAsync("施工定于下周一，已电话告知客户");
        await agent.Context.CloseAsync();
        await recipient.Context.CloseAsync();
    }
}
