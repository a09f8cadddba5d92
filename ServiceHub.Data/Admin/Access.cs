using static ServiceHub.Data.Admin.Roles;

namespace ServiceHub.Data.Admin;

/// <summary>
/// The access map (DOMAIN.md §1): which roles hold each capability, written once. The App turns every entry of
/// <see cref="ByPolicy"/> into an authorisation policy (named in <see cref="Policies"/>) for page attributes, the navigation
/// menu and endpoints; the repositories check the same lists with <c>actor.Require(Access.X)</c>.
/// </summary>
public static class Access
{
    /// <summary>Administration: users, departments, projects, the audit log, the business calendar, the job dashboard.</summary>
    public static readonly IReadOnlyList<string> Admin = [Roles.Admin];

    /// <summary>The CS supervisor's desk: phrases, verification for counting, root causes, standard-reply decisions, return-visit settings.</summary>
    public static readonly IReadOnlyList<string> Supervisor = [CsSupervisor, Roles.Admin];

    /// <summary>Registering contacts (DOMAIN.md §3): the hotline and front desk, and their supervisor — the call centre, who also dispatch.</summary>
    public static readonly IReadOnlyList<string> Intake = [Agent, CsSupervisor, Roles.Admin];

    /// <summary>
    /// A department's own staff: they work their own department's complaints (DOMAIN.md §4) and, where the department's switch is on,
    /// register contacts on site as first responders.
    /// </summary>
    public static readonly IReadOnlyList<string> DepartmentStaff = [Handler, DeptManager];

    /// <summary>
    /// Who may open the intake page: the call centre, and the on-site staff (handlers, managers) of a department whose switch "staff
    /// register contacts as first responders" is on — the switch is read on the server (<c>IntakeAccess</c>), so the policy checks it too.
    /// </summary>
    public static readonly IReadOnlyList<string> Registrars = [.. Intake, .. DepartmentStaff];

    /// <summary>Customers' private data: masked by default, revealed on request, every reveal audited (DOMAIN.md §2).</summary>
    public static readonly IReadOnlyList<string> PrivateData = [Agent, ReturnVisit, CsSupervisor, Roles.Admin];

    /// <summary>The contact register.</summary>
    public static readonly IReadOnlyList<string> Contacts = [Agent, CsSupervisor, Roles.Admin, Hr, Leadership];

    /// <summary>One contact: the register's readers, its first responder and the person it was handed over to, whatever their role (the Data layer checks which).</summary>
    public static readonly IReadOnlyList<string> Contact = Roles.All;

    /// <summary>The complaint list: every role (each sees what the complaint repository lets it see).</summary>
    public static readonly IReadOnlyList<string> Complaints = Roles.All;

    /// <summary>Who reads the complaints of every department: the CS side, leadership, HR and return visits (a department reads its own).</summary>
    public static readonly IReadOnlyList<string> EveryDepartmentsComplaints = [Agent, CsSupervisor, Roles.Admin, Leadership, Hr, ReturnVisit];

    /// <summary>The work queue of open complaints.</summary>
    public static readonly IReadOnlyList<string> Queue = [Handler, DeptManager, CsSupervisor, Agent, Roles.Admin, Leadership];

    /// <summary>The KPI dashboard and its drill-down (a department manager sees their own department only).</summary>
    public static readonly IReadOnlyList<string> Dashboard = [Leadership, CsSupervisor, Roles.Admin, DeptManager];

    /// <summary>Figures of every department on the dashboard.</summary>
    public static readonly IReadOnlyList<string> AllDepartments = [Leadership, CsSupervisor, Roles.Admin];

    /// <summary>First-class emergencies (DOMAIN.md §7): anyone on duty who learns of one reports it and follows it.</summary>
    public static readonly IReadOnlyList<string> Emergencies = [Agent, CsSupervisor, Handler, DeptManager, Leadership, Roles.Admin];

    /// <summary>Who may record an arrival on site for any department, on behalf of its manager.</summary>
    public static readonly IReadOnlyList<string> EmergencyArrivalOnBehalf = [Leadership, Roles.Admin];

    /// <summary>Recording an arrival on site: the responsible department's manager, or leadership and admins on their behalf.</summary>
    public static readonly IReadOnlyList<string> EmergencyArrival = [DeptManager, .. EmergencyArrivalOnBehalf];

    /// <summary>Whether an "other" event is a first-class emergency is the CS supervisor's call.</summary>
    public static readonly IReadOnlyList<string> EmergencyConfirmation = [CsSupervisor];

    /// <summary>The return-visit team's schedule and calls.</summary>
    public static readonly IReadOnlyList<string> ReturnVisitTeam = [ReturnVisit, CsSupervisor, Roles.Admin];

    /// <summary>Reading return visits and consultation satisfaction.</summary>
    public static readonly IReadOnlyList<string> ReturnVisitReaders = [ReturnVisit, CsSupervisor, Roles.Admin, Leadership];

    /// <summary>The return-visit analysis: its readers and the departments that write their analysis.</summary>
    public static readonly IReadOnlyList<string> ReturnVisitAnalysis = [.. ReturnVisitReaders, Handler, DeptManager];

    /// <summary>A customer's dossier (every contact, complaint and return visit of one customer).</summary>
    public static readonly IReadOnlyList<string> CustomerDossier = [Agent, CsSupervisor, Roles.Admin, ReturnVisit, Leadership, Hr];

    /// <summary>Hot complaints and their reports.</summary>
    public static readonly IReadOnlyList<string> HotComplaints = [CsSupervisor, Roles.Admin, Leadership];

    /// <summary>HR's spot checks of handled complaints.</summary>
    public static readonly IReadOnlyList<string> SpotChecks = [Hr, Roles.Admin];

    /// <summary>Who reads the penalties of every department (a manager reads their own department's, anyone their own).</summary>
    public static readonly IReadOnlyList<string> EveryDepartmentsPenalties = [Hr, Roles.Admin, Leadership];

    /// <summary>The penalty ledger and its export (a department manager contests their own department's entries).</summary>
    public static readonly IReadOnlyList<string> Penalties = [Hr, Roles.Admin, Leadership, DeptManager];

    /// <summary>
    /// Producing and reading the Annual Service Review Report: leadership (who decides on it) and the CS supervisor (who runs the
    /// return-visit working group). It covers every department, so department managers read their own figures on the dashboard.
    /// </summary>
    public static readonly IReadOnlyList<string> AnnualReports = [Leadership, CsSupervisor];

    /// <summary>Who reads every department's reporting calendar and information assessment (besides the Enterprise Development Dept).</summary>
    public static readonly IReadOnlyList<string> EveryDepartmentsReporting = [Leadership, Roles.Admin];

    /// <summary>The reporting calendar and the information assessment.</summary>
    public static readonly IReadOnlyList<string> Reporting = [DeptManager, Handler, Leadership, Roles.Admin];

    /// <summary>
    /// Who issues the unified reporting formats (DOMAIN.md §1): the managers of the Enterprise Management Dept (企业管理部, the
    /// department is checked on the server, <c>ReportingAccess.For</c>) and admins. Every department reads the current formats.
    /// </summary>
    public static readonly IReadOnlyList<string> ReportFormatIssuers = [DeptManager, Roles.Admin];

    /// <summary>Who writes a standard reply for their department (the CS supervisor decides on it).</summary>
    public static readonly IReadOnlyList<string> StandardReplyAuthors = [DeptManager, Handler, CsSupervisor, Roles.Admin];

    /// <summary>Who drafts a release of information to the company.</summary>
    public static readonly IReadOnlyList<string> ReleaseAuthors = [CsSupervisor, DeptManager, Leadership, Roles.Admin];

    /// <summary>Who approves: a release of information, and the destruction or longer retention of a registered record.</summary>
    public static readonly IReadOnlyList<string> Approvers = [Leadership, Roles.Admin];

    /// <summary>The roles an integration's API key may act with: any but administration.</summary>
    public static readonly IReadOnlyList<string> ApiKeyRoles = [.. Roles.All.Where(r => r != Roles.Admin)];

    /// <summary>The authorisation policy of each capability a page, the menu or an endpoint checks.</summary>
    public static readonly IReadOnlyDictionary<string, IReadOnlyList<string>> ByPolicy = new Dictionary<string, IReadOnlyList<string>>
    {
        [Policies.Admin] = Admin,
        [Policies.Supervisor] = Supervisor,
        [Policies.Intake] = Registrars,
        [Policies.PrivateData] = PrivateData,
        [Policies.Contacts] = Contacts,
        [Policies.Contact] = Contact,
        [Policies.Complaints] = Complaints,
        [Policies.Queue] = Queue,
        [Policies.Dashboard] = Dashboard,
        [Policies.Emergencies] = Emergencies,
        [Policies.ReturnVisitTeam] = ReturnVisitTeam,
        [Policies.ReturnVisitReaders] = ReturnVisitReaders,
        [Policies.ReturnVisitAnalysis] = ReturnVisitAnalysis,
        [Policies.CustomerDossier] = CustomerDossier,
        [Policies.HotComplaints] = HotComplaints,
        [Policies.SpotChecks] = SpotChecks,
        [Policies.Penalties] = Penalties,
        [Policies.AnnualReports] = AnnualReports,
        [Policies.Reporting] = Reporting,
    };
}
