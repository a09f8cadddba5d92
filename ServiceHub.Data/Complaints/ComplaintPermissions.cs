using ServiceHub.Data.Admin;
using ServiceHub.Data.Infrastructure;
using ServiceHub.Data.Intake;

namespace ServiceHub.Data.Complaints;

/// <summary>
/// Which actions a person may take on a complaint now: the one state × role matrix. The pages render it (which buttons and panels
/// a complaint shows), and <see cref="ComplaintLifecycle"/> enforces it on the locked row before every change, so a page can never
/// offer what the server refuses nor the other way round.
/// </summary>
public static class ComplaintPermissions
{
    private enum Who
    {
        /// <summary>The call centre: agents, the CS supervisor, admins.</summary>
        Intake,
        /// <summary>The CS supervisor and admins.</summary>
        Supervisor,
        /// <summary>The handlers and manager of the complaint's department, the CS supervisor and admins.</summary>
        Department,
        /// <summary>The manager of the complaint's department, the CS supervisor and admins.</summary>
        Manager,
    }

    private enum WhenMerged { Refused, Allowed, Required }

    /// <summary>One action's rule: who, in which states (null: any), and whether a merged complaint allows it.</summary>
    private sealed record Rule(Who Who, IReadOnlyList<string>? States, WhenMerged Merged, string MergedRefusal = "Complaint.MergedInto", string? StateRefusal = null);

    private static readonly IReadOnlyList<string> DeskOpen = ComplaintStates.Open;

    private static readonly IReadOnlyDictionary<string, Rule> Matrix = new Dictionary<string, Rule>
    {
        // A merged complaint is handled through the complaint it was merged into: the desk refuses it, naming that one.
        [ComplaintAction.Dispatch] = new(Who.Intake, [ComplaintStates.Registered], WhenMerged.Refused),
        [ComplaintAction.Contact] = new(Who.Department, [ComplaintStates.Dispatched], WhenMerged.Refused),
        [ComplaintAction.Handle] = new(Who.Department, [ComplaintStates.Contacted], WhenMerged.Refused),
        [ComplaintAction.Note] = new(Who.Department, DeskOpen, WhenMerged.Refused),
        [ComplaintAction.Extend] = new(Who.Department, DeskOpen, WhenMerged.Refused),
        // The earliest feedback time is agreed once the customer has been contacted and the matter cannot be resolved at once.
        [ComplaintAction.Feedback] = new(Who.Department, [ComplaintStates.Contacted], WhenMerged.Refused),
        [ComplaintAction.Transfer] = new(Who.Department, DeskOpen, WhenMerged.Refused),
        // After a missed reply deadline, only the manager agrees a new date with the customer (the lifecycle refuses it before the miss).
        [ComplaintAction.AgreeDate] = new(Who.Manager, DeskOpen, WhenMerged.Refused),
        // Counting rule 5: the final root cause, until the complaint is closed.
        [ComplaintAction.Classify] = new(Who.Department, ComplaintStates.Unhandled.Append(ComplaintStates.Handled).ToList(), WhenMerged.Allowed,
            StateRefusal: "Counting.ClosedComplaint"),
        // Counting rules 1 and 3: verification and impact belong to the group's surviving complaint.
        [ComplaintAction.Verify] = new(Who.Supervisor, null, WhenMerged.Refused, "Counting.MergedNotVerifiable"),
        [ComplaintAction.Impact] = new(Who.Supervisor, null, WhenMerged.Refused, "Counting.MergedNotVerifiable"),
        [ComplaintAction.Merge] = new(Who.Supervisor, null, WhenMerged.Allowed),
        [ComplaintAction.Unmerge] = new(Who.Supervisor, null, WhenMerged.Required, "Counting.NotMerged"),
        [ComplaintAction.Attach] = new(Who.Intake, null, WhenMerged.Allowed),
        // Counting rule 4: online data and follow-ups.
        [ComplaintAction.Online] = new(Who.Intake, null, WhenMerged.Allowed),
        [ComplaintAction.Split] = new(Who.Intake, null, WhenMerged.Allowed),
        [ComplaintAction.FlagHot] = new(Who.Supervisor, null, WhenMerged.Allowed),
        // Whether a return visit is needed: the CS supervisor, until the complaint is closed; a merged complaint follows its group.
        [ComplaintAction.ReturnVisitNeed] = new(Who.Supervisor, ComplaintStates.Unhandled.Append(ComplaintStates.Handled).ToList(), WhenMerged.Refused),
    };


    /// <summary>The counting actions other than classifying (counting rules 1, 3 and 4): verification, the merge group, online data, hot flag.</summary>
    private static readonly string[] CountingActions =
    [
        ComplaintAction.Verify, ComplaintAction.Impact, ComplaintAction.Merge, ComplaintAction.Unmerge, ComplaintAction.Online,
        ComplaintAction.Split, ComplaintAction.FlagHot,
    ];

    /// <summary>
    /// Whether <paramref name="actor"/>'s role may count complaints (verify, merge, record online data, flag hot: the call centre and
    /// the CS supervisor), whatever the complaint's state. A complaint's counting panel shows in full only to them; a department's
    /// handlers and manager, who may only classify, see the classification alone while they may classify, and nothing otherwise.
    /// </summary>
    public static bool MayCount(Actor actor) => CountingActions.Any(a => actor.IsIn(RolesOf(Matrix[a].Who)));

    /// <summary>The handlers and manager of the complaint's department, or the CS side that oversees every department.</summary>
    public static bool IsDepartmentActor(Actor actor, int? departmentId) =>
        actor.IsIn(Access.Supervisor) || (actor.IsIn(Access.DepartmentStaff) && departmentId is not null && actor.DepartmentId == departmentId);

    private static bool Holds(Actor actor, Who who, int? departmentId) => who switch
    {
        Who.Intake => actor.IsIn(Access.Intake),
        Who.Supervisor => actor.IsIn(Access.Supervisor),
        Who.Manager => actor.IsIn(Access.Supervisor) || (actor.IsIn(Roles.DeptManager) && departmentId is not null && actor.DepartmentId == departmentId),
        _ => IsDepartmentActor(actor, departmentId),
    };

    private static IReadOnlyList<string> RolesOf(Who who) => who switch
    {
        Who.Intake => Access.Intake,
        Who.Supervisor => Access.Supervisor,
        Who.Manager => [Roles.DeptManager],
        _ => Access.DepartmentStaff,
    };

    /// <summary>
    /// Whether <paramref name="actor"/> may see the customer's phone of this complaint now (each look audited): the roles that need
    /// private data always (DOMAIN.md §2); the handlers and manager of the complaint's department while it is theirs to work — dispatched
    /// or contacted, not merged — so they can call the customer within the contact deadline. From handling on (the contact duty ends
    /// when the complaint is handled) it is masked again for them; a return visit that sends it back to the department opens it again.
    /// </summary>
    public static bool MaySeeCustomerPhone(Actor actor, string state, int? departmentId, bool merged) =>
        Roles.MayViewPrivateData(actor.Roles)
        || (actor.IsIn(Access.DepartmentStaff) && departmentId is not null && actor.DepartmentId == departmentId
            && ComplaintStates.Open.Contains(state) && !merged);

    /// <summary>The actions <paramref name="actor"/> may take now on a complaint in <paramref name="state"/>, in <see cref="ComplaintAction.All"/>'s order.</summary>
    public static IReadOnlyList<string> Allowed(Actor actor, string state, int? departmentId, bool merged) =>
        ComplaintAction.All.Where(a => Allows(actor, a, state, departmentId, merged)).ToList();

    public static bool Allows(Actor actor, string action, string state, int? departmentId, bool merged)
    {
        var rule = Matrix[action];
        return Holds(actor, rule.Who, departmentId) && MergeFits(rule, merged) && (rule.States is null || rule.States.Contains(state));
    }

    private static bool MergeFits(Rule rule, bool merged) => rule.Merged switch
    {
        WhenMerged.Refused => !merged,
        WhenMerged.Required => merged,
        _ => true,
    };

    /// <summary>
    /// Refuses at once a person whose role can never take the action, before anything is read or validated; the whole rule is
    /// checked again on the locked complaint (<see cref="Require"/>).
    /// </summary>
    public static void RequireRole(Actor actor, string action)
    {
        var who = Matrix[action].Who;
        actor.Require(who is Who.Department or Who.Manager ? [.. RolesOf(who), .. Access.Supervisor] : RolesOf(who));
    }

    /// <summary>
    /// Refuses the action unless the matrix allows it: the role first (<see cref="ForbiddenException"/>), then the merge (a merged
    /// complaint's refusal names the complaint it was merged into), then the state (<c>Complaint.WrongState</c>); nothing was written.
    /// </summary>
    internal static void Require(Actor actor, string action, string state, int? departmentId, string? mergedIntoSheetNo)
    {
        var rule = Matrix[action];
        if (!Holds(actor, rule.Who, departmentId)) throw new ForbiddenException(actor.UserName, RolesOf(rule.Who));
        if (!MergeFits(rule, mergedIntoSheetNo is not null))
            throw rule.Merged == WhenMerged.Refused && rule.MergedRefusal == "Complaint.MergedInto"
                ? new DomainException(rule.MergedRefusal, mergedIntoSheetNo!)
                : new DomainException(rule.MergedRefusal);
        if (rule.States is not null && !rule.States.Contains(state))
            throw rule.StateRefusal is { } code ? new DomainException(code) : new DomainException("Complaint.WrongState", "State." + state);
    }
}
