using Dapper;
using Npgsql;
using ServiceHub.Data.Admin;
using ServiceHub.Data.Integrations;
using ServiceHub.Tests.Emergencies;
using ServiceHub.Tests.Infrastructure;

namespace ServiceHub.Tests.Api;

/// <summary>The app on a real port (SignalR clients, webhooks), each API key limited to 20 calls a minute.</summary>
public sealed class ApiAppFactory : AppFactory
{
    public const int PermitLimit = 20;
    protected override bool Kestrel => true;
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Api:RateLimit:PermitLimit"] = PermitLimit.ToString(),
        ["Api:RateLimit:Window"] = "00:10:00",
        // One try per delivery run: a failure waits for the next run (30 s later on the test clock), no quick retry on the clock.
        ["Notifications:Delivery:TriesPerRun"] = "1",
    };

    public NpgsqlDataSource Db => Get<NpgsqlDataSource>();

    /// <summary>Issues a key as the demo administrator; its expiry a year from the test clock's today unless given.</summary>
    public async Task<IssuedApiKey> IssueKeyAsync(string name, string[] scopes, string[] roles, string? departmentCode = null, DateOnly? expiresOn = null)
    {
        var admin = await EmergencyTestData.ActorAsync(Db, "admin");
        int? department = departmentCode is null ? null : await EmergencyTestData.DepartmentAsync(Db, departmentCode);
        var today = DateOnly.FromDateTime(ServiceHub.Data.Infrastructure.BusinessTime.ToLocal(Clock.GetUtcNow()).DateTime);
        return await Get<ApiKeyRepository>().IssueAsync(admin, new ApiKeyForm
        {
            Name = name, Scopes = [.. scopes], Roles = [.. roles], DepartmentId = department, ExpiresOn = expiresOn ?? today.AddYears(1),
        });
    }

    /// <summary>A client of the API: no cookies, no redirects followed, the key (if any) in X-Api-Key, the language asked for.</summary>
    public HttpClient ApiClient(string? key, string language = "zh-CN")
    {
        var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = new Uri(BaseUrl) };
        if (key is not null) http.DefaultRequestHeaders.Add("X-Api-Key", key);
        http.DefaultRequestHeaders.AcceptLanguage.ParseAdd(language);
        return http;
    }

    public async Task<int> CustomerIdAsync(string phone)
    {
        await using var conn = await Db.OpenConnectionAsync();
        return await conn.ExecuteScalarAsync<int>("SELECT id FROM customers WHERE phone = @phone", new { phone });
    }

    public async Task<string> AnyCustomerPhoneAsync()
    {
        await using var conn = await Db.OpenConnectionAsync();
        return await conn.ExecuteScalarAsync<string>("SELECT phone FROM customers WHERE phone ~ '^1[3-9][0-9]{9}$' ORDER BY id LIMIT 1") ?? throw new InvalidOperationException("no customer");
    }
}
