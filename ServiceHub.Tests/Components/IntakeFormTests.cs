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
        page.WaitForElement("textarea[data-testid=intake-answer]").Input("大点声，听不见！");
        page.WaitForAssertion(() => Assert.Contains("forbidden phrase: 「大点声，听不见！」", page.Find("[data-testid=forbidden-warning]").TextContent));
    }

    [Fact]
    public async Task The_standard_phrases_are_at_hand()
    {
        await using var ctx = Create("zh-CN");
        var page = ctx.Render<IntakePage>();
        page.WaitForAssertion(() => Assert.Contains("您好，有什么需要帮助？", page.Find("[data-testid=intake-phrases]").TextContent));
    }
}
