using System.Text.Json;
using Dapper;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Configuration;
using Npgsql;
using ServiceHub.Data.Admin;
using ServiceHub.Data.Infrastructure;

namespace ServiceHub.Data.Notifications;

/// <summary>The SMTP server and sender (<c>Notifications:Email</c>). <see cref="Password"/> is written, never shown again.</summary>
public sealed class EmailSettings
{
    public string Host { get; set; } = "";
    public int Port { get; set; } = 587;
    /// <summary><see cref="EmailSecurity"/>.</summary>
    public string Security { get; set; } = EmailSecurity.Auto;
    public string UserName { get; set; } = "";
    public string Password { get; set; } = "";
    public string From { get; set; } = "";
    public string FromName { get; set; } = "ServiceHub";
}

public static class EmailSecurity
{
    public const string Auto = "auto";
    public const string None = "none";
    public const string StartTls = "starttls";
    public const string SslOnConnect = "ssl";
    public static readonly IReadOnlyList<string> All = [Auto, None, StartTls, SslOnConnect];
}

/// <summary>The SMS provider (<c>Notifications:Sms</c>): "log" writes the message to the log (development), "aliyun" sends by Aliyun SMS.</summary>
public sealed class SmsSettings
{
    public string Provider { get; set; } = SmsProviders.LogOnly;
    public string AccessKeyId { get; set; } = "";
    public string AccessKeySecret { get; set; } = "";
    /// <summary>The approved signature (短信签名).</summary>
    public string SignName { get; set; } = "";
    /// <summary>The approved template (模板 CODE) with the variables <c>${title}</c>, <c>${ref}</c> and <c>${link}</c>.</summary>
    public string TemplateCode { get; set; } = "";
    public string Endpoint { get; set; } = "https://dysmsapi.aliyuncs.com/";
    public string RegionId { get; set; } = "cn-hangzhou";
}

public static class SmsProviders
{
    public const string LogOnly = "log";
    public const string Aliyun = "aliyun";
    public static readonly IReadOnlyList<string> All = [LogOnly, Aliyun];
}

/// <summary>A channel's settings as the admin page shows them: secrets only as "set" or not; read-only when set by the environment.</summary>
public sealed record ChannelView<T>(T Settings, bool SecretSet, bool FromConfiguration, DateTimeOffset? UpdatedAt, string? UpdatedBy);

/// <summary>A robot as the admin page shows it: the webhook only as a hint.</summary>
public sealed record RobotView(
    int Id, string Name, string Kind, int? DepartmentId, string? DepartmentName, string WebhookHint, bool SecretSet, bool IsActive, bool FromConfiguration);

/// <summary>A robot as the admin page saves it; a blank webhook or secret keeps the one saved.</summary>
public sealed class RobotForm
{
    public int? Id { get; set; }
    public string Name { get; set; } = "";
    public string Kind { get; set; } = NotificationChannels.WeCom;
    public int? DepartmentId { get; set; }
    public string Webhook { get; set; } = "";
    public string Secret { get; set; } = "";
    public bool IsActive { get; set; } = true;
}

/// <summary>A robot as its sender needs it: the webhook address and signing secret in clear.</summary>
public sealed record RobotEndpoint(int Id, string Name, string Kind, string Webhook, string? Secret, bool IsActive);

/// <summary>
/// The channels' settings (issue #13 point 1): saved on the admin page (secrets encrypted with ASP.NET Core Data Protection, never
/// shown again) or set by environment variables (<c>Notifications__Email__Host</c> …), which then win and make the page read-only.
/// Robots in the configuration (<c>Notifications__Robots__0__Name</c> …) are written to the table at start-up.
/// </summary>
public sealed class ChannelSettings(NpgsqlDataSource db, IDataProtectionProvider protection, IConfiguration configuration, AuditLog audit, TimeProvider clock)
{
    private readonly IDataProtector _protector = protection.CreateProtector("ServiceHub.Notifications.Secrets");

    public const int HostMax = 200, UserNameMax = 200, SecretMax = 200, FromNameMax = 100, KeyIdMax = 100, SignNameMax = 50,
        TemplateCodeMax = 50, UrlMax = 500, RobotNameMax = 100;

    private IConfigurationSection EmailSection => configuration.GetSection("Notifications:Email");
    private IConfigurationSection SmsSection => configuration.GetSection("Notifications:Sms");

    /// <summary>Whether e-mail is configured by the environment (<c>Notifications:Email:Host</c> set).</summary>
    public bool EmailFromConfiguration => !string.IsNullOrWhiteSpace(EmailSection["Host"]);

    /// <summary>Whether SMS is configured by the environment (<c>Notifications:Sms:Provider</c> set).</summary>
    public bool SmsFromConfiguration => !string.IsNullOrWhiteSpace(SmsSection["Provider"]);

    public async Task<ChannelView<EmailSettings>> EmailAsync(Actor actor, CancellationToken ct = default)
    {
        actor.Require(Roles.Admin);
        if (EmailFromConfiguration)
        {
            var s = EmailSection.Get<EmailSettings>() ?? new();
            var secretSet = s.Password.Length > 0;
            s.Password = "";
            return new(s, secretSet, true, null, null);
        }
        var row = await RowAsync("email", ct);
        var saved = row is null ? new EmailSettings() : JsonSerializer.Deserialize<EmailSettings>(row.Settings)!;
        saved.Password = "";
        return new(saved, row?.SecretProtected is not null, false, row?.UpdatedAt, row?.UpdatedBy);
    }

    public async Task<ChannelView<SmsSettings>> SmsAsync(Actor actor, CancellationToken ct = default)
    {
        actor.Require(Roles.Admin);
        if (SmsFromConfiguration)
        {
            var s = SmsSection.Get<SmsSettings>() ?? new();
            var secretSet = s.AccessKeySecret.Length > 0;
            s.AccessKeySecret = "";
            return new(s, secretSet, true, null, null);
        }
        var row = await RowAsync("sms", ct);
        var saved = row is null ? new SmsSettings() : JsonSerializer.Deserialize<SmsSettings>(row.Settings)!;
        saved.AccessKeySecret = "";
        return new(saved, row?.SecretProtected is not null, false, row?.UpdatedAt, row?.UpdatedBy);
    }

    /// <summary>Saves the SMTP settings; a blank password keeps the one saved. Refused while the environment sets them.</summary>
    public async Task SaveEmailAsync(Actor actor, EmailSettings s, CancellationToken ct = default)
    {
        actor.Require(Roles.Admin);
        if (EmailFromConfiguration) throw new DomainException("Notifications.SetByEnvironment");
        var errors = new Dictionary<string, FieldError>();
        TextInput.Check(errors, nameof(s.Host), s.Host, HostMax);
        if (s.Port is < 1 or > 65535) errors[nameof(s.Port)] = new("Notifications.PortInvalid");
        if (!EmailSecurity.All.Contains(s.Security)) errors[nameof(s.Security)] = new("Validation.Required");
        TextInput.Check(errors, nameof(s.UserName), s.UserName, UserNameMax, required: false);
        TextInput.Check(errors, nameof(s.Password), s.Password, SecretMax, required: false);
        if (NotificationAddresses.Check(s.From, null).TryGetValue("Email", out var fromError)) errors[nameof(s.From)] = fromError;
        else if (string.IsNullOrWhiteSpace(s.From)) errors[nameof(s.From)] = new("Validation.Required");
        TextInput.Check(errors, nameof(s.FromName), s.FromName, FromNameMax, required: false);
        if (errors.Count > 0) throw new ValidationFailedException(errors);
        var clean = new EmailSettings
        {
            Host = s.Host.Trim(), Port = s.Port, Security = s.Security, UserName = s.UserName.Trim(), From = s.From.Trim(), FromName = s.FromName.Trim(),
        };
        await SaveRowAsync(actor, "email", JsonSerializer.Serialize(clean), s.Password, $"{clean.Host}:{clean.Port} {clean.Security} from {clean.From}", ct);
    }

    /// <summary>Saves the SMS provider; a blank secret keeps the one saved. Refused while the environment sets it.</summary>
    public async Task SaveSmsAsync(Actor actor, SmsSettings s, CancellationToken ct = default)
    {
        actor.Require(Roles.Admin);
        if (SmsFromConfiguration) throw new DomainException("Notifications.SetByEnvironment");
        var errors = new Dictionary<string, FieldError>();
        if (!SmsProviders.All.Contains(s.Provider)) errors[nameof(s.Provider)] = new("Validation.Required");
        var aliyun = s.Provider == SmsProviders.Aliyun;
        if (aliyun)
        {
            TextInput.Check(errors, nameof(s.AccessKeyId), s.AccessKeyId, KeyIdMax);
            TextInput.Check(errors, nameof(s.SignName), s.SignName, SignNameMax);
            TextInput.Check(errors, nameof(s.TemplateCode), s.TemplateCode, TemplateCodeMax);
            if (!IsHttpUrl(s.Endpoint, UrlMax)) errors[nameof(s.Endpoint)] = new("Notifications.UrlInvalid");
            TextInput.Check(errors, nameof(s.RegionId), s.RegionId, KeyIdMax);
        }
        TextInput.Check(errors, nameof(s.AccessKeySecret), s.AccessKeySecret, SecretMax, required: false);
        if (errors.Count > 0) throw new ValidationFailedException(errors);
        var clean = new SmsSettings
        {
            Provider = s.Provider, AccessKeyId = s.AccessKeyId.Trim(), SignName = s.SignName.Trim(), TemplateCode = s.TemplateCode.Trim(),
            Endpoint = aliyun ? s.Endpoint.Trim() : new SmsSettings().Endpoint, RegionId = aliyun ? s.RegionId.Trim() : new SmsSettings().RegionId,
        };
        await SaveRowAsync(actor, "sms", JsonSerializer.Serialize(clean), s.AccessKeySecret, $"{clean.Provider} key={clean.AccessKeyId} sign={clean.SignName} template={clean.TemplateCode}", ct);
    }

    public async Task<IReadOnlyList<RobotView>> RobotsAsync(Actor actor, CancellationToken ct = default)
    {
        actor.Require(Roles.Admin);
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<RobotView>(new CommandDefinition("""
            SELECT r.id, r.name, r.kind, r.department_id, d.name AS department_name, r.webhook_hint, r.secret_protected IS NOT NULL AS secret_set,
                   r.is_active, r.from_configuration
            FROM notification_robots r LEFT JOIN departments d ON d.id = r.department_id
            ORDER BY d.name NULLS LAST, r.name
            """, cancellationToken: ct))).AsList();
    }

    /// <summary>Adds or changes a robot (not one from the configuration). A blank webhook or secret keeps the saved one. Returns its id.</summary>
    public async Task<int> SaveRobotAsync(Actor actor, RobotForm f, CancellationToken ct = default)
    {
        actor.Require(Roles.Admin);
        var errors = new Dictionary<string, FieldError>();
        TextInput.Check(errors, nameof(f.Name), f.Name, RobotNameMax);
        if (!NotificationChannels.RobotKinds.Contains(f.Kind)) errors[nameof(f.Kind)] = new("Validation.Required");
        if (f.Id is null && string.IsNullOrWhiteSpace(f.Webhook)) errors[nameof(f.Webhook)] = new("Validation.Required");
        else if (!string.IsNullOrWhiteSpace(f.Webhook) && !IsHttpUrl(f.Webhook, UrlMax)) errors[nameof(f.Webhook)] = new("Notifications.UrlInvalid");
        TextInput.Check(errors, nameof(f.Secret), f.Secret, SecretMax, required: false);
        if (errors.Count > 0) throw new ValidationFailedException(errors);
        var webhook = Blank(f.Webhook);
        var secret = Blank(f.Secret);
        var args = new
        {
            f.Id, Name = f.Name.Trim(), f.Kind, f.DepartmentId, f.IsActive, now = clock.GetUtcNow(), by = actor.UserName,
            webhook = webhook is null ? null : _protector.Protect(webhook), hint = webhook is null ? null : Hint(webhook),
            secret = secret is null ? null : _protector.Protect(secret),
        };
        return await db.InTransactionAsync(async (conn, tx) =>
        {
            int id;
            try
            {
                id = f.Id is null
                    ? await conn.ExecuteScalarAsync<int>(new CommandDefinition("""
                        INSERT INTO notification_robots (name, kind, department_id, webhook_protected, webhook_hint, secret_protected, is_active, updated_at, updated_by)
                        VALUES (@Name, @Kind, @DepartmentId, @webhook, @hint, @secret, @IsActive, @now, @by) RETURNING id
                        """, args, tx, cancellationToken: ct))
                    : await conn.ExecuteScalarAsync<int?>(new CommandDefinition("""
                        UPDATE notification_robots SET name = @Name, kind = @Kind, department_id = @DepartmentId, is_active = @IsActive,
                            webhook_protected = coalesce(@webhook, webhook_protected), webhook_hint = coalesce(@hint, webhook_hint),
                            secret_protected = coalesce(@secret, secret_protected), updated_at = @now, updated_by = @by
                        WHERE id = @Id AND NOT from_configuration RETURNING id
                        """, args, tx, cancellationToken: ct)) ?? throw new DomainException("Notifications.SetByEnvironment");
            }
            catch (PostgresException ex) when (Db.IsUniqueViolation(ex))
            {
                throw new ValidationFailedException(new Dictionary<string, FieldError> { [nameof(f.Name)] = new("Notifications.RobotNameTaken") });
            }
            await audit.WriteAsync(conn, tx, actor, f.Id is null ? AuditLog.Actions.Create : AuditLog.Actions.Update, "notification_robot", id.ToString(),
                $"{args.Name} {f.Kind} dept={f.DepartmentId} active={f.IsActive} webhook={(webhook is null ? "kept" : args.hint)} secret={(secret is null ? "kept" : "new")}", ct);
            return id;
        }, ct);
    }

    /// <summary>
    /// Writes the robots named in the configuration (<c>Notifications:Robots:N:Name/Kind/Department/Webhook/Secret</c>, Department by
    /// code) to the table, marked as from the configuration; at every start, so a changed environment takes effect.
    /// </summary>
    public async Task<int> SyncConfiguredRobotsAsync(CancellationToken ct = default)
    {
        var robots = configuration.GetSection("Notifications:Robots").GetChildren()
            .Select(c => (Name: c["Name"]?.Trim() ?? "", Kind: c["Kind"]?.Trim().ToLowerInvariant() ?? "", Department: c["Department"]?.Trim(),
                          Webhook: c["Webhook"]?.Trim() ?? "", Secret: Blank(c["Secret"]?.Trim())))
            .Where(r => r.Name.Length is > 0 and <= RobotNameMax && NotificationChannels.RobotKinds.Contains(r.Kind) && IsHttpUrl(r.Webhook, UrlMax))
            .ToList();
        if (robots.Count == 0) return 0;
        var now = clock.GetUtcNow();
        await using var conn = await db.OpenConnectionAsync(ct);
        foreach (var r in robots)
            await conn.ExecuteAsync(new CommandDefinition("""
                INSERT INTO notification_robots (name, kind, department_id, webhook_protected, webhook_hint, secret_protected, is_active, from_configuration, updated_at, updated_by)
                VALUES (@Name, @Kind, (SELECT id FROM departments WHERE code = @Department), @webhook, @hint, @secret, true, true, @now, 'configuration')
                ON CONFLICT (name) DO UPDATE SET kind = EXCLUDED.kind, department_id = EXCLUDED.department_id, webhook_protected = EXCLUDED.webhook_protected,
                    webhook_hint = EXCLUDED.webhook_hint, secret_protected = EXCLUDED.secret_protected, is_active = true, from_configuration = true,
                    updated_at = EXCLUDED.updated_at, updated_by = EXCLUDED.updated_by
                """, new
                {
                    r.Name, r.Kind, r.Department, webhook = _protector.Protect(r.Webhook), hint = Hint(r.Webhook),
                    secret = r.Secret is null ? null : _protector.Protect(r.Secret), now,
                }, cancellationToken: ct));
        return robots.Count;
    }

    /// <summary>The SMTP settings in clear for the sender; null when e-mail is not configured.</summary>
    public async Task<EmailSettings?> EmailForSendingAsync(CancellationToken ct = default)
    {
        if (EmailFromConfiguration) return EmailSection.Get<EmailSettings>();
        var row = await RowAsync("email", ct);
        if (row is null) return null;
        var s = JsonSerializer.Deserialize<EmailSettings>(row.Settings)!;
        s.Password = row.SecretProtected is null ? "" : _protector.Unprotect(row.SecretProtected);
        return s;
    }

    /// <summary>The SMS settings in clear for the sender; the log-only provider when nothing is configured.</summary>
    public async Task<SmsSettings> SmsForSendingAsync(CancellationToken ct = default)
    {
        if (SmsFromConfiguration) return SmsSection.Get<SmsSettings>() ?? new();
        var row = await RowAsync("sms", ct);
        if (row is null) return new SmsSettings();
        var s = JsonSerializer.Deserialize<SmsSettings>(row.Settings)!;
        s.AccessKeySecret = row.SecretProtected is null ? "" : _protector.Unprotect(row.SecretProtected);
        return s;
    }

    /// <summary>A robot in clear for its sender; null when there is no such robot.</summary>
    public async Task<RobotEndpoint?> RobotForSendingAsync(int id, CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var r = await conn.QuerySingleOrDefaultAsync<(int Id, string Name, string Kind, string WebhookProtected, string? SecretProtected, bool IsActive)>(
            new CommandDefinition("SELECT id, name, kind, webhook_protected, secret_protected, is_active FROM notification_robots WHERE id = @id",
                new { id }, cancellationToken: ct));
        if (r.Name is null) return null;
        return new RobotEndpoint(r.Id, r.Name, r.Kind, _protector.Unprotect(r.WebhookProtected),
            r.SecretProtected is null ? null : _protector.Unprotect(r.SecretProtected), r.IsActive);
    }

    /// <summary>A webhook address as the page shows it: its host and the last four characters (the key or token is the secret).</summary>
    public static string Hint(string url)
    {
        var host = Uri.TryCreate(url, UriKind.Absolute, out var u) ? u.Authority : "";
        var tail = url.Length >= 4 ? url[^4..] : url;
        return $"{host} …{tail}";
    }

    private sealed record SettingsRow(string Settings, string? SecretProtected, DateTimeOffset UpdatedAt, string UpdatedBy);

    private async Task<SettingsRow?> RowAsync(string channel, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.QuerySingleOrDefaultAsync<SettingsRow>(new CommandDefinition(
            "SELECT settings::text AS settings, secret_protected, updated_at, updated_by FROM notification_channel_settings WHERE channel = @channel",
            new { channel }, cancellationToken: ct));
    }

    private async Task SaveRowAsync(Actor actor, string channel, string settingsJson, string? secret, string details, CancellationToken ct)
    {
        var protectedSecret = string.IsNullOrEmpty(secret) ? null : _protector.Protect(secret);
        await db.InTransactionAsync(async (conn, tx) =>
        {
            await conn.ExecuteAsync(new CommandDefinition("""
                INSERT INTO notification_channel_settings (channel, settings, secret_protected, updated_at, updated_by)
                VALUES (@channel, @settingsJson::jsonb, @protectedSecret, @now, @by)
                ON CONFLICT (channel) DO UPDATE SET settings = EXCLUDED.settings,
                    secret_protected = coalesce(EXCLUDED.secret_protected, notification_channel_settings.secret_protected),
                    updated_at = EXCLUDED.updated_at, updated_by = EXCLUDED.updated_by
                """, new { channel, settingsJson, protectedSecret, now = clock.GetUtcNow(), by = actor.UserName }, tx, cancellationToken: ct));
            await audit.WriteAsync(conn, tx, actor, AuditLog.Actions.Update, "notification_channel", channel,
                details + (protectedSecret is null ? " secret=kept" : " secret=new"), ct);
        }, ct);
    }

    private static bool IsHttpUrl(string? value, int max) =>
        !string.IsNullOrWhiteSpace(value) && value.Trim().Length <= max && Uri.TryCreate(value.Trim(), UriKind.Absolute, out var u)
        && (u.Scheme == Uri.UriSchemeHttps || u.Scheme == Uri.UriSchemeHttp);

    private static string? Blank(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();
}
