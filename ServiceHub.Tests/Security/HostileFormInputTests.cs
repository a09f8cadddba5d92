using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using ServiceHub.Data.Accountability;
using ServiceHub.Data.Admin;
using ServiceHub.Data.Assessment;
using ServiceHub.Data.Counting;
using ServiceHub.Data.Emergencies;
using ServiceHub.Data.Infrastructure;
using ServiceHub.Data.Information;
using ServiceHub.Data.Integrations;
using ServiceHub.Data.Notifications;
using ServiceHub.Data.ReturnVisits;
using ServiceHub.Tests.Infrastructure;
using ServiceHub.Tests.ReturnVisits;

namespace ServiceHub.Tests.Security;

/// <summary>
/// Hostile input on every other form (issue #12 point 15), each through the Data-layer call its page makes: 100 KB of text and a NUL
/// character are refused with the field's message and nothing is written (the tables the call writes are unchanged, row for row);
/// SQL and HTML payloads, right-to-left marks, emoji and control characters are stored and read back as the same text.
/// </summary>
public sealed class HostileFormInputTests(DatabaseFixture db) : WorldTests<ReturnVisitWorld>(db)
{
    /// <summary>
    /// One form field: what it needs first (a complaint, a task, an emergency on site…) and returns a key, the call its page makes with
    /// the typed text (returning the key of the row to read), where the text is read back, the field of the message, and the tables
    /// the call writes.
    /// </summary>
    private sealed record FormField(string Field, string[] Tables, Func<Task<long>> Prepare, Func<long, string, Task<long>> Submit, Func<long, Task<string?>> Read);

    private Actor _hr = default!, _admin = default!;
    private string _period = "";
    private static int _counter;

    public static TheoryData<string> Fields() =>
    [
        "info-body", "release-body", "document-body", "penalty-note", "hot-report", "impact", "standard-reply", "root-cause",
        "analysis", "plan-opinion", "plan-action", "attempt-notes", "attempt-words", "emergency-description", "emergency-findings",
        "emergency-confirmation", "deduction-note", "instant-report", "project-address", "calendar-name", "robot-name", "webhook-name",
        "api-key-name", "email-from-name",
    ];

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        var n = Interlocked.Increment(ref _counter);
        _hr = await _w.PersonAsync($"hx{n}hr{Guid.NewGuid():N}"[..20], Roles.Hr, null, "人力");
        _admin = await _w.PersonAsync($"hx{n}ad{Guid.NewGuid():N}"[..20], Roles.Admin, null, "管理员");
        _period = Month.Current(_s.Clock).ToString();
    }

    private Task<string?> Text(string sql, long key) => Scalar<string?>(sql, new { key });

    private EmergencyReport Report(string description, bool other = false) => new()
    {
        Kind = other ? EmergencyKinds.Other : EmergencyKinds.FireExplosion, KindDetail = other ? "电梯困人" : "",
        ProjectId = _w.W.ProjectId, Location = "3号楼地下车库", OccurredAt = _s.Clock.GetUtcNow().AddMinutes(-10),
        Description = description, ResponsibleDepartmentId = _w.W.DepartmentId,
    };

    /// <summary>The app's data protection is not part of the Data services: secrets are protected with keys of this test's own.</summary>
    private readonly IDataProtectionProvider _protection = new EphemeralDataProtectionProvider();

    private ChannelSettings Channels() => new(_w.DataSource, _protection, new ConfigurationBuilder().Build(), _s.Get<AuditLog>(), _s.Clock);

    private WebhookRepository Webhooks() => ActivatorUtilities.CreateInstance<WebhookRepository>(_s.Provider, _protection);

    private async Task<long> OpenTaskAsync() => await _w.TaskOfAsync(await _w.HandledComplaintAsync());

    private FormField Of(string name)
    {
        var nothing = () => Task.FromResult(0L);
        var unique = () => $"{Interlocked.Increment(ref _counter)}{Guid.NewGuid():N}"[..10];
        return name switch
        {
            "info-body" => new("Body", ["info_records"], nothing,
                async (_, t) => await _s.Get<InformationRegister>().FileAsync(_w.Supervisor, "personal_info", "业主档案", t, null, null),
                id => Text("SELECT body FROM info_records WHERE id = @key", id)),
            "release-body" => new("Body", ["info_releases", "audit_log"], nothing,
                async (_, t) => await _s.Get<ReleaseRepository>().DraftAsync(_w.Supervisor, "internal", "客服部排班调整", t),
                id => Text("SELECT body FROM info_releases WHERE id = @key", id)),
            "document-body" => new("Body", ["formal_documents", "notifications", "audit_log"], nothing,
                async (_, t) => await _s.Get<FormalDocumentRepository>().SendAsync(_w.W.Manager, "关于外墙维修的报告", t),
                id => Text("SELECT body FROM formal_documents WHERE id = @key", id)),
            "penalty-note" => new("Note", ["penalties", "spot_check_items", "notifications"],
                async () =>
                {
                    await _w.W.RegisterComplaintAsync();
                    await _s.Get<SpotCheckRepository>().DrawAsync(_hr, _period, [new DrawShare(null, 50)], seed: 7);
                    return (await _s.Get<SpotCheckRepository>().ItemsAsync(_hr, _period)).First().Id;
                },
                async (item, t) =>
                {
                    var i = (await _s.Get<SpotCheckRepository>().ItemAsync(_hr, item))!;
                    return await _s.Get<SpotCheckRepository>().ProposeAsync(_hr, i.Id, i.FirstResponderId, Breaches.ResultNotRecorded, 50, t);
                },
                id => Text("SELECT note FROM penalties WHERE id = @key", id)),
            "hot-report" => new("Content", ["hot_complaints"],
                async () => await _s.Get<HotComplaintRepository>().FlagAsync(_w.Supervisor, await _w.W.RegisterComplaintAsync()),
                async (hot, t) =>
                {
                    await _s.Get<HotComplaintRepository>().SaveReportAsync(_w.Supervisor, (int)hot, new HotReport(t, "施工质量", "维修中", "无", "无"));
                    return hot;
                },
                id => Text("SELECT content FROM hot_complaints WHERE id = @key", id)),
            "impact" => new("Impact", ["complaints", "complaint_events"], () => _w.W.RegisterComplaintAsync(),
                async (complaint, t) =>
                {
                    await _s.Get<CountingRepository>().SetImpactAsync(_w.Supervisor, complaint, t);
                    return complaint;
                },
                id => Text("SELECT impact FROM complaints WHERE id = @key", id)),
            "standard-reply" => new("Reply", ["standard_replies"], nothing,
                async (_, t) => await _s.Get<StandardReplyRepository>().SubmitAsync(_w.W.Manager, new StandardReplyDraft(_w.W.ProjectId, "外墙渗水", t)),
                id => Text("SELECT reply FROM standard_replies WHERE id = @key", id)),
            "root-cause" => new("Definition", ["root_causes"], nothing,
                async (_, t) => await _s.Get<CountingRepository>().SaveRootCauseAsync(_w.Supervisor, new RootCause(0, null, "原因" + unique(), "Cause " + unique(), t, true, 99)),
                id => Text("SELECT definition FROM root_causes WHERE id = @key", id)),
            "analysis" => new("Analysis", ["return_visit_analyses"], nothing,
                async (_, t) =>
                {
                    await _s.Get<ReturnVisitAnalysisRepository>().SubmitAnalysisAsync(_w.Supervisor, _w.W.DepartmentId, _period, t);
                    return _w.W.DepartmentId;
                },
                dept => Scalar<string?>("SELECT analysis FROM return_visit_analyses WHERE department_id = @dept AND period = @period", new { dept, period = _period })),
            "plan-opinion" => new("FinalOpinion", ["return_visit_plans"], nothing,
                async (_, t) => await _s.Get<ReturnVisitAnalysisRepository>().SavePlanAsync(_w.Visitor, _period, t, "", null),
                id => Text("SELECT final_opinion FROM return_visit_plans WHERE id = @key", id)),
            "plan-action" => new("Description", ["return_visit_plan_actions"],
                () => _s.Get<ReturnVisitAnalysisRepository>().SavePlanAsync(_w.Visitor, _period, "加强回访", "", null),
                async (plan, t) => await _s.Get<ReturnVisitAnalysisRepository>().AddActionAsync(_w.Visitor, plan, t, null, null),
                id => Text("SELECT description FROM return_visit_plan_actions WHERE id = @key", id)),
            "attempt-notes" => new("Notes", ["return_visit_attempts", "return_visit_tasks", "complaints"], OpenTaskAsync,
                async (task, t) =>
                {
                    await _w.Visits.RecordAttemptAsync(_w.Visitor, task, new AttemptForm { Result = AttemptResults.NoAnswer, Notes = t });
                    return task;
                },
                task => Text("SELECT notes FROM return_visit_attempts WHERE task_id = @key ORDER BY id DESC LIMIT 1", task)),
            "attempt-words" => new("CustomerWords", ["return_visit_attempts", "return_visit_tasks", "complaints"], OpenTaskAsync,
                async (task, t) =>
                {
                    await _w.Visits.RecordAttemptAsync(_w.Visitor, task,
                        new AttemptForm { Result = AttemptResults.Reached, Outcome = Outcomes.NotSatisfied, CustomerWords = t });
                    return task;
                },
                task => Text("SELECT customer_words FROM return_visit_tasks WHERE id = @key", task)),
            "emergency-description" => new("Description", ["emergencies", "emergency_events", "emergency_alerts", "outbox_messages"], nothing,
                async (_, t) => await _s.Get<EmergencyRepository>().ReportAsync(_w.W.Agent, Report(t)),
                id => Text("SELECT description FROM emergencies WHERE id = @key", id)),
            "emergency-findings" => new("Cause", ["emergencies", "emergency_events"],
                async () =>
                {
                    var id = await _s.Get<EmergencyRepository>().ReportAsync(_w.W.Agent, Report("车库配电间起火"));
                    await _s.Get<EmergencyRepository>().RecordArrivalAsync(_w.W.Manager, id);
                    return id;
                },
                async (id, t) =>
                {
                    await _s.Get<EmergencyRepository>().RecordFindingsAsync(_w.W.Manager, (int)id, new EmergencyFindings { Cause = t, Scope = "B区", Response = "已断电" });
                    return id;
                },
                id => Text("SELECT cause FROM emergencies WHERE id = @key", id)),
            "emergency-confirmation" => new("Note", ["emergencies", "emergency_events", "emergency_alerts", "outbox_messages"],
                async () => await _s.Get<EmergencyRepository>().ReportAsync(_w.W.Agent, Report("电梯困人超过一小时", other: true)),
                async (id, t) =>
                {
                    await _s.Get<EmergencyRepository>().ConfirmAsync(_w.Supervisor, (int)id, false, t);
                    return id;
                },
                id => Text("SELECT confirmation_note FROM emergencies WHERE id = @key", id)),
            "deduction-note" => new("Note", ["assessment_manual_deductions", "audit_log"], nothing,
                async (_, t) => await _s.Get<InformationAssessment>().RecordDeductionAsync(_admin, new ManualDeductionForm
                {
                    RuleCode = "INFO_NOT_TRUE", DepartmentId = _w.W.DepartmentId, OccurredOn = BusinessTime.ToLocal(_s.Clock.GetUtcNow()).DateTime.AddDays(-1), Note = t,
                }),
                id => Text("SELECT note FROM assessment_manual_deductions WHERE id = @key", id)),
            "instant-report" => new("Content", ["report_items", "audit_log"], nothing,
                async (_, t) => await _s.Get<ReportingCalendar>().ReportInstantAsync(_admin, new InstantForm
                {
                    DepartmentId = _w.W.DepartmentId, Title = "小区停水", OccurredAt = _s.Clock.GetUtcNow().AddHours(-1), Content = t,
                }),
                id => Text("SELECT content FROM report_items WHERE id = @key", id)),
            "project-address" => new("Address", ["projects", "audit_log"], nothing,
                async (_, t) => await _s.Get<ProjectRepository>().SaveAsync(_admin, new ProjectEdit { Code = "HX" + unique()[..8], Name = "项目" + unique(), Address = t }),
                id => Text("SELECT address FROM projects WHERE id = @key", id)),
            "calendar-name" => new("Name", ["calendar_days"], nothing,
                async (_, t) =>
                {
                    var day = new DateOnly(2040, 1, 1).AddDays(Interlocked.Increment(ref _counter));
                    await _s.Get<CalendarRepository>().SaveAsync(_admin, day, "holiday", t);
                    return day.DayNumber;
                },
                day => Scalar<string?>("SELECT name FROM calendar_days WHERE day = @day", new { day = DateOnly.FromDayNumber((int)day) })),
            "robot-name" => new("Name", ["notification_robots", "audit_log"], nothing,
                async (_, t) => await Channels().SaveRobotAsync(_admin, new RobotForm
                {
                    Name = t, Kind = NotificationChannels.WeCom, Webhook = "https://qyapi.example.cn/cgi-bin/webhook/send?key=hostile", IsActive = false,
                }),
                id => Text("SELECT name FROM notification_robots WHERE id = @key", id)),
            "webhook-name" => new("Name", ["webhook_subscriptions", "audit_log"], nothing,
                async (_, t) => (await Webhooks().CreateAsync(_admin, new WebhookForm
                {
                    Name = t, Url = "https://hooks.example.cn/servicehub", EventKinds = [WebhookEvents.All[0]], IsActive = false,
                })).Id,
                id => Text("SELECT name FROM webhook_subscriptions WHERE id = @key", id)),
            "api-key-name" => new("Name", ["api_keys", "users", "audit_log"], nothing,
                async (_, t) => (await _s.Get<ApiKeyRepository>().IssueAsync(_admin, new ApiKeyForm
                {
                    Name = t + unique(), Scopes = [ApiScopes.Contacts], Roles = [Roles.Agent], ExpiresOn = BusinessTime.Today(_s.Clock).AddDays(30),
                })).Id,
                async id => (await Text("SELECT name FROM api_keys WHERE id = @key", id))?[..^10]),
            "email-from-name" => new("FromName", ["notification_channel_settings", "audit_log"], nothing,
                async (_, t) =>
                {
                    await Channels().SaveEmailAsync(_admin, new EmailSettings { Host = "smtp.example.cn", From = "alerts@example.cn", FromName = t });
                    return 0;
                },
                async _ => (await Channels().EmailAsync(_admin)).Settings.FromName),
            _ => throw new ArgumentOutOfRangeException(nameof(name), name, null),
        };
    }

    [Theory]
    [MemberData(nameof(Fields))]
    public async Task Hundred_kilobytes_or_a_nul_character_are_refused_at_the_field_and_nothing_is_written(string name)
    {
        var form = Of(name);
        var key = await form.Prepare();
        var before = await Hostile.FingerprintAsync(Db.ConnectionString, form.Tables);

        var huge = await Assert.ThrowsAsync<ValidationFailedException>(() => form.Submit(key, Hostile.Huge));
        Assert.Equal(("Validation.TooLong", true), (huge.Errors[form.Field].Code, huge.Errors[form.Field].Args is [int max] && max < 5000));
        var nul = await Assert.ThrowsAsync<ValidationFailedException>(() => form.Submit(key, Hostile.Nul));
        Assert.Equal("Validation.NulCharacter", nul.Errors[form.Field].Code);

        Assert.Equal(before, await Hostile.FingerprintAsync(Db.ConnectionString, form.Tables));
    }

    [Theory]
    [MemberData(nameof(Fields))]
    public async Task Sql_html_rtl_marks_emoji_and_control_characters_are_stored_and_read_back_as_the_same_text(string name)
    {
        var form = Of(name);
        foreach (var payload in ((IEnumerable<object[]>)Hostile.Payloads()).Select(row => (string)row[0]))
        {
            var key = await form.Prepare();
            var row = await form.Submit(key, payload);
            Assert.Equal(payload.Trim(), await form.Read(row));
        }
    }
}
