using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Routing;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using ServiceHub.App.Components.Layout;
using ServiceHub.App.Components.Shared;
using ServiceHub.Data.Admin;
using ServiceHub.Tests.Infrastructure;

namespace ServiceHub.Tests.Components;

/// <summary>
/// The navigation menu's links are MudNavLink's markup without its components (issue #14 point 6): they look the same, and the link of
/// the page shown is highlighted as NavLink highlights it.
/// </summary>
public sealed class NavItemTests
{
    public static TheoryData<string, string, NavLinkMatch, string?, string?> Links => new()
    {
        { "/complaints/queue", "/complaints/queue", NavLinkMatch.Prefix, "nav-queue", null },
        { "/complaints/queue", "/complaints/42", NavLinkMatch.Prefix, null, null },
        { "/", "/", NavLinkMatch.All, null, null },
        { "/complaints", "/complaints/42", NavLinkMatch.All, "nav-complaints", null },
        { "/hangfire", "/", NavLinkMatch.Prefix, null, "_blank" },
    };

    [Theory]
    [MemberData(nameof(Links))]
    public async Task A_menu_link_is_the_markup_of_mud_nav_link(string href, string at, NavLinkMatch match, string? testId, string? target)
    {
        await using var ctx = BunitSetup.Create();
        var navigation = ctx.Services.GetRequiredService<NavigationManager>();
        navigation.NavigateTo(at);
        var mud = ctx.Render<MudNavLink>(p =>
        {
            p.Add(l => l.Href, href).Add(l => l.Icon, Icons.Material.Filled.Inbox).Add(l => l.Match, match).Add(l => l.Target, target).AddChildContent("待处理队列");
            if (testId is not null) p.AddUnmatched("data-testid", testId);
        });
        var plain = ctx.Render<FragmentHost>(p => p.Add(h => h.Content, NavItem.Of(navigation, null, href, Icons.Material.Filled.Inbox, "待处理队列", match, testId, target)));

        plain.MarkupMatches(mud.Markup);
        Assert.Empty(plain.FindComponents<MudNavLink>());
    }

    [Theory]
    [InlineData("http://localhost/complaints/queue", "http://localhost/complaints/queue", NavLinkMatch.Prefix, true)]
    [InlineData("http://localhost/complaints/queue?state=dispatched", "http://localhost/complaints/queue", NavLinkMatch.Prefix, true)]
    [InlineData("http://localhost/complaints/queue/7", "http://localhost/complaints/queue", NavLinkMatch.Prefix, true)]
    [InlineData("http://localhost/complaints/queued", "http://localhost/complaints/queue", NavLinkMatch.Prefix, false)]
    [InlineData("http://localhost/complaints/42", "http://localhost/complaints", NavLinkMatch.All, false)]
    [InlineData("http://localhost/complaints?page=2", "http://localhost/complaints", NavLinkMatch.All, true)]
    [InlineData("http://localhost/COMPLAINTS", "http://localhost/complaints", NavLinkMatch.All, true)]
    [InlineData("http://localhost/", "http://localhost/", NavLinkMatch.All, true)]
    [InlineData("http://localhost", "http://localhost/", NavLinkMatch.All, true)]
    [InlineData("http://localhost/intake", "http://localhost/", NavLinkMatch.All, false)]
    public void A_link_is_active_where_nav_link_would_highlight_it(string uri, string href, NavLinkMatch match, bool active) =>
        Assert.Equal(active, NavItem.IsActive(uri, href, match));

    [Fact]
    public async Task The_menu_highlights_the_page_shown_and_moves_the_highlight_when_the_user_navigates()
    {
        await using var ctx = BunitSetup.Create(auth: a => a.SetAuthorized("handler").SetRoles(Roles.Handler)
            .SetPolicies([.. Access.ByPolicy.Where(p => p.Value.Contains(Roles.Handler)).Select(p => p.Key)]));
        var navigation = ctx.Services.GetRequiredService<NavigationManager>();
        navigation.NavigateTo("/complaints/queue");
        var nav = ctx.Render<NavMenu>();

        Assert.Contains("active", nav.Find("[data-testid=nav-queue]").ClassList);
        Assert.Equal("page", nav.Find("[data-testid=nav-queue]").GetAttribute("aria-current"));
        Assert.Single(nav.FindAll("a.active"));
        Assert.Empty(nav.FindComponents<MudNavLink>());

        navigation.NavigateTo("/my/notifications");
        nav.WaitForAssertion(() => Assert.Contains("active", nav.Find("[data-testid=nav-my-notifications]").ClassList));
        Assert.DoesNotContain("active", nav.Find("[data-testid=nav-queue]").ClassList);
        Assert.Null(nav.Find("[data-testid=nav-queue]").GetAttribute("aria-current"));
        Assert.Single(nav.FindAll("a.active"));
    }
}
