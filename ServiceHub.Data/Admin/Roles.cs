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
    /// Whether these roles may reveal customer private data (DOMAIN.md §2, <see cref="Access.PrivateData"/>); everyone else
    /// sees masked values only.
    /// </summary>
    public static bool MayViewPrivateData(IEnumerable<string> roles) => roles.Any(Access.PrivateData.Contains);
}
