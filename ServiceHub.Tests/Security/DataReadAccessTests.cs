using System.Reflection;
using ServiceHub.Data.Admin;
using ServiceHub.Data.Complaints;
using ServiceHub.Data.Counting;
using ServiceHub.Data.Infrastructure;
using ServiceHub.Data.Intake;
using ServiceHub.Data.Reports;
using ServiceHub.Data.ReturnVisits;
using ServiceHub.Tests.Complaints;
using ServiceHub.Tests.Infrastructure;

namespace ServiceHub.Tests.Security;

/// <summary>
/// Every read in the Data layer takes the <see cref="Actor"/> and checks it (issue #12 point 6). The reflective test lists every
/// public asynchronous method of the Data layer's services; one without an Actor parameter fails it unless it is named below with the
/// reason it needs none — so a new read without the actor fails here.
/// </summary>
public sealed class DataReadAccessTests(DatabaseFixture db) : ComplaintWorldTests(db)
{
    /// <summary>Public Data-layer methods without an Actor, and why that is safe.</summary>
    private static readonly Dictionary<string, string> WithoutActor = new()
    {
        // Reference data every signed-in user sees on forms (no private data).
        ["ProjectRepository.ListAsync"] = "projects: reference data for every form",
        ["ProjectRepository.GetAsync"] = "a project: reference data",
        ["ProjectRepository.BuildingsAsync"] = "buildings of a project: reference data",
        ["ProjectRepository.UnitsAsync"] = "units of a building: reference data",
        ["ProjectRepository.AddressAsync"] = "a unit's address: reference data",
        ["DepartmentRepository.ListAsync"] = "departments: reference data for every form",
        ["DepartmentRepository.GetAsync"] = "a department: reference data",
        ["DepartmentRepository.SearchAsync"] = "departments: reference data (the admin page is admin-only by policy)",
        ["CalendarRepository.ListAsync"] = "the business calendar: public holidays and working days",
        ["CalendarRepository.LoadAsync"] = "the business calendar for deadline computation",
        ["IntakeRepository.PhrasesAsync"] = "the service phrases (manual text)",
        ["IntakeRepository.ForbiddenPhrasesInAsync"] = "checks a text against the forbidden phrases",
        ["CountingRepository.RootCausesAsync"] = "root causes: reference data",
        ["InformationRegister.KindsAsync"] = "the seventeen kinds of information: reference data",
        ["InformationAssessment.RulesAsync"] = "the assessment rules: reference data",
        ["InformationAssessment.BandsAsync"] = "the grade bands: reference data",
        ["ReturnVisitRepository.TeamAsync"] = "names of the return-visit team (for assignment)",
        ["ReturnVisitRepository.SettingsAsync"] = "the return-visit settings (durations)",
        ["ReportingCalendar.InstantLagHoursAsync"] = "a setting",
        ["StandardReplyRepository.ListAsync"] = "standard replies: company knowledge for every desk, no private data",
        ["StandardReplyRepository.GetAsync"] = "a standard reply: company knowledge",
        ["StandardReplyRepository.MatchAsync"] = "standard replies matching a text: company knowledge",
        ["UserRepository.ListActiveAsync"] = "names of active colleagues for pickers (no private data)",
        // The signed-in user's own items, keyed by their id taken from the authenticated principal by the App.
        ["NotificationRepository.UnreadCountAsync"] = "the signed-in user's own notifications",
        ["NotificationRepository.RecentAsync"] = "the signed-in user's own notifications",
        ["NotificationRepository.MarkReadAsync"] = "the signed-in user's own notifications",
        ["EmergencyRepository.PendingAlertsAsync"] = "the signed-in user's own alerts (the hub, on connecting), or those of the people connected to an instance (the backplane's catch-up)",
        ["IEmergencyNotifier.AlertsAsync"] = "pushes alerts to their recipients (no read)",
        ["IEmergencyNotifier.AcknowledgedAsync"] = "pushes acknowledgements (no read)",
        ["NoEmergencyNotifier.AlertsAsync"] = "pushes nothing",
        ["NoEmergencyNotifier.AcknowledgedAsync"] = "pushes nothing",
        // Sign-in and sessions: before there is an actor.
        ["SignInService.SignInAsync"] = "signs in: there is no actor yet",
        ["UserRepository.FindByUserNameAsync"] = "the sign-in and the session check: before there is an actor",
        ["UserRepository.GetAsync"] = "the session check and the current user: before there is an actor",
        ["SessionRepository.StartAsync"] = "sign-in",
        ["SessionRepository.EndAsync"] = "sign-out",
        ["SessionRepository.IsValidAsync"] = "the session check",
        ["AuditLog.WriteAsync"] = "writes the audit log (the sign-in writes before there is an actor)",
        // Jobs and start-up: the system itself.
        ["EscalationSweep.RunAsync"] = "a job", ["EscalationSweep.RunOnceAsync"] = "a job",
        ["HandOverSweep.RunAsync"] = "a job", ["ClosureSweep.RunAsync"] = "a job", ["ClosureSweep.SendRemindersAsync"] = "a job",
        ["HotComplaintRepository.SweepAsync"] = "a job", ["EmergencyRepository.SweepAsync"] = "a job", ["EmergencyRepository.FollowUpAsync"] = "a job",
        ["InformationLifecycle.FileAndStoreAsync"] = "a job", ["InformationLifecycle.RequestDueDestructionsAsync"] = "a job",
        ["ReportingCalendar.EnsureYearAsync"] = "a job",
        // The job server and the metrics (issue #16 points 11, 13): the system records a failed job and reads its own figures.
        ["JobFailures.RecordAsync"] = "the job server records a job that failed after its retries",
        ["DomainMetrics.RefreshAsync"] = "the metrics' snapshot: counts only, no record's content, served to administrators",
        // The notification outbox's delivery job and its senders (issue #13): the system sends what the event's transaction queued.
        ["OutboxStore.ClaimAsync"] = "the delivery job", ["OutboxStore.FailedAsync"] = "the delivery job",
        ["OutboxStore.NextTryAsync"] = "the delivery job", ["OutboxStore.SentAsync"] = "the delivery job",
        ["ChannelSettings.EmailForSendingAsync"] = "the delivery job's sender settings", ["ChannelSettings.SmsForSendingAsync"] = "the delivery job's sender settings",
        ["ChannelSettings.RobotForSendingAsync"] = "the delivery job's sender settings", ["ChannelSettings.SyncConfiguredRobotsAsync"] = "start-up (robots from the environment)",
        ["WebhookRepository.ForSendingAsync"] = "the delivery job's webhook sender",
        // The REST API's key check: before there is an actor (the key becomes its integration account's actor).
        ["ApiKeyRepository.AuthenticateAsync"] = "authenticates an API key: there is no actor yet",
        ["DemoSeeder.SeedAsync"] = "start-up (demo)", ["DemoStartup.RunAsync"] = "start-up (demo)", ["DemoHistory.SeedAsync"] = "start-up (demo)",
    };

    private static IEnumerable<MethodInfo> PublicAsyncMethods() =>
        from t in typeof(Actor).Assembly.GetExportedTypes()
        where (t.IsClass || t.IsInterface) && !(t.IsAbstract && t.IsSealed) && t.Namespace != "ServiceHub.Data.Operations"
        from m in t.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly)
        where typeof(Task).IsAssignableFrom(m.ReturnType) && !m.IsSpecialName
        select m;

    [Fact]
    public void Every_public_read_of_the_data_layer_takes_the_actor_or_says_why_not()
    {
        var missing = PublicAsyncMethods()
            .Where(m => !m.GetParameters().Any(p => p.ParameterType == typeof(Actor) || p.ParameterType == typeof(Actor).MakeByRefType()))
            .Select(m => $"{m.DeclaringType!.Name}.{m.Name}")
            .Where(n => !WithoutActor.ContainsKey(n))
            .Distinct().Order().ToList();
        Assert.True(missing.Count == 0, "Public Data-layer methods without an Actor (add the Actor and check it):\n" + string.Join("\n", missing));
    }

    [Fact]
    public void The_list_of_exceptions_names_only_methods_that_exist()
    {
        var names = PublicAsyncMethods().Select(m => $"{m.DeclaringType!.Name}.{m.Name}").ToHashSet();
        var stale = WithoutActor.Keys.Where(k => !names.Contains(k)).ToList();
        Assert.True(stale.Count == 0, string.Join(", ", stale));
    }

    [Fact]
    public async Task A_handler_of_another_department_reads_nothing_of_the_complaint()
    {
        var id = await _w.RegisterComplaintAsync();
        var counting = _s.Get<CountingRepository>();
        var hot = _s.Get<HotComplaintRepository>();
        var other = _w.OtherHandler;
        await Assert.ThrowsAsync<ForbiddenException>(() => _w.Complaints.TimelineAsync(other, id));
        await Assert.ThrowsAsync<ForbiddenException>(() => counting.GetAsync(other, id));
        await Assert.ThrowsAsync<ForbiddenException>(() => counting.VoicesAsync(other, id));
        await Assert.ThrowsAsync<ForbiddenException>(() => counting.MembersAsync(other, id));
        await Assert.ThrowsAsync<ForbiddenException>(() => counting.SplitOffsAsync(other, id));
        await Assert.ThrowsAsync<ForbiddenException>(() => hot.ForComplaintAsync(other, id));

        // The complaint's own department reads it all.
        Assert.NotEmpty(await _w.Complaints.TimelineAsync(_w.Handler, id));
        Assert.NotNull(await counting.GetAsync(_w.Handler, id));
        Assert.NotEmpty(await counting.VoicesAsync(_w.Manager, id));
        Assert.Empty(await counting.SplitOffsAsync(_w.Handler, id));
        Assert.Null(await hot.ForComplaintAsync(_w.Handler, id));
    }

    [Fact]
    public async Task Reads_of_another_role_are_refused()
    {
        var handler = _w.Handler;
        var hr = Build.Actor(9101, Roles.Hr);
        await Assert.ThrowsAsync<ForbiddenException>(() => _s.Get<ReturnVisitRepository>().AttemptsAsync(handler, 1));
        await Assert.ThrowsAsync<ForbiddenException>(() => _w.Intake.SearchAsync(handler, null, null, 0, 10));
        await Assert.ThrowsAsync<ForbiddenException>(() => _w.Intake.HistoryAsync(hr, _w.CustomerId));
        await Assert.ThrowsAsync<ForbiddenException>(() => _w.Intake.OpenComplaintsAsync(hr, _w.CustomerId));
        await Assert.ThrowsAsync<ForbiddenException>(() => _s.Get<HotComplaintRepository>().ListAsync(_w.Agent, sent: false));
        await Assert.ThrowsAsync<ForbiddenException>(() => _s.Get<HotComplaintRepository>().GetAsync(handler, 1));
        await Assert.ThrowsAsync<ForbiddenException>(() => _s.Get<CountingRepository>().AwaitingVerificationAsync(handler, null, 0, 10));
        await Assert.ThrowsAsync<ForbiddenException>(() => _s.Get<CountingRepository>().IdBySheetNoAsync(handler, "FY-2026-000001"));
        await Assert.ThrowsAsync<ForbiddenException>(() => _s.Get<CountingRepository>().SuggestDuplicatesAsync(handler, _w.ProjectId, "楼上漏水天花板", _s.Clock.GetUtcNow()));
        await Assert.ThrowsAsync<ForbiddenException>(() => _s.Get<CustomerReturnVisits>().ForCustomerAsync(handler, _w.CustomerId));
        await Assert.ThrowsAsync<ForbiddenException>(() => _s.Get<AnnualReportService>().ComputeAsync(handler, 2026));
        await Assert.ThrowsAsync<ForbiddenException>(() => _s.Get<ReturnVisitAnalysisRepository>().PlanAsync(hr, "2026-11"));
    }

    [Fact]
    public async Task A_department_reads_its_own_figures_and_not_another_departments()
    {
        var analysis = _s.Get<ReturnVisitAnalysisRepository>();
        var statistics = _s.Get<ComplaintStatistics>();
        var manager = _w.Manager;
        var now = _s.Clock.GetUtcNow();
        Assert.NotNull(await analysis.FiguresAsync(manager, _w.DepartmentId, "2026-11"));
        await Assert.ThrowsAsync<ForbiddenException>(() => analysis.FiguresAsync(manager, _w.OtherDepartmentId, "2026-11"));
        await Assert.ThrowsAsync<ForbiddenException>(() => analysis.FiguresAsync(_w.OtherHandler, _w.DepartmentId, "2026-11"));
        Assert.NotNull(await statistics.CountAsync(manager, new StatisticsQuery(now.AddDays(-30), now, StatisticsDimension.Project, DepartmentId: _w.DepartmentId)));
        await Assert.ThrowsAsync<ForbiddenException>(() => statistics.CountAsync(manager, new StatisticsQuery(now.AddDays(-30), now, StatisticsDimension.Project, DepartmentId: _w.OtherDepartmentId)));
        await Assert.ThrowsAsync<ForbiddenException>(() => statistics.CountAsync(manager, new StatisticsQuery(now.AddDays(-30), now, StatisticsDimension.Project)));
    }
}

/// <summary>A deadline extension lies within a configurable horizon unless the manager extends it (issue #12 point 14).</summary>
public sealed class ExtensionHorizonTests(DatabaseFixture db) : ComplaintWorldTests(db)
{
    [Fact]
    public async Task A_handler_extends_at_most_30_days_ahead_and_the_manager_further()
    {
        var id = await _w.RegisterComplaintAsync();
        var now = _s.Clock.GetUtcNow();
        var ex = await Assert.ThrowsAsync<ValidationFailedException>(() => _w.Lifecycle.ExtendAsync(_w.Handler, id, now.AddDays(31), "等待政府审批"));
        Assert.Equal("Complaint.ExtensionBeyondHorizon", ex.Errors["NewDue"].Code);
        await _w.Lifecycle.ExtendAsync(_w.Manager, id, now.AddDays(31), "等待政府审批，经理同意");
        Assert.Equal(now.AddDays(31), (await _w.Complaints.GetAsync(_w.Handler, id))!.ReplyDueAt);
    }
}
