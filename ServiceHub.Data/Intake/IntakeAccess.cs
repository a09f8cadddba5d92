using Dapper;
using Npgsql;
using ServiceHub.Data.Admin;
using ServiceHub.Data.Infrastructure;

namespace ServiceHub.Data.Intake;

/// <summary>
/// Who registers contacts (DOMAIN.md §3, §4 statistics): the call centre and front desk (agents, their supervisor, admins) always; the
/// handlers and manager of a department whose switch "staff register contacts as first responders" is on (the property company and
/// each management project: the staff who receive complaints on site register them too). <see cref="CallCentre"/> is the call
/// centre's own work on top: dispatching (呼叫中心派发), attaching to an existing complaint, standard replies, repeat complaints.
/// </summary>
public sealed record IntakeAccess(bool MayRegister, bool CallCentre)
{

    public static IntakeAccess For(Actor actor, bool departmentRegistersContacts)
    {
        var callCentre = actor.IsIn(Access.Intake);
        var onSite = departmentRegistersContacts && actor.DepartmentId is not null && actor.IsIn(Access.DepartmentStaff);
        return new IntakeAccess(callCentre || onSite, callCentre);
    }

    /// <summary>On-site staff registering (not the call centre).</summary>
    public bool OnSite => MayRegister && !CallCentre;

    public void Require(Actor actor)
    {
        if (!MayRegister) throw new ForbiddenException(actor.UserName, [.. Access.Intake, .. Access.DepartmentStaff]);
    }

    /// <summary>The actor's access, reading their department's switch (an inactive department registers nothing).</summary>
    internal static async Task<IntakeAccess> LoadAsync(NpgsqlConnection conn, NpgsqlTransaction? tx, Actor actor, CancellationToken ct)
    {
        if (actor.IsIn(Access.Intake)) return new IntakeAccess(true, true);
        if (actor.DepartmentId is not { } dept || !actor.IsIn(Access.DepartmentStaff)) return new IntakeAccess(false, false);
        var on = await conn.ExecuteScalarAsync<bool?>(new CommandDefinition(
            "SELECT staff_register_contacts AND is_active FROM departments WHERE id = @dept", new { dept }, tx, cancellationToken: ct));
        return For(actor, on == true);
    }
}
