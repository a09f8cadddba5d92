using Dapper;
using Npgsql;
using ServiceHub.Data.Admin;
using ServiceHub.Data.Infrastructure;

namespace ServiceHub.Data.Integrations;

/// <summary>A customer found by their full phone number, private data masked.</summary>
public sealed record CustomerMatch(int Id, string Name, string PhoneMasked, string? Address, int OpenComplaints);

/// <summary>
/// Finding customers by their full phone number (the CTI's caller, <c>GET /api/v1/customers?phone=</c>): the number compared in full
/// (digits only, a +86 country code dropped), never by a part of it, so the API cannot be used to list customers; each look-up is audited.
/// </summary>
public sealed class CustomerPhones(NpgsqlDataSource db, AuditLog audit)
{
    /// <summary>The SQL condition on <c>customers c</c> matching the digits <c>@number</c> against either phone.</summary>
    public const string IsFullNumber = "(replace(c.phone, '-', '') = @number OR replace(c.phone2, '-', '') = @number)";

    /// <summary>The digits of a number as dialled: separators dropped, and the mainland's country code (+86 / 0086) before a mobile.</summary>
    public static string Digits(string? dialled)
    {
        var digits = new string(PhoneNumbers.Normalize(dialled).Where(char.IsAsciiDigit).ToArray());
        if (digits.StartsWith("0086", StringComparison.Ordinal)) digits = digits[4..];
        else if (digits.StartsWith("86", StringComparison.Ordinal) && digits.Length == 13) digits = digits[2..];
        return digits;
    }

    /// <summary>Customers whose phone is exactly <paramref name="phone"/>: a full, valid number is required; the look-up is audited.</summary>
    public async Task<IReadOnlyList<CustomerMatch>> FindAsync(Actor actor, string? phone, CancellationToken ct = default)
    {
        actor.Require(Access.PrivateData);
        var number = Digits(phone);
        if (phone is null || phone.Length > 30 || !PhoneNumbers.IsValid(number))
            throw new ValidationFailedException(new Dictionary<string, FieldError> { ["phone"] = new("Customer.FullNumberRequired") });
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var rows = (await conn.QueryAsync<(int Id, string Name, string Phone, string? Address, int OpenComplaints)>(new CommandDefinition($"""
            SELECT c.id, c.name, c.phone,
                   CASE WHEN u.id IS NULL THEN NULL ELSE p.name || ' ' || b.name || ' ' || u.number END AS address,
                   (SELECT count(*) FROM complaints x JOIN complaint_states xs ON xs.complaint_id = x.id WHERE x.customer_id = c.id AND xs.state IN ('registered','dispatched','contacted'))::int
            FROM customers c
            LEFT JOIN units u ON u.id = c.unit_id LEFT JOIN buildings b ON b.id = u.building_id LEFT JOIN projects p ON p.id = b.project_id
            WHERE {IsFullNumber}
            ORDER BY c.id
            LIMIT 20
            """, new { number }, tx, cancellationToken: ct))).AsList();
        await audit.WriteAsync(conn, tx, actor, AuditLog.Actions.PrivateDataViewed, "customer",
            string.Join(',', rows.Select(r => r.Id)), $"look-up by full phone {Masking.Phone(number)}: {rows.Count} found", ct);
        await tx.CommitAsync(ct);
        return rows.Select(r => new CustomerMatch(r.Id, r.Name, Masking.Phone(r.Phone), r.Address, r.OpenComplaints)).ToList();
    }
}
