using System.Security.Claims;
using Bunit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using ServiceHub.App.Components.Pages.Intake;
using ServiceHub.App.Infrastructure;
using ServiceHub.Data.Admin;
using ServiceHub.Tests.Infrastructure;

namespace ServiceHub.Tests.Components;

public sealed class IntakeFormTests(DatabaseFixture db) : IClassFixture<DatabaseFixture>
{
    private BunitContext Create(string culture) => BunitSetup.Create(culture, s => s.AddData(db.ConnectionString), a => a
        .SetAuthorized("agent").SetRoles(Roles.Agent).SetClaims(new Claim(ClaimTypes.NameIdentifier, "1"), new Claim(AppClaims.DisplayName, "王丽")));

    [Fact]
    public async Task Saving_an_empty_consultation_names_each_missing_field()
    {
        await using var ctx = Create("zh-CN");
        ctx.Render<MudBlazor.MudPopoverProvider>();
        var page = ctx.Render<IntakePage>();
        page.WaitForAssertion(() => Assert.Contains("您好，有什么需要帮助？", page.Find("[data-testid=intake-phrases]").TextContent));
        await page.Find("[data-testid=intake-save]").ClickAsync(new());
        page.WaitForAssertion(() =>
        {
            Assert.Contains("请先选择或新建客户。", page.Markup);
            Assert.Contains("咨询和查询须记录答复内容。", page.Markup);
            Assert.Contains("请记录客户是否满意。", page.Markup);
        });
        Assert.Contains("王丽", page.Markup);
    }

    [Fact]
    public async Task A_forbidden_phrase_in_the_answer_is_flagged_while_typing()
    {
        await using var ctx = Create("en");
        var page = ctx.Render<IntakePage>();
        // The page checks the answer against the phrases it loaded: wait until they are on the page.
        page.WaitForAssertion(() => Assert.Contains("您好，有什么需要帮助？", page.Find("[data-testid=intake-phrases]").TextContent));
        page.Find("textarea[data-testid=intake-answer]").Input("大点声，听不见！");
        page.WaitForAssertion(() => Assert.Contains("forbidden phrase: 「大点声，听不见！」", page.Find("[data-testid=forbidden-warning]").TextContent));
    }

    [Fact]
    public async Task The_standard_phrases_are_at_hand()
    {
        await using var ctx = Create("zh-CN");
        var page = ctx.Render<IntakePage>();
        page.WaitForAssertion(() => Assert.Contains("您好，有什么需要帮助？", page.Find("[data-testid=intake-phrases]").TextContent));
    }

    [Fact]
    public async Task Choosing_complaint_shows_the_manuals_definition_of_a_complaint_and_a_consultation_does_not()
    {
        await using var ctx = Create("zh-CN");
        var page = ctx.Render<IntakePage>();
        page.WaitForElement("[data-testid=intake-save]");
        Assert.Empty(page.FindAll("[data-testid=complaint-definition]"));
        page.Find("input[data-testid=kind-complaint], [data-testid=kind-complaint] input").Click();
        page.WaitForAssertion(() => Assert.Contains("失职、失误、失度、失控", page.Find("[data-testid=complaint-definition]").TextContent));
        page.Find("input[data-testid=kind-consultation], [data-testid=kind-consultation] input").Click();
        page.WaitForAssertion(() => Assert.Empty(page.FindAll("[data-testid=complaint-definition]")));
    }
}
