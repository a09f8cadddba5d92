using Dapper;
using Npgsql;
using ServiceHub.Data.Complaints;
using ServiceHub.Data.Infrastructure;

namespace ServiceHub.Data.Counting;

/// <summary>
/// Counting rules 1–5 (DOMAIN.md §4), in partial files by concern: root causes (<c>.RootCauses</c>), verification
/// (<c>.Verification</c>), one complaint however many voices — merge, un-merge, contacts attached at intake (<c>.Merge</c>), online
/// follow-ups and split-offs (<c>.Online</c>), and the duplicate suggestion (<c>.Duplicates</c>). Counting validates its input; the
/// complaint itself changes through <see cref="ComplaintLifecycle"/>, which checks the action and writes the timeline.
/// </summary>
public sealed partial class CountingRepository(NpgsqlDataSource db, TimeProvider clock, ComplaintLifecycle lifecycle, Admin.AuditLog audit)
{

    /// <summary>
    /// Length limits of what the supervisor types (issue #12 point 14; CHECKs in sql/0160): the reason a complaint is not counted, the
    /// impact texts, the post's address; a sheet number typed into the merge box is never longer than <see cref="SheetNoMax"/>.
    /// </summary>
    public const int ReasonMax = 500, ImpactMax = 1000, PostUrlMax = 500, SheetNoMax = 30;

    private static ValidationFailedException Invalid(string field, string code, params object[] args) =>
        new(new Dictionary<string, FieldError> { [field] = new(code, args) });

    /// <summary>A complaint by its issue record sheet number (FY-2026-000123), for the merge box.</summary>
    public async Task<long?> IdBySheetNoAsync(Actor actor, string? sheetNo, CancellationToken ct = default)
    {
        actor.Require(Admin.Access.Supervisor);
        if (string.IsNullOrWhiteSpace(sheetNo) || sheetNo.Trim().Length > SheetNoMax) return null;
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.ExecuteScalarAsync<long?>(new CommandDefinition(
            "SELECT id FROM complaints WHERE sheet_no = upper(@sheetNo)", new { sheetNo = sheetNo.Trim() }, cancellationToken: ct));
    }
}
