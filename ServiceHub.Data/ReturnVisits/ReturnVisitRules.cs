using ServiceHub.Data.Admin;

namespace ServiceHub.Data.ReturnVisits;

/// <summary>
/// States of a return-visit task: open (to call), escalated (to the supervisor after too many failed attempts), done (the customer
/// reached), cancelled, unreachable (closed by the return-visit lead after failed attempts on enough different days).
/// </summary>
public static class TaskStates
{
    public const string Open = "open";
    public const string Escalated = "escalated";
    public const string Done = "done";
    public const string Cancelled = "cancelled";
    public const string Unreachable = "unreachable";

    public static readonly IReadOnlyList<string> Active = [Open, Escalated];
}

public static class TaskKinds
{
    public const string Complaint = "complaint";
    public const string Consultation = "consultation";
}

/// <summary>The result of one call attempt.</summary>
public static class AttemptResults
{
    public const string NoAnswer = "no_answer";
    public const string Busy = "busy";
    public const string WrongNumber = "wrong_number";
    public const string CallBack = "call_back";
    public const string Reached = "reached";

    public static readonly IReadOnlyList<string> All = [NoAnswer, Busy, WrongNumber, CallBack, Reached];

    /// <summary>Attempts that count towards sending the task to the supervisor.</summary>
    public static bool IsFailed(string result) => result is NoAnswer or Busy or WrongNumber;
}

public static class Outcomes
{
    public const string Satisfied = "satisfied";
    public const string NotSatisfied = "not_satisfied";

    public static readonly IReadOnlyList<string> All = [Satisfied, NotSatisfied];
}

public static class AssignRules
{
    /// <summary>In turn among the active return-visit team members of the CS department.</summary>
    public const string RoundRobin = "round_robin";
    /// <summary>Always the CS department's return-visit lead.</summary>
    public const string Lead = "lead";

    public static readonly IReadOnlyList<string> All = [RoundRobin, Lead];
}

/// <summary>Why a complaint was closed (complaint_states.close_reason).</summary>
public static class CloseReasons
{
    public const string ReturnVisitSatisfied = "return-visit-satisfied";
    public const string AutoOneWeek = "auto-one-week";
}

/// <summary>The closure rules of DOMAIN.md §4 and the satisfaction measure of §6, as pure functions.</summary>
public static class Closure
{
    /// <summary>Without a return visit, a complaint closes one week after it was handled, unless repeated meanwhile.</summary>
    public static readonly TimeSpan AutoCloseAfter = TimeSpan.FromDays(7);

    public static DateTimeOffset AutoCloseAt(DateTimeOffset handledAt) => handledAt + AutoCloseAfter;

    /// <summary>The latest handling time that is eligible for auto-closure at <paramref name="now"/>.</summary>
    public static DateTimeOffset AutoCloseCutoff(DateTimeOffset now) => now - AutoCloseAfter;

    /// <summary>A repeat complaint reopens the original only inside the week after its handling.</summary>
    public static bool RepeatReopens(DateTimeOffset handledAt, DateTimeOffset repeatAt) => repeatAt < AutoCloseAt(handledAt);

    /// <summary>A failed-attempt count at which the task goes to the supervisor.</summary>
    public static bool GoesToSupervisor(int failedAttempts, int maxFailedAttempts) => failedAttempts >= maxFailedAttempts;
}

/// <summary>
/// A return visit that cannot reach the customer ends (issue #11 point 5): once its failed attempts (no answer, busy, wrong number)
/// fall on the configured number of different business days (Beijing dates; default 3), the return-visit lead may close it as
/// unreachable. The complaint then closes by the one-week rule, as without a return visit; the visit counts neither satisfied nor
/// dissatisfied, and is shown apart in the satisfaction figures.
/// </summary>
public static class Unreachable
{
    public const int DefaultAfterDays = 3;
    public const int NoteMax = 500;

    /// <summary>The different business days (Beijing dates) on which an attempt failed.</summary>
    public static int FailedDays(IEnumerable<AttemptRow> attempts) =>
        attempts.Where(a => AttemptResults.IsFailed(a.Result)).Select(a => DateOnly.FromDateTime(Infrastructure.BusinessTime.ToLocal(a.At).DateTime)).Distinct().Count();

    /// <summary>SQL: the different business days of task <c>t</c>'s failed attempts (the same count as <see cref="FailedDays"/>).</summary>
    public const string FailedDaysSql = $"""
        (SELECT count(DISTINCT (a.at AT TIME ZONE '{Infrastructure.BusinessTime.ZoneId}')::date)::int FROM return_visit_attempts a
         WHERE a.task_id = t.id AND a.result IN ('no_answer','busy','wrong_number'))
        """;

    /// <summary>Whether a task with failed attempts on <paramref name="failedDays"/> different days may be closed as unreachable.</summary>
    public static bool MayClose(int failedDays, int afterDays) => failedDays >= afterDays;

    /// <summary>
    /// Who closes a visit as unreachable: the return-visit lead (回访负责人) of the task's department or of the CS department (which
    /// designates the return-visit staff), and the CS supervisor, who takes the tasks that went to the supervisor.
    /// </summary>
    public static bool IsLead(Infrastructure.Actor actor, int? departmentLeadId, int? csLeadId) =>
        actor.IsIn(Access.Supervisor) || (actor.Id != 0 && (actor.Id == departmentLeadId || actor.Id == csLeadId));
}

/// <summary>
/// What a satisfied consultation is and where it belongs (DOMAIN.md §6). The target itself is configured once
/// (<see cref="Reports.KpiOptions.ConsultationSatisfactionTarget"/>) and compared on the exact ratio (<see cref="Reports.KpiRate.AtLeast"/>).
/// </summary>
public static class Satisfaction
{
    /// <summary>
    /// Joins of a consultation <c>ct</c> (a contact): its first responder <c>fr</c>, the person it was handed over to <c>ho</c>
    /// and its done satisfaction callback <c>t</c>. Shared by the monthly rate here and the KPIs (Reports/KpiService).
    /// </summary>
    public const string ConsultationJoins = """
        JOIN users fr ON fr.id = ct.first_responder_id
        LEFT JOIN users ho ON ho.id = ct.handover_to_id
        LEFT JOIN return_visit_tasks t ON t.contact_id = ct.id AND t.kind = 'consultation' AND t.state = 'done'
        """;

    /// <summary>A consultation's department: the department of the person it was handed over to, else the first responder's.</summary>
    public const string ConsultationDepartment = "coalesce(ho.department_id, fr.department_id)";

    /// <summary>Satisfied: the callback's outcome when there was one, else the customer's answer at the contact.</summary>
    public const string ConsultationSatisfied = "coalesce(t.outcome = 'satisfied', ct.satisfied, false)";

    /// <summary>
    /// The consultation's sampled satisfaction callback could not reach the customer (closed as unreachable): shown apart, counted neither
    /// satisfied nor dissatisfied as a callback — the consultation keeps the customer's answer at the contact (<see cref="ConsultationSatisfied"/>).
    /// </summary>
    public const string CallbackUnreachable =
        "EXISTS (SELECT 1 FROM return_visit_tasks u WHERE u.contact_id = ct.id AND u.kind = 'consultation' AND u.state = 'unreachable')";
}
