using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Rendering;
using MudBlazor;

namespace ServiceHub.App.Components.Shared;

/// <summary>
/// MudText's, MudLink's and a small MudChip's markup (the same elements, classes and style) written straight into the page, without a
/// component (issue #14 point 6). For what is repeated per row or per event — the queue's 25 rows, a complaint's timeline — where a
/// component each added its two render buffers to every circuit. <c>PlainTextTests</c> proves the markup is MudBlazor's.
/// </summary>
public static class PlainText
{
    public static RenderFragment Of(Typo typo, string? text, string? style = null, string? cssClass = null) => b => Write(b, typo, text, style, cssClass);

    private static void Write(RenderTreeBuilder b, Typo typo, string? text, string? style, string? cssClass)
    {
        b.OpenElement(0, Tag(typo));
        b.AddAttribute(1, "class", cssClass is { Length: > 0 } ? $"mud-typography mud-typography-{typo} {cssClass}" : $"mud-typography mud-typography-{typo}");
        if (style is { Length: > 0 }) b.AddAttribute(2, "style", style);
        b.AddContent(3, text);
        b.CloseElement();
    }

    /// <summary>MudLink's markup: a link in the theme's primary colour, underlined on hover (Blazor's router takes the click).</summary>
    public static RenderFragment Link(string href, string? text, string? testId = null) => b =>
    {
        b.OpenElement(0, "a");
        b.AddAttribute(1, "href", href);
        b.AddAttribute(2, "data-testid", testId);
        b.AddAttribute(3, "class", "mud-typography mud-link mud-primary-text mud-link-underline-hover");
        b.AddContent(4, text);
        b.CloseElement();
    };

    /// <summary>
    /// A small MudChip's markup (filled in <paramref name="color"/>, or outlined): a label that is not clicked, e.g. a state in a
    /// row. MudChip's container id and key handler are left out: they serve a chip the user selects or closes.
    /// </summary>
    public static RenderFragment Chip(Color color, string? text, bool outlined = false, string? title = null, string? testId = null) => b =>
    {
        b.OpenElement(0, "div");
        b.AddAttribute(1, "class", "mud-chip-container");
        b.OpenElement(2, "div");
        b.AddAttribute(3, "class", $"mud-chip {(outlined ? "mud-chip-outlined" : "mud-chip-filled")} mud-chip-size-small mud-chip-color-{color.ToString().ToLowerInvariant()}");
        b.AddAttribute(4, "tabindex", "-1");
        b.AddAttribute(5, "title", title);
        b.AddAttribute(6, "data-testid", testId);
        b.OpenElement(7, "span");
        b.AddAttribute(8, "class", "mud-chip-content");
        b.AddContent(9, text);
        b.CloseElement();
        b.CloseElement();
        b.CloseElement();
    };

    /// <summary>The element MudText renders for the typography.</summary>
    private static string Tag(Typo typo) => typo switch
    {
        Typo.h1 or Typo.h2 or Typo.h3 or Typo.h4 or Typo.h5 or Typo.h6 => typo.ToString(),
        Typo.subtitle1 or Typo.subtitle2 or Typo.body1 or Typo.body2 => "p",
        _ => "span",
    };
}
