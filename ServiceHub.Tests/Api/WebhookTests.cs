using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Dapper;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ServiceHub.Data.Intake;
using ServiceHub.Data.Integrations;
using ServiceHub.Jobs.Notifications;
using ServiceHub.Tests.Emergencies;

namespace ServiceHub.Tests.Api;

/// <summary>Issue #13 point 8: webhooks are queued in the event's transaction and delivered signed, through the outbox, with retries.</summary>
public sealed class WebhookTests(ApiAppFactory app) : IClassFixture<ApiAppFactory>
{
    /// <summary>A receiver on a loopback port: it checks the signature itself (HMAC-SHA256 over "timestamp.body"), and may fail first.</summary>
    private sealed class Receiver : IAsyncDisposable
    {
        private readonly WebApplication _app;
        public string Url { get; private set; } = "";
        public string Secret { get; set; } = "";
        public int FailFirst;
        public ConcurrentQueue<(JsonElement Body, string Delivery, bool SignatureValid)> Received { get; } = new();

        private Receiver(WebApplication app) => _app = app;

        public static async Task<Receiver> StartAsync()
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
            builder.Logging.ClearProviders();
            var app = builder.Build();
            var receiver = new Receiver(app);
            app.MapPost("/hooks", async (HttpContext http) =>
            {
                using var buffer = new MemoryStream();
                await http.Request.Body.CopyToAsync(buffer);
                var body = buffer.ToArray();
                if (Interlocked.Decrement(ref receiver.FailFirst) >= 0) return Results.StatusCode(503);
                var timestamp = http.Request.Headers["X-ServiceHub-Timestamp"].ToString();
                var expected = "v1=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(receiver.Secret),
                    Encoding.UTF8.GetBytes(timestamp + ".").Concat(body).ToArray()));
                var valid = CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected),
                    Encoding.ASCII.GetBytes(http.Request.Headers["X-ServiceHub-Signature"].ToString()));
                receiver.Received.Enqueue((JsonDocument.Parse(body).RootElement.Clone(), http.Request.Headers["X-ServiceHub-Delivery"].ToString(), valid));
                return valid ? Results.NoContent() : Results.Unauthorized();
            });
            await app.StartAsync();
            receiver.Url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First() + "/hooks";
            return receiver;
        }

        public ValueTask DisposeAsync() => _app.DisposeAsync();
    }

    [Fact]
    public async Task A_registered_complaint_reaches_the_subscriber_signed_through_the_outbox_and_a_failure_is_retried()
    {
        await using var receiver = await Receiver.StartAsync();
        receiver.FailFirst = 1;
        var admin = await EmergencyTestData.ActorAsync(app.Db, "admin");
        var (hookId, secret) = await app.Get<WebhookRepository>().CreateAsync(admin, new WebhookForm
        {
            Name = "owner portal", Url = receiver.Url, EventKinds = [WebhookEvents.ComplaintRegistered],
        });
        receiver.Secret = secret;

        var agent = await EmergencyTestData.ActorAsync(app.Db, "agent");
        var customer = await app.CustomerIdAsync(await app.AnyCustomerPhoneAsync());
        var registered = await app.Get<IntakeRepository>().RegisterAsync(agent,
            new IntakeForm { Channel = "phone", Kind = "complaint", CustomerId = customer, Content = "楼道灯不亮" });
        // A consultation is no event of the subscription.
        await app.Get<IntakeRepository>().RegisterAsync(agent,
            new IntakeForm { Channel = "phone", Kind = "consultation", CustomerId = customer, Content = "问物业费", Answer = "已答复", Satisfied = true });

        await using (var conn = await app.Db.OpenConnectionAsync())
            Assert.Equal(1, await conn.ExecuteScalarAsync<int>(
                "SELECT count(*) FROM outbox_messages WHERE channel = 'webhook' AND endpoint_id = @hookId", new { hookId }));

        // The first try is refused (503); the next run, after the back-off, delivers it.
        Assert.Equal(0, await app.Get<OutboxDispatcher>().RunAsync());
        Assert.Empty(receiver.Received);
        app.Clock.Advance(TimeSpan.FromSeconds(31));
        Assert.Equal(1, await app.Get<OutboxDispatcher>().RunAsync());
        var (body, delivery, valid) = Assert.Single(receiver.Received);
        Assert.True(valid);
        Assert.Equal("complaint.registered", body.GetProperty("event").GetString());
        Assert.Equal(registered.ComplaintId, body.GetProperty("data").GetProperty("complaintId").GetInt64());
        Assert.Equal(delivery, body.GetProperty("id").GetString());
        Assert.DoesNotContain("楼道灯不亮", body.ToString()); // identifiers and states only
        await using (var conn = await app.Db.OpenConnectionAsync())
            Assert.Equal(("sent", 2), await conn.QuerySingleAsync<(string, int)>(
                "SELECT state, attempts FROM outbox_messages WHERE channel = 'webhook' AND endpoint_id = @hookId", new { hookId }));
    }

    [Fact]
    public void A_signature_verifies_only_with_the_secret_the_body_and_a_recent_timestamp()
    {
        var body = Encoding.UTF8.GetBytes("{\"event\":\"emergency.raised\"}");
        var now = DateTimeOffset.FromUnixTimeSeconds(1_800_000_000);
        var signature = WebhookSignature.Sign("whsec_x", now.ToUnixTimeSeconds(), body);
        Assert.True(WebhookSignature.Verify("whsec_x", "1800000000", signature, body, now.AddMinutes(4)));
        Assert.False(WebhookSignature.Verify("whsec_y", "1800000000", signature, body, now));
        Assert.False(WebhookSignature.Verify("whsec_x", "1800000000", signature, Encoding.UTF8.GetBytes("{}"), now));
        Assert.False(WebhookSignature.Verify("whsec_x", "1800000000", signature, body, now.AddMinutes(6)));
    }
}
