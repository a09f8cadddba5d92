namespace ServiceHub.Data.Admin;

/// <summary>The roles of the app (DOMAIN.md §1). Stored as text in <c>users.roles</c>.</summary>
public static class Roles
{
    public const string Agent = "agent";
    public const string Handler = "handler";
    public const string DeptManager = "dept_manager";
    public const string ReturnVisit = "return_visit";
    public const string CsSupervisor = "cs_supervisor";
    public const string Hr = "hr";
    public const string Leadership = "leadership";
    public const string Admin = "admin";

    public static readonly IReadOnlyList<string> All =
        [Agent, Handler, DeptManager, ReturnVisit, CsSupervisor, Hr, Leadership, Admin];

    public static bool IsKnown(string role) => All.Contains(role);

    /// <summary>
    /// Roles that need customer private data (DOMAIN.md §2): they see it masked by default and may reveal it,
    /// each reveal audited. Everyone else sees masked values only.
    /// </summary>
    public static readonly IReadOnlyList<string> PrivateDataRoles = [Agent, ReturnVisit, CsSupervisor, Admin];

    public static bool MayViewPrivateData(IEnumerable<string> roles) => roles.Any(r => PrivateDataRoles.Contains(r));
}

/// <summary>Authorization policy names, one per capability; the App maps them to roles.</summary>
public static class Policies
{
    public const string Admin = "admin";
    public const string PrivateData = "private-data";
    public const string Intake = "intake";
    public const string Supervisor = "supervisor";
}
