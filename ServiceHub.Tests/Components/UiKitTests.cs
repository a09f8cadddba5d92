using System.Security.Claims;
using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Rendering;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using ServiceHub.App.Components.Shared;
using ServiceHub.App.Infrastructure;
using ServiceHub.Data.Admin;
using ServiceHub.Data.Complaints;
using ServiceHub.Data.Infrastructure;
using ServiceHub.Tests.Infrastructure;

namespace ServiceHub.Tests.Components;

/// <summary>The shared UI kit: the action runner every form uses and the one complaint-state chip.</summary>
public sealed class UiKitTests
{
    private static BunitContext Create(string culture = "zh-CN") => BunitSetup.Create(culture, s => s.AddScoped<CurrentUser>(), a => a.SetAuthorized("agent").SetRoles(Roles.Agent).SetClaims(new Claim(ClaimTypes.NameIdentifier, "7")));

    /// <summary>A form as the pages write one: a field showing its message, a form-level message, a button running the action.</summary>
    private sealed class NameForm : ComponentBase
    {
        [Inject] private ActionRunner Actions { get; set; } = default!;
        [Parameter] public Func<Actor, Task> Action { get; set; } = _ => Task.CompletedTask;
        [Parameter] public FieldErrors Errors { get; set; } = new();

        protected override void BuildRenderTree(RenderTreeBuilder b)
        {
            b.OpenComponent<MudTextField<string>>(0);
            b.AddAttribute(1, nameof(MudTextField<string>.Label), "Name");
            b.AddAttribute(2, nameof(MudTextField<string>.Error), Errors.Has("Name"));
            b.AddAttribute(3, nameof(MudTextField<string>.ErrorText), Errors.Text("Name"));
            b.AddAttribute(4, "data-testid", "name");
            b.CloseComponent();
            b.OpenComponent<FormError>(5);
            b.AddAttribute(6, nameof(FormError.Errors), Errors);
            b.CloseComponent();
            b.OpenElement(7, "button");
            b.AddAttribute(8, "data-testid", "save");
            b.AddAttribute(9, "onclick", EventCallback.Factory.Create(this, () => Actions.RunAsync(Errors, Action)));
            b.CloseElement();
        }
    }

    private static (IRenderedComponent<MudSnackbarProvider> Snackbars, IRenderedComponent<NameForm> Form) Render(
        BunitContext ctx, Func<Actor, Task> action, FieldErrors? errors = null)
    {
        var snackbars = ctx.Render<MudSnackbarProvider>();
        var form = ctx.Render<NameForm>(p => p.Add(f => f.Action, action).Add(f => f.Errors, errors ?? new FieldErrors()));
        return (snackbars, form);
    }

    private static string FieldMessage(IRenderedComponent<NameForm> form) =>
        string.Concat(form.FindAll(".mud-input-helper-text.mud-input-error").Select(e => e.TextContent));

    [Fact]
    public async Task A_validation_failure_shows_its_message_at_the_field_and_no_success()
    {
        await using var ctx = Create();
        var (snackbars, form) = Render(ctx, _ => throw new ValidationFailedException(new Dictionary<string, FieldError> { ["Name"] = new("Validation.Required") }));

        await form.Find("[data-testid=save]").ClickAsync(new());

        form.WaitForAssertion(() => Assert.Contains("此项必填", FieldMessage(form)));
        Assert.DoesNotContain("已保存", snackbars.Markup);
    }

    [Fact]
    public async Task A_successful_action_runs_as_the_signed_in_user_clears_the_old_message_and_says_saved()
    {
        await using var ctx = Create();
        var errors = new FieldErrors();
        errors.Set("Name", "an earlier message");
        Actor? ranAs = null;
        var (snackbars, form) = Render(ctx, me => { ranAs = me; return Task.CompletedTask; }, errors);

        await form.Find("[data-testid=save]").ClickAsync(new());

        snackbars.WaitForAssertion(() => Assert.Contains("已保存。", snackbars.Markup));
        Assert.Equal(7, ranAs?.Id);
        Assert.Empty(FieldMessage(form));
    }

    [Fact]
    public async Task A_refusal_of_the_domain_shows_its_localised_message_with_its_arguments()
    {
        await using var ctx = Create("en");
        var (snackbars, form) = Render(ctx, _ => throw new DomainException("Project.CodeTaken", "CHY"));

        await form.Find("[data-testid=save]").ClickAsync(new());

        snackbars.WaitForAssertion(() => Assert.Contains("Project code \"CHY\" already exists.", snackbars.Markup));
        Assert.Empty(FieldMessage(form));
    }

    [Fact]
    public async Task A_refusal_the_form_places_at_a_field_is_shown_there_instead_of_in_a_snackbar()
    {
        await using var ctx = Create();
        var (snackbars, form) = Render(ctx, _ => throw new DomainException("User.NameTaken", "agent"), new FieldErrors().RefusalsAt("Name", "User.NameTaken"));

        await form.Find("[data-testid=save]").ClickAsync(new());

        form.WaitForAssertion(() => Assert.Contains("用户名“agent”已被使用。", FieldMessage(form)));
        Assert.DoesNotContain("已被使用", snackbars.Markup);
    }

    [Fact]
    public async Task A_refusal_of_access_says_access_denied_under_a_dialog_form_that_shows_refusals_inline()
    {
        await using var ctx = Create();
        var (_, form) = Render(ctx, _ => throw new ForbiddenException("agent", [Roles.Admin]), new FieldErrors().RefusalsAt(FieldErrors.Form));

        await form.Find("[data-testid=save]").ClickAsync(new());

        form.WaitForAssertion(() => Assert.Equal("您的角色无权打开此页面或执行此操作。", form.Find("[data-testid=form-error]").TextContent.Trim()));
    }

    [Theory]
    [InlineData("zh-CN", ComplaintStates.Registered, "已登记", "default")]
    [InlineData("zh-CN", ComplaintStates.Dispatched, "已派发", "warning")]
    [InlineData("zh-CN", ComplaintStates.Contacted, "已联系", "info")]
    [InlineData("zh-CN", ComplaintStates.Handled, "已处理", "success")]
    [InlineData("zh-CN", ComplaintStates.Closed, "已关闭", "dark")]
    [InlineData("en", ComplaintStates.Dispatched, "Dispatched", "warning")]
    [InlineData("en", ComplaintStates.Closed, "Closed", "dark")]
    public async Task The_state_chip_names_each_state_in_the_users_language_in_its_colour(string culture, string state, string text, string color)
    {
        await using var ctx = Create(culture);
        var chip = ctx.Render<ComplaintStateChip>(p => p.Add(c => c.State, state).AddUnmatched("data-testid", "complaint-state"));
        var element = chip.Find("[data-testid=complaint-state]");
        Assert.Equal(text, element.TextContent.Trim());
        Assert.Contains($"mud-chip-color-{color}", element.ClassName);
    }

    [Fact]
    public async Task A_merged_complaint_reads_merged_and_names_its_head_on_hover()
    {
        await using var ctx = Create("en");
        var chip = ctx.Render<ComplaintStateChip>(p => p.Add(c => c.State, ComplaintStates.Dispatched).Add(c => c.MergedInto, "TS-2026-0042"));
        var element = chip.Find(".mud-chip");
        Assert.Equal("Merged", element.TextContent.Trim());
        Assert.Contains("TS-2026-0042", element.GetAttribute("title"));
    }
}
