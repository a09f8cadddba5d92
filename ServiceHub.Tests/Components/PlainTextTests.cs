using Bunit;
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
            .AddChildContent(b => b.AddContent(0, text))); // as text: a string child content would be markup
        var plain = ctx.Render<FragmentHost>(p => p.Add(h => h.Content, PlainText.Of(typo, text, style, cssClass)));

        plain.MarkupMatches(mud.Markup);
        Assert.Empty(plain.FindComponents<MudText>());
    }

    [Fact]
    public async Task A_plain_link_is_the_markup_of_mud_link()
    {
        await using var ctx = BunitSetup.Create();
        var mud = ctx.Render<MudLink>(p => p.Add(l => l.Href, "/complaints/42").AddUnmatched("data-testid", "queue-link").AddChildContent("FY-2026-000042"));
        var plain = ctx.Render<FragmentHost>(p => p.Add(h => h.Content, PlainText.Link("/complaints/42", "FY-2026-000042", "queue-link")));

        plain.MarkupMatches(mud.Markup);
        Assert.Empty(plain.FindComponents<MudLink>());
    }

    [Theory]
    [InlineData(Color.Warning, false)]
    [InlineData(Color.Default, false)]
    [InlineData(Color.Error, false)]
    [InlineData(Color.Default, true)]
    public async Task A_plain_chip_is_the_markup_of_a_small_mud_chip(Color color, bool outlined)
    {
        await using var ctx = BunitSetup.Create();
        var mud = ctx.Render<MudChip<string>>(p => p.Add(c => c.Size, Size.Small).Add(c => c.Color, color)
            .Add(c => c.Variant, outlined ? Variant.Outlined : Variant.Filled).AddChildContent("待联系"));
        var plain = ctx.Render<FragmentHost>(p => p.Add(h => h.Content, PlainText.Chip(color, "待联系", outlined)));

        // MudChip's container id (a new Guid each render) serves a chip the user selects or closes; a label needs none.
        plain.MarkupMatches(System.Text.RegularExpressions.Regex.Replace(mud.Markup, " id=\"chip-container-[^\"]*\"", ""));
        Assert.Empty(plain.FindComponents<MudChip<string>>());
    }
}
