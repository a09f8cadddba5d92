using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Rendering;
using MudBlazor;
using ServiceHub.App.Components.Shared;
using ServiceHub.Tests.Infrastructure;

namespace ServiceHub.Tests.Components;

/// <summary>
/// The queue's rows and a complaint's timeline write their text as MudText's markup without a MudText each (issue #14 point 6): the
/// page looks exactly as before, the circuit holds fewer components.
/// </summary>
public sealed class PlainTextTests
{
    private sealed class Host : ComponentBase
    {
        [Parameter] public RenderFragment? Content { get; set; }
        protected override void BuildRenderTree(RenderTreeBuilder b) => b.AddContent(0, Content);
    }

    public static TheoryData<Typo, string?, string?> Lines => new()
    {
        { Typo.subtitle2, null, null },
        { Typo.caption, null, null },
        { Typo.body2, "white-space:pre-wrap", null },
        { Typo.body2, "max-width:360px", "text-truncate" },
    };

    [Theory]
    [MemberData(nameof(Lines))]
    public async Task Plain_text_is_the_markup_of_mud_text(Typo typo, string? style, string? cssClass)
    {
        await using var ctx = BunitSetup.Create();
        const string text = "进展 <b>不是标记</b> · 2026-12-01 09:30";
        var mud = ctx.Render<MudText>(p => p.Add(t => t.Typo, typo).Add(t => t.Style, style).Add(t => t.Class, cssClass)
            .AddChildContent(text));
        var plain = ctx.Render<Host>(p => p.Add(h => h.Content, PlainText.Of(typo, text, style, cssClass)));

        plain.MarkupMatches(mud.Markup);
        Assert.Empty(plain.FindComponents<MudText>());
    }
}
