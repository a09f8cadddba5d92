using System.Net;
using ServiceHub.Data.Admin;
using ServiceHub.Data.Infrastructure;
using ServiceHub.Tests.Infrastructure;

namespace ServiceHub.Tests.Counting;

/// <summary>Server-side authorisation of the counting pages and the masked dossier.</summary>
[Collection(AppCollection.Name)]
public sealed class CountingPageTests(AppFactory app)
{
    private static void AssertDenied(HttpResponseMessage r, string path)
    {
        Assert.True(r.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.Redirect, $"{path}: {r.StatusCode}");
        if (r.StatusCode == HttpStatusCode.Redirect) Assert.StartsWith("/account/denied", r.Headers.Location!.PathAndQuery);
    }

    [Theory]
    [InlineData("/counting/verification", "统计核实")]
    [InlineData("/counting/root-causes", "原因分类")]
    [InlineData("/counting/hot", "热点投诉")]
    [InlineData("/counting/standard-replies", "统一答复口径")]
    public async Task The_supervisor_opens_the_counting_pages(string path, string title)
    {
        var client = await app.SignedInClientAsync("supervisor");
        var r = await client.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        Assert.Contains(title, await r.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("agent", "/counting/verification")]
    [InlineData("agent", "/counting/root-causes")]
    [InlineData("agent", "/counting/hot")]
    [InlineData("supervisor", "/counting/calendar")]
    [InlineData("handler", "/customers/1")]
    public async Task Other_roles_are_refused(string user, string path)
    {
        var client = await app.SignedInClientAsync(user);
        AssertDenied(await client.GetAsync(path), path);
    }

    [Fact]
    public async Task The_admin_edits_the_calendar_with_the_2026_make_up_working_days()
    {
        var client = await app.SignedInClientAsync("admin");
        var r = await client.GetAsync("/counting/calendar?year=2026"); // without a year it opens on the year to load, which depends on the date
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        Assert.Contains("国庆节调休", await r.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task The_dossier_shows_the_customers_phone_masked()
    {
        var phone = (await app.Get<CustomerRepository>().RevealAsync(Actor.System, 1, "test")).Phone!;
        var client = await app.SignedInClientAsync("agent");
        var html = await (await client.GetAsync("/customers/1")).Content.ReadAsStringAsync();
        Assert.Contains("客户档案", html);
        Assert.Contains(Masking.Phone(phone), html);
        Assert.DoesNotContain(phone, html);
    }
}
