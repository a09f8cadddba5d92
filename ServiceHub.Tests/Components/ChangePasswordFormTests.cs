using Bunit;
using Microsoft.Extensions.DependencyInjection;
using ServiceHub.App.Components.Pages.Account;
using ServiceHub.App.Infrastructure;
using ServiceHub.Data.Admin;
using ServiceHub.Tests.Infrastructure;

namespace ServiceHub.Tests.Components;

public sealed class ChangePasswordFormTests(DatabaseFixture db) : IClassFixture<DatabaseFixture>
{
    private BunitContext Create(string culture)
    {
        var ctx = BunitSetup.Create(culture, s => s.AddData(db.ConnectionString), a => a.SetAuthorized("agent").SetRoles(Roles.Agent));
        return ctx;
    }

    [Fact]
    public async Task Saving_empty_fields_shows_a_required_message_at_each_field()
    {
        await using var ctx = Create("zh-CN");
        ctx.Render<MudBlazor.MudPopoverProvider>();
        var page = ctx.Render<ChangePassword>();
        await page.Find("[data-testid=pw-save]").ClickAsync(new());
        page.WaitForAssertion(() => Assert.Equal(3, page.FindAll(".mud-input-helper-text.mud-input-error").Count(e => e.TextContent.Contains("此项必填"))));
    }

    [Fact]
    public async Task A_weak_password_and_a_mismatch_are_named_in_english()
    {
        await using var ctx = Create("en");
        var page = ctx.Render<ChangePassword>();
        page.Find("input[data-testid=pw-current]").Change("whatever1");
        page.Find("input[data-testid=pw-new]").Change("short");
        page.Find("input[data-testid=pw-confirm]").Change("different");
        await page.Find("[data-testid=pw-save]").ClickAsync(new());
        page.WaitForAssertion(() =>
        {
            Assert.Contains("at least 8 characters", page.Markup);
            Assert.Contains("The two new passwords differ.", page.Markup);
        });
    }
}
