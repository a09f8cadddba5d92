using System.Text.RegularExpressions;
using Dapper;
using Npgsql;
using ServiceHub.Data.Admin;
using ServiceHub.Data.Infrastructure;

namespace ServiceHub.Data.Notifications;

/// <summary>One event kind × channel: whether it is on for the person, and whether that is the default or their own choice.</summary>
public sealed record NotificationChoice(string EventKind, string Channel, bool Enabled, bool IsDefault);

/// <summary>A robot a person may choose to be reached through.</summary>
public sealed record RobotOption(int Id, string Name, string Kind, int? DepartmentId, string? DepartmentName);

/// <summary>A person's notification settings: where they are reached, and which channels each event kind uses.</summary>
public sealed record MyNotificationSettings(
    string? Email, string? Mobile, int? RobotId, RobotOption? DepartmentRobot, IReadOnlyList<RobotOption> Robots, IReadOnlyList<NotificationChoice> Choices);

/// <summary>What the "my notifications" page saves.</summary>
public sealed class NotificationSettingsForm
{
    public string Email { get; set; } = "";
    public string Mobile { get; set; } = "";
    /// <summary>Null: the first active robot of the person's department.</summary>
    public int? RobotId { get; set; }
    /// <summary>The channels per event kind; a pair missing keeps the default.</summary>
    public List<NotificationChoice> Choices { get; set; } = [];
}

/// <summary>A person's addresses as the administrator's overview shows them (the mobile masked: private data).</summary>
public sealed record ContactOverview(int UserId, string UserName, string DisplayName, string? DepartmentName, string? Email, string MobileMasked, string? RobotName);

/// <summary>
/// Who gets what (issue #13 point 2): each person's e-mail, mobile and robot, and per event kind their channels over the administrator's
/// defaults. A person edits their own; an administrator edits the defaults and anyone's addresses.
/// </summary>
public static partial class NotificationAddresses
{
    public const int EmailMax = 200;

    [GeneratedRegex(@"^[^@\s]+@[^@\s]+\.[^@\s]+$")]
    private static partial Regex EmailPattern();

    [GeneratedRegex(@"^1[3-9]\d{9}$")]
    private static partial Regex MobilePattern();

    /// <summary>Every refused field of the addresses (empty = valid). Blank means "none".</summary>
    public static Dictionary<string, FieldError> Check(string? email, string? mobile)
    {
        var errors = new Dictionary<string, FieldError>();
        var e = (email ?? "").Trim();
        if (e.Length > EmailMax) errors["Email"] = new("Validation.TooLong", EmailMax);
        else if (e.Length > 0 && !EmailPattern().IsMatch(e)) errors["Email"] = new("Notifications.EmailInvalid");
        var m = PhoneNumbers.Normalize(mobile);
        if (m.Length > 0 && !MobilePattern().IsMatch(m)) errors["Mobile"] = new("Notifications.MobileInvalid");
        return errors;
    }
}

public sealed class NotificationPreferences(NpgsqlDataSource db, AuditLog audit, TimeProvider clock)
{
    private const string ChoicesSql = """
        SELECT d.event_kind, d.channel, coalesce(c.enabled, d.enabled) AS enabled, c.enabled IS NULL AS is_default
        FROM notification_defaults d
        LEFT JOIN notification_choices c ON c.event_kind = d.event_kind AND c.channel = d.channel AND c.user_id = @userId
        """;

    private const string RobotsSql = """
        SELECT r.id, r.name, r.kind, r.department_id, d.name AS department_name
        FROM notification_robots r LEFT JOIN departments d ON d.id = r.department_id
        WHERE r.is_active ORDER BY d.name NULLS LAST, r.name
        """;

    /// <summary>The signed-in person's own settings.</summary>
    public Task<MyNotificationSettings> GetMineAsync(Actor actor, CancellationToken ct = default) =>
        SettingsAsync(actor.Id, maskMobile: false, withChoices: true, ct);

    /// <summary>One person's addresses, the robots to choose from with the person's department robot, and (when asked) their choices.</summary>
    private async Task<MyNotificationSettings> SettingsAsync(int userId, bool maskMobile, bool withChoices, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var contact = await conn.QuerySingleOrDefaultAsync<(string? Email, string? Mobile, int? RobotId)>(new CommandDefinition(
            "SELECT email, mobile, robot_id FROM user_notification_contacts WHERE user_id = @userId", new { userId }, cancellationToken: ct));
        var robots = (await conn.QueryAsync<RobotOption>(new CommandDefinition(RobotsSql, cancellationToken: ct))).AsList();
        var departmentId = await conn.ExecuteScalarAsync<int?>(new CommandDefinition("SELECT department_id FROM users WHERE id = @userId", new { userId }, cancellationToken: ct));
        var choices = withChoices
            ? Ordered((await conn.QueryAsync<NotificationChoice>(new CommandDefinition(ChoicesSql, new { userId }, cancellationToken: ct))).AsList())
            : [];
        var mobile = maskMobile && contact.Mobile is not null ? Masking.Phone(contact.Mobile) : contact.Mobile;
        return new MyNotificationSettings(contact.Email, mobile, contact.RobotId,
            robots.Where(r => r.DepartmentId == departmentId && departmentId is not null).MinBy(r => r.Id), robots, choices);
    }

    /// <summary>Saves the person's own addresses and choices; a choice equal to the default is stored as "default" (follows later changes).</summary>
    public Task SaveMineAsync(Actor actor, NotificationSettingsForm form, CancellationToken ct = default) =>
        SaveAsync(actor, actor.Id, form, includeChoices: true, ct);

    /// <summary>
    /// A person's addresses for the administrator's edit (their mobile masked: a blank mobile on saving keeps it), with the robots to
    /// choose from and the person's department robot.
    /// </summary>
    public Task<MyNotificationSettings> GetContactAsync(Actor actor, int userId, CancellationToken ct = default)
    {
        actor.Require(Roles.Admin);
        return SettingsAsync(userId, maskMobile: true, withChoices: false, ct);
    }

    /// <summary>
    /// An administrator sets a person's addresses (e.g. for someone without a screen at hand). The administrator sees the mobile masked, so a
    /// blank mobile keeps the one on record; the person's own channel choices are theirs and stay.
    /// </summary>
    public Task SaveContactAsync(Actor actor, int userId, NotificationSettingsForm form, CancellationToken ct = default)
    {
        actor.Require(Roles.Admin);
        return SaveAsync(actor, userId, form, includeChoices: false, ct);
    }

    private async Task SaveAsync(Actor actor, int userId, NotificationSettingsForm form, bool includeChoices, CancellationToken ct)
    {
        var errors = NotificationAddresses.Check(form.Email, form.Mobile);
        if (errors.Count > 0) throw new ValidationFailedException(errors);
        var email = Blank(form.Email?.Trim());
        var mobile = Blank(PhoneNumbers.Normalize(form.Mobile));
        var keepMobile = !includeChoices && mobile is null;
        var now = clock.GetUtcNow();
        await db.InTransactionAsync(async (conn, tx) =>
        {
            if (!await conn.ExecuteScalarAsync<bool>(new CommandDefinition(
                    "SELECT EXISTS (SELECT 1 FROM users WHERE id = @userId AND is_active AND NOT is_integration)", new { userId }, tx, cancellationToken: ct)))
                throw new DomainException("NotFound");
            if (keepMobile)
                mobile = await conn.ExecuteScalarAsync<string?>(new CommandDefinition(
                    "SELECT mobile FROM user_notification_contacts WHERE user_id = @userId FOR UPDATE", new { userId }, tx, cancellationToken: ct));
            if (form.RobotId is { } robotId && !await conn.ExecuteScalarAsync<bool>(new CommandDefinition(
                    "SELECT EXISTS (SELECT 1 FROM notification_robots WHERE id = @robotId AND is_active)", new { robotId }, tx, cancellationToken: ct)))
                throw new ValidationFailedException(new Dictionary<string, FieldError> { ["RobotId"] = new("Validation.Required") });
            await conn.ExecuteAsync(new CommandDefinition("""
                INSERT INTO user_notification_contacts (user_id, email, mobile, robot_id, updated_at) VALUES (@userId, @email, @mobile, @RobotId, @now)
                ON CONFLICT (user_id) DO UPDATE SET email = EXCLUDED.email, mobile = EXCLUDED.mobile, robot_id = EXCLUDED.robot_id, updated_at = EXCLUDED.updated_at
                """, new { userId, email, mobile, form.RobotId, now }, tx, cancellationToken: ct));
            if (includeChoices)
            {
                var known = form.Choices.Where(c => NotificationEvents.All.Contains(c.EventKind) && NotificationChannels.Personal.Contains(c.Channel)).ToList();
                // A choice equal to the default is no choice: the person follows the default (and its later changes).
                await conn.ExecuteAsync(new CommandDefinition("""
                    DELETE FROM notification_choices c USING notification_defaults d
                    WHERE c.user_id = @userId AND d.event_kind = c.event_kind AND d.channel = c.channel
                    """, new { userId }, tx, cancellationToken: ct));
                await conn.ExecuteAsync(new CommandDefinition("""
                    INSERT INTO notification_choices (user_id, event_kind, channel, enabled)
                    SELECT @userId, x.event_kind, x.channel, x.enabled
                    FROM unnest(@kinds, @channels, @enabled) AS x(event_kind, channel, enabled)
                    JOIN notification_defaults d ON d.event_kind = x.event_kind AND d.channel = x.channel AND d.enabled <> x.enabled
                    """, new
                    {
                        userId, kinds = known.Select(c => c.EventKind).ToArray(), channels = known.Select(c => c.Channel).ToArray(),
                        enabled = known.Select(c => c.Enabled).ToArray(),
                    }, tx, cancellationToken: ct));
            }
            await audit.WriteAsync(conn, tx, actor, AuditLog.Actions.Update, "notification_settings", userId.ToString(),
                $"email={(email is null ? "none" : "set")} mobile={(mobile is null ? "none" : Masking.Phone(mobile))} robot={form.RobotId?.ToString() ?? "department"}", ct);
        }, ct);
    }

    /// <summary>The administrator's defaults per event kind and channel.</summary>
    public async Task<IReadOnlyList<NotificationChoice>> DefaultsAsync(Actor actor, CancellationToken ct = default)
    {
        actor.Require(Roles.Admin);
        await using var conn = await db.OpenConnectionAsync(ct);
        return Ordered((await conn.QueryAsync<NotificationChoice>(new CommandDefinition(
            "SELECT event_kind, channel, enabled, true AS is_default FROM notification_defaults", cancellationToken: ct))).AsList());
    }

    /// <summary>Saves the defaults; people who made no choice of their own follow them at once.</summary>
    public async Task SaveDefaultsAsync(Actor actor, IReadOnlyList<NotificationChoice> defaults, CancellationToken ct = default)
    {
        actor.Require(Roles.Admin);
        await db.InTransactionAsync(async (conn, tx) =>
        {
            await conn.ExecuteAsync(new CommandDefinition("""
                UPDATE notification_defaults d SET enabled = x.enabled
                FROM unnest(@kinds, @channels, @enabled) AS x(event_kind, channel, enabled)
                WHERE d.event_kind = x.event_kind AND d.channel = x.channel
                """, new
                {
                    kinds = defaults.Select(c => c.EventKind).ToArray(), channels = defaults.Select(c => c.Channel).ToArray(),
                    enabled = defaults.Select(c => c.Enabled).ToArray(),
                }, tx, cancellationToken: ct));
            await audit.WriteAsync(conn, tx, actor, AuditLog.Actions.Update, "notification_defaults", "",
                string.Join(" ", defaults.Where(d => d.Enabled).Select(d => $"{d.EventKind}:{d.Channel}")), ct);
        }, ct);
    }

    /// <summary>Everyone's addresses for the administrator, mobiles masked.</summary>
    public async Task<IReadOnlyList<ContactOverview>> ContactsAsync(Actor actor, CancellationToken ct = default)
    {
        actor.Require(Roles.Admin);
        await using var conn = await db.OpenConnectionAsync(ct);
        var rows = await conn.QueryAsync<ContactOverview>(new CommandDefinition("""
            SELECT u.id AS user_id, u.user_name, u.display_name, d.name AS department_name, c.email, coalesce(c.mobile, '') AS mobile_masked,
                   coalesce(r.name, dr.name) AS robot_name
            FROM users u
            LEFT JOIN departments d ON d.id = u.department_id
            LEFT JOIN user_notification_contacts c ON c.user_id = u.id
            LEFT JOIN notification_robots r ON r.id = c.robot_id
            LEFT JOIN LATERAL (SELECT x.name FROM notification_robots x WHERE x.department_id = u.department_id AND x.is_active ORDER BY x.id LIMIT 1) dr
                   ON c.robot_id IS NULL
            WHERE u.is_active
            ORDER BY d.name NULLS LAST, u.display_name
            """, cancellationToken: ct));
        return rows.Select(r => r with { MobileMasked = Masking.Phone(r.MobileMasked) }).ToList();
    }

    private static List<NotificationChoice> Ordered(IEnumerable<NotificationChoice> choices) =>
        choices.OrderBy(c => IndexOf(NotificationEvents.All, c.EventKind)).ThenBy(c => IndexOf(NotificationChannels.Personal, c.Channel)).ToList();

    private static int IndexOf(IReadOnlyList<string> list, string value)
    {
        for (var i = 0; i < list.Count; i++) if (list[i] == value) return i;
        return int.MaxValue;
    }

    private static string? Blank(string? s) => string.IsNullOrEmpty(s) ? null : s;
}
