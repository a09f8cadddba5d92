namespace ServiceHub.Data.Complaints;

public sealed class ComplaintOptions
{
    /// <summary>Share of a deadline's interval after which the handler is warned (80% by default).</summary>
    public double WarnShare { get; set; } = Deadlines.DefaultWarnShare;

    /// <summary>The company complaint department (客户投诉处理部门): receives transfers from management projects and escalations of undispatched complaints.</summary>
    public string ComplaintDepartmentCode { get; set; } = "CS";

    /// <summary>
    /// How far ahead a handler may extend a reply deadline (30 days by default, configuration <c>Complaints:ExtensionHorizon</c>);
    /// beyond it only the department manager extends (up to <see cref="Deadlines.AgreedWithin"/>), issue #12 point 14.
    /// </summary>
    public TimeSpan ExtensionHorizon { get; set; } = TimeSpan.FromDays(30);
}
