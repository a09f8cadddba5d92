namespace ServiceHub.Data.Admin;

/// <summary>
/// Authorisation policy names, one per capability of <see cref="Access"/> that a page, the menu or an endpoint checks
/// (<c>[Authorize(Policy = Policies.Intake)]</c>, <c>&lt;AuthorizeView Policy="@Policies.Intake"&gt;</c>). Constants, so attributes can use them.
/// </summary>
public static class Policies
{
    public const string Admin = "admin";
    public const string Supervisor = "supervisor";
    public const string Intake = "intake";
    public const string PrivateData = "private-data";
    public const string Contacts = "contacts";
    public const string Contact = "contact";
    public const string Complaints = "complaints";
    public const string Queue = "queue";
    public const string Dashboard = "dashboard";
    public const string Emergencies = "emergencies";
    public const string ReturnVisitTeam = "return-visit-team";
    public const string ReturnVisitReaders = "return-visit-readers";
    public const string ReturnVisitAnalysis = "return-visit-analysis";
    public const string CustomerDossier = "customer-dossier";
    public const string HotComplaints = "hot-complaints";
    public const string SpotChecks = "spot-checks";
    public const string Penalties = "penalties";
    public const string AnnualReports = "annual-reports";
    public const string Reporting = "reporting";
}
