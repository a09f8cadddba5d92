using Dapper;
using Npgsql;
using ServiceHub.Data.Admin;
using ServiceHub.Data.Infrastructure;
using ServiceHub.Data.Intake;
using ServiceHub.Data.ReturnVisits;

namespace ServiceHub.Data.Integrations;

/// <summary>What the telephone system (CTI) says of a call ringing at an agent's extension.</summary>
public sealed class CallReport
{
    /// <summary>The caller's number as the exchange delivers it (digits, optionally + and -).</summary>
    public string CallerNumber { get; set; } = "";
    /// <summary>The extension that rings (分机号).</summary>
    public string Extension { get; set; } = "";
    /// <summary>When the call started; now when not given.</summary>
    public DateTimeOffset? StartedAt { get; set; }
    /// <summary>The CTI's own id of the call: announcing the same call again changes nothing.</summary>
    public string? CallId { get; set; }
}

/// <summary>A call recorded: whom it pops up for (null: no agent is at that extension) and whose number it is (null: a new caller).</summary>
public sealed record CallRecorded(long CallId, int? AgentId, int? CustomerId, DateTimeOffset StartedAt, string CallerPhoneMasked, string? CustomerName);

/// <summary>The caller's dossier on the agent's screen: who it is, their house, open complaints, last contacts, pending return visits.</summary>
public sealed record CallDossier(long CallId, DateTimeOffset StartedAt, string CallerPhoneMasked, int? CustomerId, string? CustomerName, string? Address,
    IReadOnlyList<ComplaintBrief> OpenComplaints, IReadOnlyList<ContactSummary> LastContacts, IReadOnlyList<CustomerReturnVisit> PendingReturnVisits)
{
    public bool IsNewCaller => CustomerId is null;
}

/// <summary>
/// Screen pop (issue #13 point 9): the CTI announces a call (its integration account acts as the call centre, <see cref="Access.Intake"/>);
/// the call is recorded with the agent signed in at that extension and the customer whose phone it is; the agent's screen then reads
/// the dossier (<see cref="DossierAsync"/>, the agent's own calls only) and the intake form registers the contact with the call and its
/// start time (<see cref="IntakeForm.CallId"/>).
/// </summary>
public sealed class CallRepository(NpgsqlDataSource db, TimeProvider clock, IntakeRepository intake, CustomerRepository customers, CustomerReturnVisits visits)
{
    public const int ExternalIdMax = 64;
    /// <summary>How far a call's stated start may lie from now (a CTI's clock off by more is ignored: the call starts now).</summary>
    public static readonly TimeSpan StartTolerance = TimeSpan.FromHours(12);
    /// <summary>How many earlier contacts the pop-up shows.</summary>
    public const int LastContacts = 5;

    private static readonly System.Text.RegularExpressions.Regex Number = new(@"^\+?[0-9-]{3,20}$");
    private static readonly System.Text.RegularExpressions.Regex ExtensionShape = new(@"^[0-9]{2,8}$");

    public static bool IsExtension(string? s) => s is not null && ExtensionShape.IsMatch(s);

    public static IReadOnlyDictionary<string, FieldError> Validate(CallReport r)
    {
        var e = new Dictionary<string, FieldError>();
        var number = PhoneNumbers.Normalize(r.CallerNumber);
        if (number.Length == 0) e[nameof(r.CallerNumber)] = new("Validation.Required");
        else if (!Number.IsMatch(number)) e[nameof(r.CallerNumber)] = new("Validation.Phone");
        if (string.IsNullOrWhiteSpace(r.Extension)) e[nameof(r.Extension)] = new("Validation.Required");
        else if (!IsExtension(r.Extension.Trim())) e[nameof(r.Extension)] = new("User.ExtensionInvalid");
        if (r.CallId is not null) TextInput.Check(e, nameof(r.CallId), r.CallId, ExternalIdMax);
        return e;
    }

    /// <summary>
    /// Records a call announced by the CTI key <paramref name="actor"/> acts for: the agent whose extension it is (active accounts only)
    /// and the customer whose phone or second phone is the full number (the most recently contacted of several). A call announced again
    /// (same <see cref="CallReport.CallId"/>) is the same row.
    /// </summary>
    public async Task<CallRecorded> RecordAsync(Actor actor, CallReport report, CancellationToken ct = default)
    {
        actor.Require(Access.Intake);
        var errors = Validate(report);
        if (errors.Count > 0) throw new ValidationFailedException(errors);
        var now = clock.GetUtcNow();
        var startedAt = report.StartedAt?.ToUniversalTime() is { } s && (s - now).Duration() <= StartTolerance ? s : now;
        var number = CustomerPhones.Digits(report.CallerNumber);
        await using var conn = await db.OpenConnectionAsync(ct);
        var row = await conn.QuerySingleOrDefaultAsync<(long Id, int? AgentId, int? CustomerId, DateTimeOffset StartedAt, string? CustomerName)>(new CommandDefinition($"""
            WITH key AS (
                SELECT id FROM api_keys WHERE user_id = @actorId
            ), agent AS (
                SELECT id FROM users WHERE is_active AND extension = @extension
            ), customer AS (
                SELECT c.id FROM customers c
                WHERE {CustomerPhones.IsFullNumber}
                ORDER BY (SELECT max(received_at) FROM contacts ct WHERE ct.customer_id = c.id) DESC NULLS LAST, c.id
                LIMIT 1
            ), saved AS (
                INSERT INTO cti_calls (api_key_id, external_id, caller_phone, extension, agent_id, customer_id, started_at, received_at)
                SELECT key.id, @externalId, @number, @extension, (SELECT id FROM agent), (SELECT id FROM customer), @startedAt, @now FROM key
                ON CONFLICT (api_key_id, external_id) DO UPDATE SET external_id = EXCLUDED.external_id
                RETURNING id, agent_id, customer_id, started_at
            )
            SELECT s.id, s.agent_id, s.customer_id, s.started_at, c.name AS customer_name
            FROM saved s LEFT JOIN customers c ON c.id = s.customer_id
            """, new { actorId = actor.Id, extension = report.Extension.Trim(), number, externalId = report.CallId?.Trim(), startedAt, now }, cancellationToken: ct));
        // Only an API key's integration account announces calls.
        if (row == default) throw new ForbiddenException(actor.UserName, [ApiScopes.Cti]);
        return new CallRecorded(row.Id, row.AgentId, row.CustomerId, row.StartedAt, Masking.Phone(number), row.CustomerName);
    }

    /// <summary>The dossier of a call that rang at <paramref name="actor"/>'s extension (theirs only; the CS supervisor reads any).</summary>
    public async Task<CallDossier> DossierAsync(Actor actor, long callId, CancellationToken ct = default)
    {
        actor.Require(Access.Intake);
        await using var conn = await db.OpenConnectionAsync(ct);
        var call = await conn.QuerySingleOrDefaultAsync<(long Id, int? AgentId, int? CustomerId, DateTimeOffset StartedAt, string CallerPhone)>(new CommandDefinition(
            "SELECT id, agent_id, customer_id, started_at, caller_phone FROM cti_calls WHERE id = @callId", new { callId }, cancellationToken: ct));
        if (call == default) throw new DomainException("NotFound");
        if (call.AgentId != actor.Id && !actor.IsIn(Access.Supervisor)) throw new ForbiddenException(actor.UserName, Access.Supervisor);
        var masked = Masking.Phone(call.CallerPhone);
        if (call.CustomerId is not { } customerId || await customers.GetAsync(actor, customerId, ct) is not { } customer)
            return new CallDossier(call.Id, call.StartedAt, masked, null, null, null, [], [], []);
        var pending = (await visits.ForCustomerAsync(actor, customerId, ct)).Where(v => v.State is "open" or "escalated").ToList();
        return new CallDossier(call.Id, call.StartedAt, masked, customerId, customer.Name, customer.Address,
            await intake.OpenComplaintsAsync(actor, customerId, ct), await intake.HistoryAsync(actor, customerId, LastContacts, ct), pending);
    }

    /// <summary>The start of a call of <paramref name="agentId"/>, for the contact registered from it (null: not theirs, or none).</summary>
    internal static Task<DateTimeOffset?> StartOfOwnCallAsync(NpgsqlConnection conn, NpgsqlTransaction tx, long callId, int agentId, CancellationToken ct) =>
        conn.ExecuteScalarAsync<DateTimeOffset?>(new CommandDefinition(
            "SELECT started_at FROM cti_calls WHERE id = @callId AND agent_id = @agentId", new { callId, agentId }, tx, cancellationToken: ct));
}
