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

    /// <summary>The message under the field that holds the mistake, for a signed-in account whose password is "Passw0rd!".</summary>
    private async Task<IRenderedComponent<ChangePassword>> SubmitAsync(BunitContext ctx, string current, string @new)
    {
        var page = ctx.Render<ChangePassword>();
        page.Find("input[data-testid=pw-current]").Change(current);
        page.Find("input[data-testid=pw-new]").Change(@new);
        page.Find("input[data-testid=pw-confirm]").Change(@new);
        await page.Find("[data-testid=pw-save]").ClickAsync(new());
        return page;
    }

    private static string? ErrorUnder(IRenderedComponent<ChangePassword> page, string testId) =>
        page.Find($"input[data-testid={testId}]").Closest(".mud-input-control")!.QuerySelector(".mud-input-error.mud-input-helper-text")?.TextContent;

    [Fact]
    public async Task A_new_password_equal_to_the_current_one_is_refused_under_the_new_password_and_a_wrong_current_one_under_the_current()
    {
        await using var services = new TestServices(db.ConnectionString);
        var userName = "pwform" + Guid.NewGuid().ToString("N")[..8];
        var me = new ServiceHub.Data.Infrastructure.Actor(await Build.UserAsync(services, userName, [Roles.Agent]), userName, userName, [Roles.Agent], null);
        await using var ctx = BunitSetup.Create("en", s => s.AddData(db.ConnectionString), a => a.SignedInAs(me));

        var same = await SubmitAsync(ctx, "Passw0rd!", "Passw0rd!");
        same.WaitForAssertion(() => Assert.Equal("The new password must differ from the current one.", ErrorUnder(same, "pw-new")));
        Assert.Null(ErrorUnder(same, "pw-current"));

        var wrong = await SubmitAsync(ctx, "not-my-password", "Different2026");
        wrong.WaitForAssertion(() => Assert.Equal("The current password is wrong.", ErrorUnder(wrong, "pw-current")));
        Assert.Null(ErrorUnder(wrong, "pw-new"));
    }
}
