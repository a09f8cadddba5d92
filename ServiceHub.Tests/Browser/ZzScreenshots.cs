using Microsoft.Playwright;
using ServiceHub.Data.Accountability;
using ServiceHub.Data.Admin;
using ServiceHub.Data.Complaints;
using ServiceHub.Data.Infrastructure;
using ServiceHub.Data.Intake;
using ServiceHub.Tests.Infrastructure;

namespace ServiceHub.Tests.Browser;

public sealed class ZzScreenshots(BrowserAppFactory app, BrowserFixture browser) : IClassFixture<BrowserAppFactory>, IClassFixture<BrowserFixture>
{
    private async Task<Actor> ActorAsync(string userName)
    {
        var u = (await app.Get<UserRepository>().FindByUserNameAsync(userName))!;
        return new Actor(u.Id, u.UserName, u.DisplayName, u.Roles, u.DepartmentId);
    }

    private async Task ShotAsync(string user, string culture, string path, string name, Func<IPage, Task>? act = null)
    {
        var page = await browser.SignInAsync(app, user, culture);
        await BrowserFixture.GotoAsync(page, path);
        await page.WaitForTimeoutAsync(1500);
        if (act is not null) { await act(page); await page.WaitForTimeoutAsync(1500); }
        await page.ScreenshotAsync(new() { Path = $"/tmp/h/shots/{name}-{culture}.png", FullPage = true });
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Shots()
    {
        var agent = await ActorAsync("agent");
        var intake = app.Get<IntakeRepository>();
        var customers = (await app.Get<CustomerRepository>().SearchAsync(null, null, 0, 20)).Items;
        var pm = (await app.Get<DepartmentRepository>().ListAsync()).Single(d => d.Code == "PM").Id;
        var complaint = await intake.RegisterAsync(agent, new IntakeForm { Channel = Channels.Phone, Kind = ContactKinds.Complaint, CustomerId = customers[0].Id, Content = "电梯停运，老人无法下楼", DispatchDepartmentId = pm, UrgencyMinutes = 30 });
        var handler = await ActorAsync("handler");
        for (var i = 0; i < 3; i++)
        {
            var r = await intake.RegisterAsync(agent, new IntakeForm { Channel = Channels.Phone, Kind = i == 1 ? ContactKinds.Consultation : ContactKinds.Inquiry, CustomerId = customers[i + 1].Id, Content = $"查询地下室防水维修的施工时间 {i}", Answer = "需物业确认后回复", Satisfied = i == 1 ? false : null });
            await intake.HandOverAsync(agent, r.ContactId, handler.Id, "请确认施工日期并回复客户");
            if (i == 2) await intake.TakeUpAsync(handler, r.ContactId);
        }
        var last = await intake.RegisterAsync(agent, new IntakeForm { Channel = Channels.Visit, Kind = ContactKinds.Inquiry, CustomerId = customers[5].Id, Content = "查询车位", Answer = "转物业" });
        await intake.HandOverAsync(agent, last.ContactId, handler.Id, "请回复车位产权办理进度");
        app.Clock.Advance(TimeSpan.FromDays(3));
        await app.Get<HandOverSweep>().RunAsync();
        var hr = await ActorAsync("hr");
        await app.Get<SpotCheckRepository>().DrawAsync(hr, Periods.Of(app.Clock.GetUtcNow().AddDays(-3)), [new DrawShare(null, 4)], 1);
        await app.Get<SpotCheckRepository>().DrawAsync(hr, Periods.Of(app.Clock.GetUtcNow()), [new DrawShare(null, 4)], 1);

        foreach (var c in new[] { "zh-CN", "en" })
        {
            await ShotAsync("handler", c, $"/complaints/{complaint.ComplaintId}", "complaint-phone", p => p.Locator("[data-testid=customer-phone-show]").ClickAsync());
            await ShotAsync("handler", c, $"/complaints/{complaint.ComplaintId}", "complaint-masked");
            await ShotAsync("handler", c, "/intake", "intake-onsite", p => p.Locator("[data-testid=kind-complaint]").ClickAsync());
            await ShotAsync("handler", c, "/my/handovers", "handovers");
            await ShotAsync("agent", c, $"/intake/contacts/{last.ContactId}", "contact");
            await ShotAsync("hr", c, "/hr/spot-checks", "spotchecks", p => p.Locator("[data-testid=spot-kind-custom]").ClickAsync());
            await ShotAsync("admin", c, "/admin/departments", "departments", async p =>
            {
                await p.Locator("tr").Filter(new() { HasText = "PM" }).Locator("button").Last.ClickAsync();
                await p.WaitForTimeoutAsync(1000);
            });
        }
        var items = await app.Get<SpotCheckRepository>().ItemsAsync(hr, Periods.Of(app.Clock.GetUtcNow()));
        var flagged = items.First(i => i.Source != SpotCheckSources.Sample);
        foreach (var c in new[] { "zh-CN", "en" })
            await ShotAsync("hr", c, $"/hr/spot-checks/{flagged.Id}", "spotcheck-item");
    }
}
