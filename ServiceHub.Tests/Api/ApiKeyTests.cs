using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Bunit;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using ServiceHub.Data.Admin;
using ServiceHub.Data.Integrations;

namespace ServiceHub.Tests.Api;

/// <summary>Issue #13 points 6-7: every endpoint needs a valid key with its scope; calls are audited and limited per key; errors are problem details.</summary>
public sealed class ApiKeyTests(ApiAppFactory app) : IClassFixture<ApiAppFactory>
{
    /// <summary>One request per endpoint of /api/v1, with a plausible body.</summary>
    public static readonly (string Method, string Path, object? Body)[] Endpoints =
    [
        ("POST", "/api/v1/contacts", new { channel = "phone", kind = "consultation", content = "x" }),
        ("GET", "/api/v1/complaints/1", null),
        ("GET", "/api/v1/complaints/1/timeline", null),
        ("GET", "/api/v1/departments/1/queue", null),
        ("POST", "/api/v1/complaints/1/contact", new { contactedAt = DateTimeOffset.UtcNow, method = "phone" }),
        ("POST", "/api/v1/complaints/1/reply", new { resolution = "r", reply = "r" }),
        ("POST", "/api/v1/complaints/1/extension", new { newDue = DateTimeOffset.UtcNow.AddDays(1), reason = "r" }),
        ("POST", "/api/v1/emergencies", new { kind = "fire_explosion", location = "x", description = "x" }),
        ("GET", "/api/v1/kpis/2026-01", null),
        ("GET", "/api/v1/customers?phone=13800000000", null),
        ("POST", "/api/v1/calls", new { callerNumber = "13800000000", extension = "8001" }),
    ];

    private static HttpRequestMessage Request((string Method, string Path, object? Body) e) =>
        new(new HttpMethod(e.Method), e.Path) { Content = e.Body is null ? null : JsonContent.Create(e.Body) };

    [Fact]
    public async Task Without_a_valid_key_every_endpoint_answers_401_with_problem_details_and_never_a_redirect()
    {
        using var anonymous = app.ApiClient(null);
        using var forged = app.ApiClient("shk_aaaaaaaa_" + new string('a', 52));
        using var garbage = app.ApiClient("not a key");
        foreach (var e in Endpoints)
            foreach (var client in new[] { anonymous, forged, garbage })
            {
                using var response = await client.SendAsync(Request(e));
                Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{e.Method} {e.Path}: {response.StatusCode}");
                Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            }
    }

    [Fact]
    public async Task A_revoked_keys_name_may_be_given_to_its_replacement_and_a_name_too_long_for_its_account_is_refused_at_the_field()
    {
        var leaked = await app.IssueKeyAsync("front desk tablet", [ApiScopes.Kpis], [Roles.Leadership]);
        var taken = await Assert.ThrowsAsync<ServiceHub.Data.Infrastructure.ValidationFailedException>(() =>
            app.IssueKeyAsync("Front Desk Tablet", [ApiScopes.Kpis], [Roles.Leadership]));
        Assert.Equal("ApiKey.NameTaken", taken.Errors["Name"].Code);

        await app.Get<ApiKeyRepository>().RevokeAsync(await Emergencies.EmergencyTestData.ActorAsync(app.Db, "admin"), leaked.Id);
        var replacement = await app.IssueKeyAsync("front desk tablet", [ApiScopes.Kpis], [Roles.Leadership]);
        using (var client = app.ApiClient(replacement.Key))
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/kpis/2026-01")).StatusCode);
        using (var client = app.ApiClient(leaked.Key))
            Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/v1/kpis/2026-01")).StatusCode);

        // The longest name fits its account's user name (api:{name}, 50 characters); one more is refused at the field, nothing written.
        var longest = new string('长', ApiKeyRules.NameMax);
        await app.IssueKeyAsync(longest, [ApiScopes.Kpis], [Roles.Leadership]);
        var tooLong = await Assert.ThrowsAsync<ServiceHub.Data.Infrastructure.ValidationFailedException>(() =>
            app.IssueKeyAsync(longest + "x", [ApiScopes.Kpis], [Roles.Leadership]));
        Assert.Equal("Validation.TooLong", tooLong.Errors["Name"].Code);
    }

    [Fact]
    public async Task A_key_without_the_scope_is_403_and_expired_or_revoked_keys_are_401_with_the_refusal_audited()
    {
        var kpiOnly = await app.IssueKeyAsync("kpi only", [ApiScopes.Kpis], [Roles.Leadership]);
        using (var client = app.ApiClient(kpiOnly.Key))
        {
            Assert.Equal(HttpStatusCode.Forbidden, (await client.PostAsJsonAsync("/api/v1/calls", new { callerNumber = "13800000000", extension = "8001" })).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/kpis/2026-01")).StatusCode);
        }

        var shortLived = await app.IssueKeyAsync("short lived", [ApiScopes.Kpis], [Roles.Leadership],
            expiresOn: DateOnly.FromDateTime(ServiceHub.Data.Infrastructure.BusinessTime.ToLocal(app.Clock.GetUtcNow()).DateTime).AddDays(2));
        using (var client = app.ApiClient(shortLived.Key))
        {
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/kpis/2026-01")).StatusCode);
            app.Clock.Advance(TimeSpan.FromDays(3)); // the clock only moves on: the other tests' keys run for a year
            Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/v1/kpis/2026-01")).StatusCode);
        }

        var revoked = await app.IssueKeyAsync("revoked soon", [ApiScopes.Kpis], [Roles.Leadership]);
        using (var client = app.ApiClient(revoked.Key))
        {
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/kpis/2026-01")).StatusCode);
            await app.Get<ApiKeyRepository>().RevokeAsync(await Emergencies.EmergencyTestData.ActorAsync(app.Db, "admin"), revoked.Id);
            Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/v1/kpis/2026-01")).StatusCode);
        }
        // The right prefix with a wrong secret is refused too.
        using (var client = app.ApiClient(revoked.Key[..^4] + "aaaa"))
            Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/v1/kpis/2026-01")).StatusCode);

        await using var conn = await app.Db.OpenConnectionAsync();
        var refusals = (await conn.QueryAsync<string>(
            "SELECT details FROM audit_log WHERE action = @a AND user_name = 'api:revoked soon' ORDER BY id", new { a = AuditLog.Actions.ApiRefused })).ToList();
        Assert.Contains(refusals, d => d.Contains("Revoked"));
        Assert.Contains(refusals, d => d.Contains("WrongSecret"));
        Assert.Contains("Expired", string.Join(" ", await conn.QueryAsync<string>(
            "SELECT details FROM audit_log WHERE action = @a AND user_name = 'api:short lived'", new { a = AuditLog.Actions.ApiRefused })));
    }

    [Fact]
    public async Task The_admin_page_shows_an_issued_key_once_and_the_key_works_until_revoked_there()
    {
        var admin = await Emergencies.EmergencyTestData.ActorAsync(app.Db, "admin");
        Bunit.BunitContext Context() => ServiceHub.Tests.Infrastructure.BunitSetup.Create("zh-CN", s =>
        {
            s.AddSingleton<TimeProvider>(app.Clock);
            s.AddSingleton(app.Get<ApiKeyRepository>());
            s.AddSingleton(app.Get<DepartmentRepository>());
            s.AddScoped<ServiceHub.App.Infrastructure.CurrentUser>();
        }, a => a.SetAuthorized(admin.UserName).SetRoles([.. admin.Roles]).SetClaims(
            new System.Security.Claims.Claim(System.Security.Claims.ClaimTypes.NameIdentifier, admin.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            new System.Security.Claims.Claim(ServiceHub.App.Infrastructure.AppClaims.DisplayName, admin.DisplayName)));

        string key;
        await using (var ctx = Context())
        {
            ctx.Render<MudBlazor.MudPopoverProvider>();
            ctx.Render<MudBlazor.MudSnackbarProvider>();
            var page = ctx.Render<ServiceHub.App.Components.Pages.Admin.ApiKeys>();
            page.WaitForElement("[data-testid=api-key-issue]");
            page.Find("input[data-testid=api-key-name], [data-testid=api-key-name] input").Change("page issued");
            var selects = page.FindComponents<MudBlazor.MudSelect<string>>();
            await page.InvokeAsync(() => selects[0].Instance.SelectedValuesChanged.InvokeAsync([ApiScopes.Kpis]));
            await page.InvokeAsync(() => selects[1].Instance.SelectedValuesChanged.InvokeAsync([Roles.Leadership]));
            await page.Find("[data-testid=api-key-issue]").ClickAsync(new());
            page.WaitForElement("[data-testid=api-key-value]");
            key = page.Find("[data-testid=api-key-value]").TextContent.Trim();
        }
        Assert.StartsWith("shk_", key);
        using (var client = app.ApiClient(key))
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/kpis/2026-01")).StatusCode);

        // Opened again: the key is listed by its prefix only and is nowhere on the page; revoked there, it stops working.
        await using (var ctx = Context())
        {
            ctx.Render<MudBlazor.MudSnackbarProvider>();
            var page = ctx.Render<ServiceHub.App.Components.Pages.Admin.ApiKeys>();
            page.WaitForAssertion(() => Assert.Contains(key[..12], page.Find("[data-testid=api-keys]").TextContent));
            Assert.Empty(page.FindAll("[data-testid=api-key-value]"));
            Assert.DoesNotContain(key, page.Markup);
            var id = (await app.Get<ApiKeyRepository>().ListAsync(admin)).Single(k => k.Name == "page issued").Id;
            await page.Find($"[data-testid=api-key-revoke-{id}]").ClickAsync(new());
            page.WaitForAssertion(() => Assert.Empty(page.FindAll($"[data-testid=api-key-revoke-{id}]")));
        }
        using (var client = app.ApiClient(key))
            Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/v1/kpis/2026-01")).StatusCode);
    }

    [Fact]
    public async Task Every_call_is_audited_with_the_keys_name_and_the_key_is_stored_only_as_its_hash()
    {
        var key = await app.IssueKeyAsync("reporting portal", [ApiScopes.Kpis], [Roles.Leadership]);
        using var client = app.ApiClient(key.Key);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/kpis/2026-02")).StatusCode);

        await using var conn = await app.Db.OpenConnectionAsync();
        var row = await conn.QuerySingleAsync<(string UserName, string Details)>(
            "SELECT user_name, details FROM audit_log WHERE action = @a AND entity_id = @id ORDER BY id DESC LIMIT 1",
            new { a = AuditLog.Actions.ApiCall, id = key.Id.ToString() });
        Assert.Equal("api:reporting portal", row.UserName);
        Assert.Equal("GET /api/v1/kpis/2026-02 status=200", row.Details);
        var stored = await conn.QuerySingleAsync<(string Prefix, byte[] Hash)>("SELECT prefix, secret_hash FROM api_keys WHERE id = @id", new { id = key.Id });
        Assert.StartsWith($"shk_{stored.Prefix}_", key.Key);
        Assert.Equal(ApiKeyRules.Hash(key.Key), stored.Hash);
        Assert.Equal(0, await conn.ExecuteScalarAsync<int>("SELECT count(*) FROM api_keys WHERE position(@secret IN encode(secret_hash, 'escape')) > 0", new { secret = key.Key[13..] }));
    }

    [Fact]
    public async Task Over_the_per_key_limit_the_api_answers_429_and_another_key_is_unaffected()
    {
        var busy = await app.IssueKeyAsync("busy", [ApiScopes.Kpis], [Roles.Leadership]);
        var calm = await app.IssueKeyAsync("calm", [ApiScopes.Kpis], [Roles.Leadership]);
        using var client = app.ApiClient(busy.Key);
        for (var i = 0; i < ApiAppFactory.PermitLimit; i++)
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/kpis/2026-01")).StatusCode);
        using var refused = await client.GetAsync("/api/v1/kpis/2026-01");
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.True(refused.Headers.RetryAfter is not null);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        using var other = app.ApiClient(calm.Key);
        Assert.Equal(HttpStatusCode.OK, (await other.GetAsync("/api/v1/kpis/2026-01")).StatusCode);
    }

    [Fact]
    public async Task Bad_input_is_problem_details_with_the_field_and_the_localised_message()
    {
        var key = await app.IssueKeyAsync("web portal", [ApiScopes.Contacts], [Roles.Agent]);
        foreach (var (language, message) in new[] { ("zh-CN", "请先选择或新建客户"), ("en", "customer") })
        {
            using var client = app.ApiClient(key.Key, language);
            using var response = await client.PostAsJsonAsync("/api/v1/contacts", new { channel = "phone", kind = "consultation", content = "问一下物业费", answer = "" });
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            var errors = doc.RootElement.GetProperty("errors");
            Assert.Contains(message, errors.GetProperty("customerId")[0].GetString(), StringComparison.OrdinalIgnoreCase);
            Assert.Equal("Intake.CustomerRequired", doc.RootElement.GetProperty("codes").GetProperty("customerId").GetString());
            Assert.True(errors.TryGetProperty("answer", out _));
        }
        using var tooLong = app.ApiClient(key.Key);
        using var r2 = await tooLong.PostAsJsonAsync("/api/v1/contacts", new { channel = "phone", kind = "complaint", customerId = 1, content = new string('长', 4001) });
        Assert.Equal(HttpStatusCode.BadRequest, r2.StatusCode);
        Assert.Contains("\"content\"", await r2.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_contact_registered_through_the_api_names_the_integration_as_first_responder_and_its_complaint_reads_back()
    {
        var key = await app.IssueKeyAsync("owner app", [ApiScopes.Contacts, ApiScopes.ComplaintsRead], [Roles.Agent]);
        var customer = await app.CustomerIdAsync(await app.AnyCustomerPhoneAsync());
        using var client = app.ApiClient(key.Key);
        using var created = await client.PostAsJsonAsync("/api/v1/contacts", new { channel = "forum", kind = "complaint", customerId = customer, content = "电梯经常停运" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var body = await created.Content.ReadFromJsonAsync<JsonElement>();
        var complaintId = body.GetProperty("complaintId").GetInt64();
        Assert.Equal($"/api/v1/complaints/{complaintId}", created.Headers.Location?.OriginalString);

        var complaint = await client.GetFromJsonAsync<JsonElement>($"/api/v1/complaints/{complaintId}");
        Assert.Equal("registered", complaint.GetProperty("state").GetString());
        Assert.Contains("****", complaint.GetProperty("customerPhoneMasked").GetString());
        var timeline = await client.GetFromJsonAsync<JsonElement>($"/api/v1/complaints/{complaintId}/timeline");
        Assert.Equal("owner app", timeline[0].GetProperty("actor").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/api/v1/complaints/999999999")).StatusCode);
    }

    [Fact]
    public async Task The_customer_look_up_takes_the_full_number_only_and_is_audited()
    {
        var key = await app.IssueKeyAsync("crm", [ApiScopes.Customers], [Roles.Agent]);
        var phone = await app.AnyCustomerPhoneAsync();
        using var client = app.ApiClient(key.Key);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.GetAsync($"/api/v1/customers?phone={phone[..7]}")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.GetAsync($"/api/v1/customers?phone={phone[^4..]}")).StatusCode);
        var found = await client.GetFromJsonAsync<JsonElement>($"/api/v1/customers?phone=%2B86{phone}");
        Assert.True(found.GetArrayLength() >= 1);
        Assert.DoesNotContain(phone, found.ToString());

        await using var conn = await app.Db.OpenConnectionAsync();
        Assert.Equal(1, await conn.ExecuteScalarAsync<int>(
            "SELECT count(*) FROM audit_log WHERE user_name = 'api:crm' AND action = @a", new { a = AuditLog.Actions.PrivateDataViewed }));
    }
}
