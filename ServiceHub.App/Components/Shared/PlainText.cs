using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Rendering;
using MudBlazor;

namespace ServiceHub.App.Components.Shared;

/// <summary>
/// MudText's markup (the same element, classes and style) written straight into the page, without a component (issue #14 point 6).
/// For text repeated per row or per event — the queue's 25 rows, a complaint's timeline — where a MudText each added a component,
/// with its two render buffers, to every circuit. <c>PlainTextTests</c> proves the markup is MudText's.
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

    /// <summary>The element MudText renders for the typography.</summary>
    private static string Tag(Typo typo) => typo switch
    {
        Typo.h1 or Typo.h2 or Typo.h3 or Typo.h4 or Typo.h5 or Typo.h6 => typo.ToString(),
        Typo.subtitle1 or Typo.subtitle2 or Typo.body1 or Typo.body2 => "p",
        _ => "span",
    };
}
