using Dapper;
using Npgsql;
using ServiceHub.Data.Admin;
using ServiceHub.Data.Complaints;
using ServiceHub.Data.Infrastructure;

namespace ServiceHub.Data.Accountability;

/// <summary>
/// A person leaves (离职) in one action: the account is disabled and every session ends, their open items go to a chosen colleague,
/// shared departmental credentials are flagged for rotation, and it is all audited — in one transaction.
/// </summary>
public sealed class OffboardingService(NpgsqlDataSource db, AuditLog audit, TimeProvider clock)
{
    public async Task<OffboardingResult> OffboardAsync(Actor actor, int userId, int successorId, CancellationToken ct = default)
    {
        actor.Require(Access.Admin);
        if (userId == successorId) throw new ValidationFailedException(new Dictionary<string, FieldError> { ["SuccessorId"] = new("Offboarding.SameSuccessor") });
        var now = clock.GetUtcNow();
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var found = await conn.QuerySingleOrDefaultAsync<(string UserName, int? DepartmentId)?>(new CommandDefinition(
            "SELECT user_name, department_id FROM users WHERE id = @userId FOR UPDATE", new { userId }, tx, cancellationToken: ct));
        var leaver = found ?? throw new DomainException("NotFound");
        var successorActive = await conn.ExecuteScalarAsync<bool?>(new CommandDefinition(
            "SELECT is_active FROM users WHERE id = @successorId", new { successorId }, tx, cancellationToken: ct));
        if (successorActive != true) throw new ValidationFailedException(new Dictionary<string, FieldError> { ["SuccessorId"] = new("Offboarding.SuccessorInactive") });

        var args = new { userId, successorId, now, dept = leaver.DepartmentId };
        await conn.ExecuteAsync(new CommandDefinition(
            "UPDATE users SET is_active = false, security_stamp = gen_random_uuid(), deactivated_at = @now WHERE id = @userId", args, tx, cancellationToken: ct));
        var complaints = await ComplaintLifecycle.HandOverOpenComplaintsAsync(conn, tx, userId, successorId, now, ct);
        var visits = await conn.ExecuteAsync(new CommandDefinition(
            "UPDATE return_visit_tasks SET assignee_id = @successorId WHERE assignee_id = @userId AND state IN ('open','escalated')", args, tx, cancellationToken: ct));
        var handovers = await conn.ExecuteAsync(new CommandDefinition(
            "UPDATE contacts SET handover_to_id = @successorId WHERE handover_to_id = @userId AND handover_result IS NULL", args, tx, cancellationToken: ct));
        // The matters handed over to the leaver reach their new recipient as any hand-over does: the bell, and the list.
        if (handovers > 0)
            await NotificationRepository.NotifyAsync(conn, tx, [successorId], now, "handover", null, "Notify.HandOversInherited",
                [handovers.ToString(System.Globalization.CultureInfo.InvariantCulture), leaver.UserName], Intake.IntakeRepository.HandOverListLink,
                $"handovers-inherited:{userId}", ct);
        // Unacknowledged emergency alerts of the leaver reach the successor instead (once each): in each alert row naming the leaver,
        // not acknowledged by them and not naming the successor already, the successor takes the leaver's place (and alert id).
        var alerts = await conn.ExecuteAsync(new CommandDefinition("""
            UPDATE emergency_alert_batches x SET user_ids = array_replace(x.user_ids, @userId, @successorId)
            WHERE x.user_ids @> ARRAY[@userId::int] AND NOT x.user_ids @> ARRAY[@successorId::int]
              AND NOT EXISTS (SELECT 1 FROM emergency_alert_acks k WHERE k.batch_id = x.id AND k.user_id = @userId)
            """, args, tx, cancellationToken: ct));
        var roles = await conn.ExecuteAsync(new CommandDefinition("""
            UPDATE departments SET
                manager_user_id = CASE WHEN manager_user_id = @userId THEN @successorId ELSE manager_user_id END,
                return_visit_lead_id = CASE WHEN return_visit_lead_id = @userId THEN @successorId ELSE return_visit_lead_id END,
                supervising_vp_id = CASE WHEN supervising_vp_id = @userId THEN @successorId ELSE supervising_vp_id END
            WHERE @userId IN (manager_user_id, return_visit_lead_id, supervising_vp_id)
            """, args, tx, cancellationToken: ct));
        // The leaver knew the shared password: its sessions end now and it signs in to nothing but a password change until rotated.
        var shared = await conn.ExecuteAsync(new CommandDefinition("""
            UPDATE users SET rotation_required_since = coalesce(rotation_required_since, @now), security_stamp = gen_random_uuid()
            WHERE is_shared AND is_active AND @dept IS NOT NULL AND department_id = @dept
            """, args, tx, cancellationToken: ct));
        var result = new OffboardingResult(complaints, visits, handovers, alerts, roles, shared);
        await audit.WriteAsync(conn, tx, actor, AuditLog.Actions.Deactivate, "user", userId.ToString(),
            $"{leaver.UserName} offboarded → {successorId}: {result}", ct);
        await tx.CommitAsync(ct);
        return result;
    }
}
