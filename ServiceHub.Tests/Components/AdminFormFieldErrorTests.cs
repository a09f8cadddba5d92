using System.Security.Claims;
using Bunit;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using ServiceHub.App.Components.Pages.Admin;
using ServiceHub.App.Components.Shared;
using ServiceHub.App.Infrastructure;
using ServiceHub.Data.Admin;
using ServiceHub.Tests.Infrastructure;

namespace ServiceHub.Tests.Components;

/// <summary>
/// The admin forms (staff, customers, projects, buildings, departments): saving with the required fields empty shows each field's
/// localised message under that field (the Data layer decides), no snackbar, and writes nothing.
/// </summary>
public sealed class AdminFormFieldErrorTests(DatabaseFixture db) : IClassFixture<DatabaseFixture>
{
    private BunitContext Create(string culture) => BunitSetup.Create(culture, s => s.AddData(db.ConnectionString), a => a
        .SetAuthorized("admin").SetRoles(Roles.Admin).SetClaims(new Claim(ClaimTypes.NameIdentifier, "1"), new Claim(AppClaims.DisplayName, "管理员")));

    private async Task<long> CountAsync(string table)
    {
        await using var conn = await db.DataSource.OpenConnectionAsync();
        return await conn.ExecuteScalarAsync<long>($"SELECT count(*) FROM {table}");
    }

    private static (IRenderedComponent<MudDialogProvider> Dialogs, IRenderedComponent<MudSnackbarProvider> Snackbars) Providers(BunitContext ctx)
    {
        ctx.Render<MudPopoverProvider>();
        return (ctx.Render<MudDialogProvider>(), ctx.Render<MudSnackbarProvider>());
    }

    /// <summary>
    /// Opens <typeparamref name="TDialog"/> (new, empty), clicks its save button and checks that each field of <paramref name="expected"/>
    /// shows its message, that no snackbar says it and that <paramref name="table"/> has as many rows as before.
    /// </summary>
    private async Task SavedEmptyAsync<TDialog>(string culture, string table, string save, IReadOnlyDictionary<string, string> expected,
        DialogParameters<TDialog>? parameters = null) where TDialog : Microsoft.AspNetCore.Components.IComponent
    {
        var before = await CountAsync(table);
        await using var ctx = Create(culture);
        var (dialogs, snackbars) = Providers(ctx);
        _ = ctx.Services.GetRequiredService<IDialogService>().ShowAsync<TDialog>(table, parameters ?? []);
        dialogs.WaitForAssertion(() => dialogs.Find($"[data-testid={save}]"));

        await ClickAsync(dialogs, $"[data-testid={save}]");

        dialogs.WaitForAssertion(() => Assert.Equal(expected, expected.Keys.ToDictionary(k => k, k => MessageAt(dialogs, k))));
        foreach (var message in expected.Values) Assert.DoesNotContain(message, snackbars.Markup);
        Assert.Equal(before, await CountAsync(table));
    }

    [Theory]
    [InlineData("zh-CN", "此项必填。", "请至少选择一个角色。", "新账号必须设置密码。")]
    [InlineData("en", "This field is required.", "Choose at least one role.", "A new account needs a password.")]
    public Task A_new_user_saved_empty_shows_each_missing_field_at_the_field_and_writes_nothing(string culture, string required, string roles, string password) =>
        SavedEmptyAsync<UserDialog>(culture, "users", "user-save", new Dictionary<string, string>
        {
            ["user-username"] = required, ["user-displayname"] = required, ["user-roles"] = roles, ["user-password"] = password,
        });

    [Theory]
    [InlineData("zh-CN", "此项必填。", "请填写电话，或选择无电话并填写网名、报刊或转办单位。")]
    [InlineData("en", "This field is required.", "Enter a phone, or choose no phone and give the handle, newspaper or forwarding body.")]
    public Task A_new_customer_saved_empty_shows_each_missing_field_at_the_field_and_writes_nothing(string culture, string required, string phone) =>
        SavedEmptyAsync<CustomerDialog>(culture, "customers", "customer-save", new Dictionary<string, string> { ["customer-name"] = required, ["customer-phone"] = phone });

    [Theory]
    [InlineData("zh-CN", "此项必填。")]
    [InlineData("en", "This field is required.")]
    public Task A_new_department_saved_empty_shows_each_missing_field_at_the_field_and_writes_nothing(string culture, string required) =>
        SavedEmptyAsync<DepartmentDialog>(culture, "departments", "department-save", new Dictionary<string, string>
        {
            ["department-code"] = required, ["department-name"] = required, ["department-name-en"] = required,
        });

    [Theory]
    [InlineData("zh-CN", "此项必填。")]
    [InlineData("en", "This field is required.")]
    public async Task A_new_building_saved_without_a_name_shows_it_at_the_field_and_writes_nothing(string culture, string required)
    {
        await using var conn = await db.DataSource.OpenConnectionAsync();
        var projectId = await conn.ExecuteScalarAsync<int>("SELECT min(id) FROM projects");
        await SavedEmptyAsync(culture, "buildings", "building-save", new Dictionary<string, string> { ["building-name"] = required },
            new DialogParameters<BuildingDialog> { { d => d.ProjectId, projectId } });
    }

    [Theory]
    [InlineData("zh-CN", "此项必填。")]
    [InlineData("en", "This field is required.")]
    public async Task A_new_project_saved_empty_shows_each_missing_field_at_the_field_and_writes_nothing(string culture, string required)
    {
        var before = await CountAsync("projects");
        await using var ctx = Create(culture);
        ctx.Render<MudPopoverProvider>();
        var snackbars = ctx.Render<MudSnackbarProvider>();
        var page = ctx.Render<Projects>();
        page.WaitForAssertion(() => page.Find("[data-testid=project-new]"));
        await ClickAsync(page, "[data-testid=project-new]");
        page.WaitForAssertion(() => page.Find("[data-testid=project-save]"));

        await ClickAsync(page, "[data-testid=project-save]");

        page.WaitForAssertion(() =>
        {
            Assert.Equal(required, MessageAt(page, "project-code"));
            Assert.Equal(required, MessageAt(page, "project-name"));
        });
        Assert.DoesNotContain(required, snackbars.Markup);
        Assert.Equal(before, await CountAsync("projects"));
    }

    /// <summary>The message under the field whose input carries <paramref name="testId"/> (without the field's character counter).</summary>
    private static string MessageAt<T>(IRenderedComponent<T> at, string testId) where T : Microsoft.AspNetCore.Components.IComponent =>
        System.Text.RegularExpressions.Regex.Replace(
            at.Find($"[data-testid={testId}]").Closest(".mud-input-control")?.QuerySelector(".mud-input-helper-text.mud-input-error")?.TextContent ?? "", @"\d+ / \d+\s*$", "").Trim();

    /// <summary>Clicks <paramref name="selector"/> as found on the renderer's thread (the form may re-render as its lists load).</summary>
    private static Task ClickAsync<T>(IRenderedComponent<T> at, string selector) where T : Microsoft.AspNetCore.Components.IComponent =>
        at.InvokeAsync(() => at.Find(selector).ClickAsync(new()));
}
