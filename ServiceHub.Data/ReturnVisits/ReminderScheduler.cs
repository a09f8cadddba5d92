namespace ServiceHub.Data.ReturnVisits;

/// <summary>
/// Schedules the "call back at" reminder of a return-visit task (Hangfire delayed job in the app). Losing a schedule loses
/// nothing: the closure sweep sends every reminder whose time has passed.
/// </summary>
public interface IReminderScheduler
{
    void Schedule(long reminderId, DateTimeOffset at);
}

/// <summary>Used where no job server is configured: the sweep sends the reminders.</summary>
public sealed class SweepOnlyReminderScheduler : IReminderScheduler
{
    public void Schedule(long reminderId, DateTimeOffset at) { }
}
