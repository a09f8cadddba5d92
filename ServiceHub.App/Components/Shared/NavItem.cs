using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Rendering;
using Microsoft.AspNetCore.Components.Routing;
using MudBlazor.Interfaces;

namespace ServiceHub.App.Components.Shared;

/// <summary>
/// A link of the navigation menu as MudNavLink's markup (the item, its link with the active class and <c>aria-current</c>, its icon and
/// text) written straight into the menu, without the MudNavLink, NavLink and MudIcon components each link cost every circuit (issue #14
/// point 6). The menu renders again when the location changes, so the active link is worked out here, as NavLink does (<see cref="IsActive"/>).
/// A click tells the drawer, as MudNavLink does, so a drawer shown over the page closes. <c>NavItemTests</c> proves the markup is MudNavLink's.
/// </summary>
public static class NavItem
{
    public static RenderFragment Of(NavigationManager navigation, INavigationEventReceiver? drawer, string href, string icon, string text,
        NavLinkMatch match = NavLinkMatch.Prefix, string? testId = null, string? target = null) => b =>
    {
        var active = IsActive(navigation.Uri, navigation.ToAbsoluteUri(href).AbsoluteUri, match);
        b.OpenElement(0, "div");
        b.AddAttribute(1, "class", "mud-nav-item");
        b.OpenElement(2, "a");
        if (drawer is not null) b.AddAttribute(3, "onclick", EventCallback.Factory.Create(drawer, drawer.OnNavigation));
        b.AddAttribute(4, "href", href);
        b.AddAttribute(5, "target", target);
        b.AddAttribute(6, "rel", string.IsNullOrWhiteSpace(target) ? "" : "noopener noreferrer");
        b.AddAttribute(7, "data-testid", testId);
        b.AddAttribute(8, "tabindex", "0");
        b.AddAttribute(9, "class", active ? "mud-nav-link mud-ripple active" : "mud-nav-link mud-ripple");
        if (active) b.AddAttribute(10, "aria-current", "page");
        b.OpenElement(11, "svg");
        b.AddAttribute(12, "class", "mud-icon-root mud-icon-default mud-svg-icon mud-icon-size-medium mud-nav-link-icon mud-nav-link-icon-default");
        b.AddAttribute(13, "focusable", "false");
        b.AddAttribute(14, "viewBox", "0 0 24 24");
        b.AddAttribute(15, "aria-hidden", "true");
        b.AddAttribute(16, "role", "img");
        b.AddMarkupContent(17, icon);
        b.CloseElement();
        b.OpenElement(18, "div");
        b.AddAttribute(19, "class", "mud-nav-link-text");
        b.AddContent(20, text);
        b.CloseElement();
        b.CloseElement();
        b.CloseElement();
    };

    /// <summary>
    /// Whether the link to <paramref name="href"/> (absolute) is the active one at <paramref name="uri"/> (absolute), as NavLink decides:
    /// <see cref="NavLinkMatch.All"/> the same address, its query and fragment aside; <see cref="NavLinkMatch.Prefix"/> also any address
    /// under it (the link's path followed by <c>/</c>, <c>?</c> or <c>#</c>). Case-insensitive; a trailing slash of the link does not count.
    /// </summary>
    public static bool IsActive(string uri, string href, NavLinkMatch match)
    {
        if (match == NavLinkMatch.All) uri = uri[..PathEnd(uri)];
        if (string.Equals(uri, href, StringComparison.OrdinalIgnoreCase)) return true;
        if (uri.Length == href.Length - 1 && href[^1] == '/' && href.StartsWith(uri, StringComparison.OrdinalIgnoreCase)) return true;
        return match == NavLinkMatch.Prefix && uri.StartsWith(href, StringComparison.OrdinalIgnoreCase)
            && (href[^1] == '/' || uri[href.Length] is '/' or '?' or '#');
    }

    private static int PathEnd(string uri) => uri.IndexOfAny(['?', '#']) is var i and >= 0 ? i : uri.Length;
}
