using Bunit;
using Microsoft.Extensions.DependencyInjection;
using ServiceHub.App.Components.Pages.Complaints;
using ServiceHub.App.Components.Pages.Counting;
using ServiceHub.Data.Complaints;
using ServiceHub.Data.Infrastructure;
using ServiceHub.Data.Intake;
using ServiceHub.Tests.Complaints;
using ServiceHub.Tests.Infrastructure;

namespace ServiceHub.Tests.Security;

/// <summary>
/// Stored markup is shown as text (issue #12 point 15): a complaint's text, a customer's name and a progress note holding a script
/// element or an image with an onerror handler render escaped on the pages that show them — no script, no live handler.
/// </summary>
public sealed class StoredMarkupRenderingTests(DatabaseFixture db) : ComplaintWorldTests(db)
{
    private const string Script = "<script>alert(1)</script>";
    private const string Image = "<img src=x onerror=alert(1)>";
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);

    private async Task<(long ComplaintId, int CustomerId)> HostileComplaintAsync()
    {
        var customerId = await Build.CustomerAsync(_s, "陈" + Image, $"1391{Random.Shared.Next(1000000, 9999999)}", _w.UnitId);
        var form = _w.ComplaintForm("屋顶漏水" + Script);
        form.CustomerId = customerId;
        var id = (await _w.Intake.RegisterAsync(_w.Agent, form)).ComplaintId!.Value;
        await _w.Lifecycle.ConfirmContactAsync(_w.Handler, id, _s.Clock.GetUtcNow(), "电话");
        await _w.Lifecycle.AddNoteAsync(_w.Handler, id, "已派人查看" + Image);
        return (id, customerId);
    }

    private BunitContext Create(Actor who) =>
        BunitSetup.Create("zh-CN", s => s.AddData(Db.ConnectionString, _s.Clock), a => a.SignedInAs(who));

    /// <summary>The hostile text is in the page as escaped text and the page has no script element and no element with an onerror handler.</summary>
    private static void ShownAsText<T>(IRenderedComponent<T> page, params string[] escaped) where T : Microsoft.AspNetCore.Components.IComponent
    {
        foreach (var text in escaped) Assert.Contains(text, page.Markup);
        Assert.Empty(page.FindAll("script"));
        Assert.Empty(page.FindAll("[onerror]"));
        Assert.Empty(page.FindAll("img"));
    }

    private const string ScriptEscaped = "&lt;script&gt;alert(1)&lt;/script&gt;";
    private const string ImageEscaped = "&lt;img src=x onerror=alert(1)&gt;";

    [Fact]
    public async Task The_complaint_page_shows_a_stored_script_in_the_text_the_customer_name_and_a_note_as_text()
    {
        var (id, _) = await HostileComplaintAsync();
        await using var ctx = Create(_w.Handler);
        ctx.Render<MudBlazor.MudPopoverProvider>();
        var page = ctx.Render<ComplaintPage>(p => p.Add(c => c.Id, id));
        page.WaitForAssertion(() => Assert.Contains("屋顶漏水", page.Markup), Wait);
        page.WaitForAssertion(() => Assert.Contains("已派人查看", page.Markup), Wait);
        ShownAsText(page, ScriptEscaped, ImageEscaped, "陈" + ImageEscaped);
    }

    [Fact]
    public async Task The_customer_dossier_shows_a_stored_script_in_the_name_and_the_complaint_as_text()
    {
        var (_, customerId) = await HostileComplaintAsync();
        await using var ctx = Create(_w.Agent);
        ctx.Render<MudBlazor.MudPopoverProvider>();
        var page = ctx.Render<CustomerDossierPage>(p => p.Add(c => c.Id, customerId));
        page.WaitForAssertion(() => Assert.Contains("屋顶漏水", page.Markup), Wait);
        ShownAsText(page, ScriptEscaped, "陈" + ImageEscaped);
    }

    [Fact]
    public async Task The_complaint_list_shows_a_stored_script_in_the_text_and_the_customer_name_as_text()
    {
        var (id, _) = await HostileComplaintAsync();
        var sheetNo = (await _w.Complaints.GetAsync(_w.Agent, id))!.SheetNo;
        await using var ctx = Create(_w.Agent);
        ctx.Render<MudBlazor.MudPopoverProvider>();
        var page = ctx.Render<ComplaintsPage>();
        page.WaitForAssertion(() => Assert.Contains(sheetNo, page.Markup), Wait);
        ShownAsText(page, ScriptEscaped, "陈" + ImageEscaped);
    }
}
