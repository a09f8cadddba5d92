using System.Security.Cryptography;
using Dapper;
using Microsoft.AspNetCore.DataProtection;
using Npgsql;
using ServiceHub.Data.Admin;
using ServiceHub.Data.Infrastructure;

namespace ServiceHub.Data.Integrations;

/// <summary>The events an integration may subscribe to (<c>webhook_subscriptions.event_kinds</c>, the body's <c>event</c>).</summary>
public static class WebhookEvents
{
    public const string ComplaintRegistered = "complaint.registered";
    public const string ComplaintEscalated = "complaint.escalated";
    public const string ComplaintClosed = "complaint.closed";
    public const string EmergencyRaised = "emergency.raised";
    public const string EmergencyArrived = "emergency.arrived";

    public static readonly IReadOnlyList<string> All = [ComplaintRegistered, ComplaintEscalated, ComplaintClosed, EmergencyRaised, EmergencyArrived];
}

public sealed class WebhookForm
{
    public int? Id { get; init; }
    public string Name { get; set; } = "";
    public string Url { get; set; } = "";
    public List<string> EventKinds { get; set; } = [];
    public bool IsActive { get; set; } = true;
}

public sealed record WebhookView(int Id, string Name, string Url, string[] EventKinds, bool IsActive, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

/// <summary>A subscription as the sender needs it: where, and the secret that signs.</summary>
public sealed record WebhookEndpoint(int Id, string Name, string Url, string Secret, bool IsActive);

/// <summary>
/// Outgoing webhooks (issue #13 point 8). An administrator registers a URL for event kinds and gets the signing secret once (stored
/// encrypted with Data Protection). The events are queued in the outbox by the database in the event's own transaction (triggers on
/// <c>complaint_events</c> and <c>emergency_events</c>, <c>sql/0142_webhooks.sql</c>); the outbox's webhook channel signs and sends them
/// with its retries.
/// </summary>
public sealed class WebhookRepository(NpgsqlDataSource db, IDataProtectionProvider protection, AuditLog audit, TimeProvider clock)
{
    public const int NameMax = 60;
    public const int UrlMax = 500;
    private readonly IDataProtector _protector = protection.CreateProtector("ServiceHub.Webhooks.Secrets");

    /// <summary>A URL a webhook may post to: absolute, https — or http to this machine only (a local relay, tests).</summary>
    public static bool IsAllowedUrl(string? url) =>
        url is { Length: > 0 and <= UrlMax } && Uri.TryCreate(url, UriKind.Absolute, out var u)
        && (u.Scheme == Uri.UriSchemeHttps || (u.Scheme == Uri.UriSchemeHttp && u.IsLoopback)) && string.IsNullOrEmpty(u.UserInfo);

    public static IReadOnlyDictionary<string, FieldError> Validate(WebhookForm f)
    {
        var e = new Dictionary<string, FieldError>();
        TextInput.Check(e, nameof(f.Name), f.Name, NameMax);
        if (!IsAllowedUrl(f.Url.Trim())) e[nameof(f.Url)] = new("Webhook.UrlInvalid", UrlMax);
        if (f.EventKinds.Count == 0 || f.EventKinds.Any(k => !WebhookEvents.All.Contains(k))) e[nameof(f.EventKinds)] = new("Webhook.EventsRequired");
        return e;
    }

    public static string NewSecret() => "whsec_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));

    public async Task<IReadOnlyList<WebhookView>> ListAsync(Actor actor, CancellationToken ct = default)
    {
        actor.Require(Access.Admin);
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<WebhookView>(new CommandDefinition(
            "SELECT id, name, url, event_kinds, is_active, created_at, updated_at FROM webhook_subscriptions ORDER BY name",
            cancellationToken: ct))).AsList();
    }

    /// <summary>Registers a subscription; returns its id and its signing secret (shown once, never again).</summary>
    public async Task<(int Id, string Secret)> CreateAsync(Actor actor, WebhookForm form, CancellationToken ct = default)
    {
        actor.Require(Access.Admin);
        var errors = Validate(form);
        if (errors.Count > 0) throw new ValidationFailedException(errors);
        var secret = NewSecret();
        var now = clock.GetUtcNow();
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        try
        {
            var id = await conn.ExecuteScalarAsync<int>(new CommandDefinition("""
                INSERT INTO webhook_subscriptions (name, url, event_kinds, secret_protected, is_active, created_at, created_by, updated_at)
                VALUES (@name, @url, @kinds, @secret, @IsActive, @now, @actorId, @now)
                RETURNING id
                """, new { name = form.Name.Trim(), url = form.Url.Trim(), kinds = form.EventKinds.Distinct().ToArray(), secret = _protector.Protect(secret),
                form.IsActive, now, actorId = actor.Id }, tx, cancellationToken: ct));
            await audit.WriteAsync(conn, tx, actor, AuditLog.Actions.Create, "webhook", id.ToString(), $"{form.Name.Trim()} {form.Url.Trim()} {string.Join(',', form.EventKinds)}", ct);
            await tx.CommitAsync(ct);
            return (id, secret);
        }
        catch (PostgresException ex) when (Db.IsUniqueViolation(ex))
        {
            throw new ValidationFailedException(new Dictionary<string, FieldError> { [nameof(form.Name)] = new("Webhook.NameTaken") });
        }
    }

    /// <summary>Changes a subscription's name, URL, events or whether it is active (its secret stays).</summary>
    public async Task UpdateAsync(Actor actor, WebhookForm form, CancellationToken ct = default)
    {
        actor.Require(Access.Admin);
        var errors = Validate(form);
        if (errors.Count > 0) throw new ValidationFailedException(errors);
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        try
        {
            var n = await conn.ExecuteAsync(new CommandDefinition("""
                UPDATE webhook_subscriptions SET name = @name, url = @url, event_kinds = @kinds, is_active = @IsActive, updated_at = @now WHERE id = @Id
                """, new { form.Id, name = form.Name.Trim(), url = form.Url.Trim(), kinds = form.EventKinds.Distinct().ToArray(), form.IsActive, now = clock.GetUtcNow() },
                tx, cancellationToken: ct));
            if (n == 0) throw new DomainException("NotFound");
            await audit.WriteAsync(conn, tx, actor, AuditLog.Actions.Update, "webhook", form.Id.ToString()!,
                $"{form.Name.Trim()} {form.Url.Trim()} {string.Join(',', form.EventKinds)} active={form.IsActive}", ct);
            await tx.CommitAsync(ct);
        }
        catch (PostgresException ex) when (Db.IsUniqueViolation(ex))
        {
            throw new ValidationFailedException(new Dictionary<string, FieldError> { [nameof(form.Name)] = new("Webhook.NameTaken") });
        }
    }

    /// <summary>
    /// Gives a subscription a new signing secret (shown once, like the first): from now on every message, the ones still waiting in the
    /// outbox included, is signed with it, so the receiver swaps its secret when the administrator hands it over. Audited.
    /// </summary>
    public async Task<string> RotateSecretAsync(Actor actor, int id, CancellationToken ct = default)
    {
        actor.Require(Access.Admin);
        var secret = NewSecret();
        await db.InTransactionAsync(async (conn, tx) =>
        {
            var n = await conn.ExecuteAsync(new CommandDefinition(
                "UPDATE webhook_subscriptions SET secret_protected = @secret, updated_at = @now WHERE id = @id",
                new { id, secret = _protector.Protect(secret), now = clock.GetUtcNow() }, tx, cancellationToken: ct));
            if (n == 0) throw new DomainException("NotFound");
            await audit.WriteAsync(conn, tx, actor, AuditLog.Actions.Update, "webhook", id.ToString(), "secret rotated", ct);
        }, ct);
        return secret;
    }

    /// <summary>The subscription a queued message goes to, with its secret (for the sender only).</summary>
    public async Task<WebhookEndpoint?> ForSendingAsync(int id, CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var row = await conn.QuerySingleOrDefaultAsync<(int Id, string Name, string Url, string SecretProtected, bool IsActive)>(new CommandDefinition(
            "SELECT id, name, url, secret_protected, is_active FROM webhook_subscriptions WHERE id = @id", new { id }, cancellationToken: ct));
        return row == default ? null : new WebhookEndpoint(row.Id, row.Name, row.Url, _protector.Unprotect(row.SecretProtected), row.IsActive);
    }
}

/// <summary>
/// The signature of a webhook (what a receiver checks): header <c>X-ServiceHub-Timestamp</c> (Unix seconds) and
/// <c>X-ServiceHub-Signature: v1={hex}</c>, hex = HMAC-SHA256(secret, "{timestamp}.{body}") over the exact bytes of the body. A
/// receiver recomputes it, compares in constant time, and refuses a timestamp more than five minutes from its clock (replays).
/// </summary>
public static class WebhookSignature
{
    public const string TimestampHeader = "X-ServiceHub-Timestamp";
    public const string SignatureHeader = "X-ServiceHub-Signature";
    public const string EventHeader = "X-ServiceHub-Event";
    public const string IdHeader = "X-ServiceHub-Delivery";
    public static readonly TimeSpan Tolerance = TimeSpan.FromMinutes(5);

    public static string Sign(string secret, long timestamp, ReadOnlySpan<byte> body)
    {
        var prefix = System.Text.Encoding.UTF8.GetBytes(timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture) + ".");
        var message = new byte[prefix.Length + body.Length];
        prefix.CopyTo(message, 0);
        body.CopyTo(message.AsSpan(prefix.Length));
        return "v1=" + Convert.ToHexStringLower(HMACSHA256.HashData(System.Text.Encoding.UTF8.GetBytes(secret), message));
    }

    /// <summary>The receiver's check: the signature matches (constant time) and the timestamp is within <see cref="Tolerance"/> of now.</summary>
    public static bool Verify(string secret, string? timestamp, string? signature, ReadOnlySpan<byte> body, DateTimeOffset now)
    {
        if (!long.TryParse(timestamp, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var ts) || signature is null) return false;
        if ((now - DateTimeOffset.FromUnixTimeSeconds(ts)).Duration() > Tolerance) return false;
        var expected = System.Text.Encoding.ASCII.GetBytes(Sign(secret, ts, body));
        var given = System.Text.Encoding.ASCII.GetBytes(signature);
        return CryptographicOperations.FixedTimeEquals(expected, given);
    }
}
