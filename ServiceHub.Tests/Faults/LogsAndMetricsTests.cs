using System.Net;
using System.Text.Json;
using Dapper;
using Npgsql;
using ServiceHub.Tests.Infrastructure;

namespace ServiceHub.Tests.Faults;

/// <summary>
/// Issue #16 points 11 and 12, on the real app started as production starts it (a separate process over a copy of the demo database,
/// whose demo seeding finds the company there): its console speaks JSON, one object a line, with the request's trace id and the
/// signed-in user's id, and never a customer's phone number; <c>/metrics</c> answers administrators only, with ServiceHub's own
/// figures beside ASP.NET Core's and Npgsql's.
/// </summary>
[Trait("Category", "faults")]
public sealed class LogsAndMetricsTests(DemoDatabaseFixture db) : IClassFixture<DemoDatabaseFixture>
{
    [Fact]
    public async Task A_production_run_logs_json_with_trace_and_user_ids_and_no_customer_phone_and_serves_metrics_to_admins_only()
    {
        var url = $"http://127.0.0.1:{Loopback.FreePort()}";
        await using var app = ChildProcess.StartApp(db.ConnectionString, "sh-fault-logs", new Dictionary<string, string>
        {
            ["ASPNETCORE_URLS"] = url,
            ["ServiceHub__SeedDemo"] = "true",
            ["ServiceHub__SeedDemoHistory"] = "false",
            ["Logging__LogLevel__Default"] = "Information",
            ["Logging__LogLevel__Microsoft.AspNetCore"] = "Information",
        });
        using var anonymous = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = new Uri(url) };
        await Eventually.WaitAsync(async () => app.HasExited || await OkAsync(anonymous, "/healthz"), up => up, TimeSpan.FromMinutes(2), "the app to start");
        Assert.False(app.HasExited, app.Output);

        // Metrics: refused to the anonymous and to an agent, served to an administrator.
        Assert.NotEqual(HttpStatusCode.OK, (await anonymous.GetAsync("/metrics")).StatusCode);
        using var agent = await SignedInAsync(url, "agent");
        Assert.NotEqual(HttpStatusCode.OK, (await agent.GetAsync("/metrics")).StatusCode);
        using var admin = await SignedInAsync(url, "admin");
        var metrics = await Eventually.WaitAsync(() => admin.GetStringAsync("/metrics"), m => m.Contains("servicehub_complaints_registered"),
            TimeSpan.FromMinutes(1), "the domain metrics' first snapshot");
        foreach (var name in new[] { "servicehub_deadlines_overdue", "servicehub_emergencies_open", "servicehub_outbox_backlog", "http_server_request_duration" })
            Assert.Contains(name, metrics);

        // Pages that show customers and their phone numbers, a search by phone number, a failed sign-in with a phone as the name.
        var phones = await PhonesAsync();
        Assert.NotEmpty(phones);
        foreach (var path in new[] { "/", "/customers", "/intake/contacts", "/intake", $"/customers?q={phones[0]}", "/no-such-page" })
            await admin.GetAsync(path);
        await AppFactory.PostSignInAsync(anonymous, phones[1], "wrong");

        var output = app.Output;
        await app.KillAsync();
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var json = lines.Where(l => l.StartsWith('{')).Select(l => JsonDocument.Parse(l)).ToList();
        Assert.True(json.Count > 10, output);
        Assert.Contains(json, j => j.RootElement.TryGetProperty("Scopes", out var scopes) && scopes.ToString().Contains("\"TraceId\""));
        Assert.Contains(json, j => j.RootElement.TryGetProperty("Scopes", out var scopes) && scopes.ToString().Contains("\"UserId\""));
        foreach (var phone in phones) Assert.DoesNotContain(phone, output);
    }

    /// <summary>ID numbers are masked as phones are (no seeded record carries one, so the run above cannot show it).</summary>
    [Theory]
    [InlineData("找不到客户 110101199003071234", "110101199003071234", "110101**********34")]
    [InlineData("证件 11010119900307123X 已核对", "11010119900307123X", "110101**********3X")]
    [InlineData("GET /customers?q=13812345678", "13812345678", "138****5678")]
    public void Mobile_and_ID_numbers_are_masked_wherever_they_appear_in_a_log_line(string line, string number, string masked)
    {
        var redacted = ServiceHub.App.Infrastructure.RedactingJsonFormatter.Redact(line);
        Assert.DoesNotContain(number, redacted);
        Assert.Contains(masked, redacted);
    }

    private async Task<string[]> PhonesAsync()
    {
        await using var conn = await db.DataSource.OpenConnectionAsync();
        return [.. await conn.QueryAsync<string>("SELECT DISTINCT phone FROM customers WHERE phone IS NOT NULL AND length(phone) >= 7 UNION SELECT DISTINCT phone FROM users WHERE phone IS NOT NULL AND length(phone) >= 7")];
    }

    private static async Task<HttpClient> SignedInAsync(string url, string user)
    {
        var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = new CookieContainer() }) { BaseAddress = new Uri(url) };
        var response = await AppFactory.PostSignInAsync(client, user, ServiceHub.Data.Admin.DemoSeeder.DemoPassword);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        return client;
    }

    private static async Task<bool> OkAsync(HttpClient client, string path)
    {
        try { return (await client.GetAsync(path)).IsSuccessStatusCode; }
        catch (HttpRequestException) { return false; }
    }
}
