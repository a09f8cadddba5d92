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
    public async Task Escalation_closure_an_emergency_and_its_arrival_each_reach_a_subscriber_of_every_kind_signed()
    {
        await using var receiver = await Receiver.StartAsync();
        var admin = await EmergencyTestData.ActorAsync(app.Db, "admin");
        var (_, secret) = await app.Get<WebhookRepository>().CreateAsync(admin, new WebhookForm
        {
            Name = "every event", Url = receiver.Url, EventKinds = [.. WebhookEvents.All],
        });
        receiver.Secret = secret;
        var agent = await EmergencyTestData.ActorAsync(app.Db, "agent");
        var handler = await EmergencyTestData.ActorAsync(app.Db, "handler");
        var manager = await EmergencyTestData.ActorAsync(app.Db, "pmmanager");
        var pm = await EmergencyTestData.DepartmentAsync(app.Db, "PM");
        var customer = await app.CustomerIdAsync(await app.AnyCustomerPhoneAsync());
        var intake = app.Get<IntakeRepository>();
        var lifecycle = app.Get<ServiceHub.Data.Complaints.ComplaintLifecycle>();

        // An emergency reported, its manager on site (the emergency's own writers).
        var emergencies = app.Get<ServiceHub.Data.Emergencies.EmergencyRepository>();
        var emergency = await emergencies.ReportAsync(agent, await EmergencyTestData.ReportAsync(app.Db, app.Clock.GetUtcNow()));
        await emergencies.RecordArrivalAsync(manager, emergency);
        // A complaint not contacted within its 15 minutes: the escalation sweep escalates it.
        var late = (await intake.RegisterAsync(agent, new IntakeForm
        {
            Channel = "phone", Kind = "complaint", CustomerId = customer, Content = "水管爆裂", DispatchDepartmentId = pm, UrgencyMinutes = 15,
        })).ComplaintId!.Value;
        // A complaint handled without a return visit: closed by the closure sweep a week later.
        var handled = (await intake.RegisterAsync(agent, new IntakeForm
        {
            Channel = "phone", Kind = "complaint", CustomerId = customer, Content = "门禁卡失灵", DispatchDepartmentId = pm, UrgencyMinutes = 60, NeedsReturnVisit = false,
        })).ComplaintId!.Value;
        await lifecycle.ConfirmContactAsync(handler, handled, app.Clock.GetUtcNow(), "电话");
        await using (var conn = await app.Db.OpenConnectionAsync())
            await conn.ExecuteAsync("UPDATE complaints SET root_cause_id = (SELECT min(id) FROM root_causes WHERE parent_id IS NOT NULL) WHERE id = @handled", new { handled });
        await lifecycle.HandleAsync(handler, handled, "更换门禁卡", "已为您更换门禁卡。", false);
        app.Clock.Advance(TimeSpan.FromMinutes(15));
        await app.Get<ServiceHub.Data.Complaints.EscalationSweep>().RunAsync();
        app.Clock.Advance(TimeSpan.FromDays(7));
        await app.Get<ServiceHub.Data.ReturnVisits.ClosureSweep>().RunAsync();

        await app.Get<OutboxDispatcher>().RunAsync();
        var received = receiver.Received.ToList();
        Assert.All(received, r => Assert.True(r.SignatureValid));
        string Event(JsonElement b) => b.GetProperty("event").GetString()!;
        Assert.Contains(received, r => Event(r.Body) == WebhookEvents.EmergencyRaised && r.Body.GetProperty("data").GetProperty("emergencyId").GetInt32() == emergency);
        Assert.Contains(received, r => Event(r.Body) == WebhookEvents.EmergencyArrived && r.Body.GetProperty("data").GetProperty("emergencyId").GetInt32() == emergency);
        Assert.Contains(received, r => Event(r.Body) == WebhookEvents.ComplaintEscalated && r.Body.GetProperty("data").GetProperty("complaintId").GetInt64() == late);
        Assert.Contains(received, r => Event(r.Body) == WebhookEvents.ComplaintClosed && r.Body.GetProperty("data").GetProperty("complaintId").GetInt64() == handled);
        Assert.Contains(received, r => Event(r.Body) == WebhookEvents.ComplaintRegistered && r.Body.GetProperty("data").GetProperty("complaintId").GetInt64() == late);
    }

    [Fact]
    public async Task A_rotated_secret_signs_every_message_from_then_on_and_only_an_administrator_rotates()
    {
        await using var receiver = await Receiver.StartAsync();
        var admin = await EmergencyTestData.ActorAsync(app.Db, "admin");
        var hooks = app.Get<WebhookRepository>();
        var (hookId, first) = await hooks.CreateAsync(admin, new WebhookForm
        {
            Name = "rotating portal", Url = receiver.Url, EventKinds = [WebhookEvents.ComplaintRegistered],
        });
        var agent = await EmergencyTestData.ActorAsync(app.Db, "agent");
        await Assert.ThrowsAsync<ServiceHub.Data.Infrastructure.ForbiddenException>(() => hooks.RotateSecretAsync(agent, hookId));

        var customer = await app.CustomerIdAsync(await app.AnyCustomerPhoneAsync());
        await app.Get<IntakeRepository>().RegisterAsync(agent,
            new IntakeForm { Channel = "phone", Kind = "complaint", CustomerId = customer, Content = "电梯异响" });

        // Rotated while the message still waits: it goes out signed with the new secret, which the receiver now holds.
        var second = await hooks.RotateSecretAsync(admin, hookId);
        Assert.NotEqual(first, second);
        receiver.Secret = second;
        await app.Get<OutboxDispatcher>().RunAsync();
        var (_, _, valid) = Assert.Single(receiver.Received);
        Assert.True(valid);
        await using var conn = await app.Db.OpenConnectionAsync();
        Assert.Equal(1, await conn.ExecuteScalarAsync<int>(
            "SELECT count(*) FROM audit_log WHERE entity = 'webhook' AND entity_id = @id AND details = 'secret rotated'", new { id = hookId.ToString() }));
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
