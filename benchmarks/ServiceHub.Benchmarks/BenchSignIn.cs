using System.Net;
using System.Text.RegularExpressions;
using ServiceHub.Data.Admin;

namespace ServiceHub.Benchmarks;

/// <summary>Signs a demo-password account in through the real sign-in form, as a browser does; the cookies carry the session.</summary>
public static partial class BenchSignIn
{
    public static async Task<CookieContainer> SignInAsync(string baseUrl, string userName, CancellationToken ct = default)
    {
        var cookies = new CookieContainer();
        using var http = new HttpClient(new HttpClientHandler { CookieContainer = cookies, AllowAutoRedirect = false }) { BaseAddress = new Uri(baseUrl) };
        var form = await http.GetStringAsync("/account/login", ct);
        var token = Token().Match(form).Groups[1].Value;
        var response = await http.PostAsync("/account/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = token, ["_handler"] = "login", ["Input.UserName"] = userName, ["Input.Password"] = DemoSeeder.DemoPassword,
        }), ct);
        if (response.StatusCode != HttpStatusCode.Redirect) throw new InvalidOperationException($"sign-in of {userName} failed: {response.StatusCode}");
        return cookies;
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex Token();
}
