using System.Net;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ServiceHub.Tests.Api;

/// <summary>
/// The published contract: <c>/openapi/v1.json</c> must equal the document checked in beside this test (<c>openapi-v1.json</c>), so an
/// endpoint that changes shape fails here until the document is regenerated on purpose:
/// <c>SERVICEHUB_UPDATE_OPENAPI=1 ./servicehub.sh test --filter "FullyQualifiedName~OpenApiDocumentTests"</c> rewrites it; review the diff.
/// </summary>
public sealed class OpenApiDocumentTests(ApiAppFactory app) : IClassFixture<ApiAppFactory>
{
    private static string CheckedIn([CallerFilePath] string here = "") => Path.Combine(Path.GetDirectoryName(here)!, "openapi-v1.json");

    /// <summary>A staff member's browser: the document and the reference are for signed-in people.</summary>
    private async Task<HttpClient> SignedInAsync() =>
        new(new HttpClientHandler { CookieContainer = await ServiceHub.Tests.Emergencies.AlertsClient.SignInAsync(app.BaseUrl, "admin"), AllowAutoRedirect = false })
        { BaseAddress = new Uri(app.BaseUrl) };

    private static string Normalise(string json) =>
        JsonNode.Parse(json)!.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }) + "\n";

    [Fact]
    public async Task The_served_document_is_the_one_checked_in()
    {
        using var admin = await SignedInAsync();
        var served = Normalise(await admin.GetStringAsync("/openapi/v1.json"));
        if (Environment.GetEnvironmentVariable("SERVICEHUB_UPDATE_OPENAPI") == "1") await File.WriteAllTextAsync(CheckedIn(), served);
        var expected = File.Exists(CheckedIn()) ? Normalise(await File.ReadAllTextAsync(CheckedIn())) : "(missing)";
        Assert.True(expected == served,
            "The API changed shape: regenerate ServiceHub.Tests/Api/openapi-v1.json with SERVICEHUB_UPDATE_OPENAPI=1 (see docs/api.md) and review the diff.");
    }

    [Fact]
    public async Task The_document_lists_every_endpoint_with_a_summary_and_the_api_key_scheme()
    {
        using var admin = await SignedInAsync();
        var doc = JsonNode.Parse(await admin.GetStringAsync("/openapi/v1.json"))!;
        var paths = doc["paths"]!.AsObject();
        (string Method, string Template)[] endpoints =
        [
            ("post", "/api/v1/contacts"), ("get", "/api/v1/complaints/{id}"), ("get", "/api/v1/complaints/{id}/timeline"),
            ("get", "/api/v1/departments/{id}/queue"), ("post", "/api/v1/complaints/{id}/contact"), ("post", "/api/v1/complaints/{id}/reply"),
            ("post", "/api/v1/complaints/{id}/extension"), ("post", "/api/v1/emergencies"), ("get", "/api/v1/kpis/{month}"),
            ("get", "/api/v1/customers"), ("post", "/api/v1/calls"),
        ];
        Assert.Equal(endpoints.Length, paths.Sum(p => p.Value!.AsObject().Count));
        foreach (var (method, template) in endpoints)
        {
            var operation = paths[template]?[method];
            Assert.True(operation is not null, $"{method} {template} missing");
            Assert.False(string.IsNullOrWhiteSpace(operation!["summary"]?.GetValue<string>()), $"{method} {template} has no summary");
            Assert.False(string.IsNullOrWhiteSpace(operation["description"]?.GetValue<string>()), $"{method} {template} has no description");
        }
        Assert.Equal("X-Api-Key", doc["components"]!["securitySchemes"]!["ApiKey"]!["name"]!.GetValue<string>());
    }

    [Fact]
    public async Task The_reference_page_is_served_at_api_docs()
    {
        using var admin = await SignedInAsync();
        using var response = await admin.GetAsync("/api/docs/v1");
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("nonce-", response.Headers.GetValues("Content-Security-Policy").Single());
    }
}
