using Microsoft.Playwright;
using ServiceHub.Data.Admin;
using ServiceHub.Data.Complaints;
using ServiceHub.Data.Counting;
using ServiceHub.Data.Infrastructure;
using ServiceHub.Data.Intake;
using ServiceHub.Data.Reports;
using ServiceHub.Tests.Infrastructure;

namespace ServiceHub.Tests.Reports;

/// <summary>
/// An app of the test's own: the journey reads this month's counted complaints of the whole company on the leadership dashboard
/// (exactly 2), and the other journeys register and verify complaints of their own in the collection's app. The same Chromium.
/// </summary>
public sealed class LeadershipAppFactory : BrowserAppFactory;

/// <summary>Leadership reports in the browser (issue #7): the dashboard, its drill-down and the annual report's PDF.</summary>
[Collection(BrowserCollection.Name)]
public sealed class LeadershipReportsBrowserTests(LeadershipAppFactory app, BrowserFixture browser) : IClassFixture<LeadershipAppFactory>
{
    private async Task<Actor> ActorAsync(string userName)
    {
        var u = (await app.Get<UserRepository>().FindByUserNameAsync(userName))!;
        return new Actor(u.Id, u.UserName, u.DisplayName, u.Roles, u.DepartmentId);
    }

    /// <summary>A complaint registered now (this month) by the agent, dispatched to the property company, verified as counted.</summary>
    private async Task<IntakeResult> CountedComplaintAsync(int customerId, string content, bool verify = true)
    {
        var customer = (await app.Get<CustomerRepository>().GetAsync(Actor.System, customerId))!;
        var pm = (await app.Get<DepartmentRepository>().ListAsync()).First(d => d.Code == "PM").Id;
        var r = await app.Get<IntakeRepository>().RegisterAsync(await ActorAsync("agent"), new IntakeForm
        {
            Channel = Channels.Phone, Kind = ContactKinds.Complaint, CustomerId = customerId, UnitId = customer.UnitId, Content = content,
            DispatchDepartmentId = pm, UrgencyMinutes = 60,
        });
        if (verify) await app.Get<CountingRepository>().VerifyAsync(await ActorAsync("supervisor"), r.ComplaintId!.Value, true, null);
        return r;
    }

    [Fact]
    public async Task A_leader_opens_the_dashboard_drills_into_a_figure_and_downloads_the_annual_report()
    {
        var a = await CountedComplaintAsync(1, "地下车库顶板漏水，车被淋湿");
        var b = await CountedComplaintAsync(2, "电梯经常停运，物业不管");
        await CountedComplaintAsync(3, "门岗态度生硬", verify: false); // awaiting verification: not counted

        var page = await browser.SignInAsync(app, "leader");
        await page.ClickAsync("[data-testid=nav-dashboard]");
        await Assertions.Expect(page.Locator("[data-testid=kpi-complaints-value]")).ToHaveTextAsync("2");

        // The figure opens the list of exactly the complaints behind it, each a link to the complaint.
        await page.ClickAsync("[data-testid=kpi-complaints-value]");
        await page.WaitForURLAsync("**/dashboard/drill?*set=Complaints*");
        await Assertions.Expect(page.Locator("[data-testid=drill-total]")).ToContainTextAsync("共 2 条");
        await Assertions.Expect(page.Locator("[data-testid=drill-row]")).ToHaveCountAsync(2);
        await Assertions.Expect(page.Locator("[data-testid=drill-complaints]")).ToContainTextAsync(a.SheetNo!);
        await Assertions.Expect(page.Locator("[data-testid=drill-complaints]")).ToContainTextAsync(b.SheetNo!);

        // A segment of a breakdown chart opens its complaints too.
        await page.ClickAsync("[data-testid=drill-back]");
        // One channel: the segment is the whole ring, so click the ring itself (its centre is the donut's hole).
        var segment = page.Locator("[data-testid=breakdown-Channel] path.mud-chart-serie").First;
        var box = (await segment.BoundingBoxAsync())!;
        await segment.ClickAsync(new() { Position = new() { X = box.Width / 2, Y = box.Height * 0.06f } });
        await page.WaitForURLAsync("**/dashboard/drill?*by=Channel*");
        await Assertions.Expect(page.Locator("[data-testid=drill-breakdown]")).ToContainTextAsync("来电");
        await Assertions.Expect(page.Locator("[data-testid=drill-row]")).ToHaveCountAsync(2);

        await page.Locator("[data-testid=drill-row]", new() { HasText = a.SheetNo! }).ClickAsync();
        await page.WaitForURLAsync($"**/complaints/{a.ComplaintId}");

        // Last year's Annual Service Review Report, produced on demand and downloaded as a PDF with its Chinese title.
        var year = AnnualReportRules.LastYear(app.Clock);
        var (name, bytes) = await ServiceHub.Tests.Browser.AnnualReportDownload.DownloadAnnualReportPdfAsync(page, year);
        Assert.Equal($"annual-report-{year}-v1.pdf", name);
        Assert.Equal("%PDF", System.Text.Encoding.ASCII.GetString(bytes, 0, 4));
        using (var pdf = UglyToad.PdfPig.PdfDocument.Open(bytes))
            Assert.Contains("年度服务评审报告", string.Concat(pdf.GetPages().Select(p => p.Text)));
        await page.Context.CloseAsync();
    }
}
