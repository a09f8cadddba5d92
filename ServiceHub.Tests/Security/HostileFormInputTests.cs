using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using ServiceHub.Data.Accountability;
using ServiceHub.Data.Admin;
using ServiceHub.Data.Assessment;
using ServiceHub.Data.Complaints;
using ServiceHub.Data.Counting;
using ServiceHub.Data.Emergencies;
using ServiceHub.Data.Infrastructure;
using ServiceHub.Data.Information;
using ServiceHub.Data.Intake;
using ServiceHub.Data.Integrations;
using ServiceHub.Data.Notifications;
using ServiceHub.Data.Operations;
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
    private sealed record FormField(string Field, string[] Tables, Func<Task<long>> Prepare, Func<long, string, Task<long>> Submit, Func<long, Task<string?>> Read)
    {
        /// <summary>A code or name with a format of its own: odd text may be refused at the field (nothing written) instead of stored.</summary>
        public bool MayRefuse { get; init; }
    }

    private Actor _hr = default!, _admin = default!;
    private string _period = "";
    private static int _counter;

    /// <summary>Each case and the Data-layer text it sends hostile input to (<see cref="FormTextSlots"/>).</summary>
    public static readonly IReadOnlyDictionary<string, string> Cases = new Dictionary<string, string>
    {
        ["intake-content"] = "IntakeRepository.RegisterAsync(form.Content)",
        ["intake-answer"] = "IntakeRepository.RegisterAsync(form.Answer)",
        ["intake-purpose"] = "IntakeRepository.RegisterAsync(form.Purpose)",
        ["contact-method"] = "ComplaintLifecycle.ConfirmContactAsync(method)",
        ["contact-note"] = "ComplaintLifecycle.ConfirmContactAsync(note)",
        ["reception-confirmed-by"] = "IntakeRepository.RegisterAsync(form.ReceptionConfirmedBy)",
        ["verify-reason"] = "CountingRepository.VerifyAsync(reason)",
        ["hand-over-note"] = "IntakeRepository.HandOverAsync(note)",
        ["hand-over-result"] = "IntakeRepository.RecordHandOverResultAsync(result)",
        ["phrase-text"] = "IntakeRepository.SavePhraseAsync(text)",
        ["complaint-note"] = "ComplaintLifecycle.AddNoteAsync(note)",
        ["handle-resolution"] = "ComplaintLifecycle.HandleAsync(resolution)",
        ["handle-reply"] = "ComplaintLifecycle.HandleAsync(reply)",
        ["extend-reason"] = "ComplaintLifecycle.ExtendAsync(reason)",
        ["return-visit-need-reason"] = "ComplaintLifecycle.SetReturnVisitNeedAsync(reason)",
        ["info-title"] = "InformationRegister.FileAsync(title)",
        ["info-body"] = "InformationRegister.FileAsync(body)",
        ["info-private-data"] = "InformationRegister.FileAsync(privateData)",
        ["release-title"] = "ReleaseRepository.DraftAsync(title)",
        ["release-body"] = "ReleaseRepository.DraftAsync(body)",
        ["release-reject-reason"] = "ReleaseRepository.DecideAsync(reason)",
        ["release-channel"] = "ReleaseRepository.PublishAsync(channel)",
        ["document-title"] = "FormalDocumentRepository.SendAsync(title)",
        ["document-body"] = "FormalDocumentRepository.SendAsync(body)",
        ["document-forward-note"] = "FormalDocumentRepository.ForwardAsync(note)",
        ["penalty-note"] = "SpotCheckRepository.ProposeAsync(note)",
        ["contest-note"] = "SpotCheckRepository.ContestAsync(note)",
        ["hot-report"] = "HotComplaintRepository.SaveReportAsync(report.Content)",
        ["hot-cause-analysis"] = "HotComplaintRepository.SaveReportAsync(report.CauseAnalysis)",
        ["hot-current-status"] = "HotComplaintRepository.SaveReportAsync(report.CurrentStatus)",
        ["hot-difficulties"] = "HotComplaintRepository.SaveReportAsync(report.Difficulties)",
        ["hot-help-needed"] = "HotComplaintRepository.SaveReportAsync(report.HelpNeeded)",
        ["impact"] = "CountingRepository.SetImpactAsync(impact)",
        ["standard-matter"] = "StandardReplyRepository.SubmitAsync(draft.Matter)",
        ["standard-reply"] = "StandardReplyRepository.SubmitAsync(draft.Reply)",
        ["standard-decision-note"] = "StandardReplyRepository.DecideAsync(note)",
        ["root-cause"] = "CountingRepository.SaveRootCauseAsync(cause.Definition)",
        ["root-cause-name"] = "CountingRepository.SaveRootCauseAsync(cause.Name)",
        ["root-cause-name-en"] = "CountingRepository.SaveRootCauseAsync(cause.NameEn)",
        ["analysis"] = "ReturnVisitAnalysisRepository.SubmitAnalysisAsync(analysis)",
        ["plan-opinion"] = "ReturnVisitAnalysisRepository.SavePlanAsync(finalOpinion)",
        ["plan-decided"] = "ReturnVisitAnalysisRepository.SavePlanAsync(decidedPlan)",
        ["plan-action"] = "ReturnVisitAnalysisRepository.AddActionAsync(description)",
        ["attempt-notes"] = "ReturnVisitRepository.RecordAttemptAsync(form.Notes)",
        ["attempt-words"] = "ReturnVisitRepository.RecordAttemptAsync(form.CustomerWords)",
        ["emergency-description"] = "EmergencyRepository.ReportAsync(report.Description)",
        ["emergency-location"] = "EmergencyRepository.ReportAsync(report.Location)",
        ["emergency-kind-detail"] = "EmergencyRepository.ReportAsync(report.KindDetail)",
        ["emergency-findings"] = "EmergencyRepository.RecordFindingsAsync(findings.Cause)",
        ["emergency-scope"] = "EmergencyRepository.RecordFindingsAsync(findings.Scope)",
        ["emergency-response"] = "EmergencyRepository.RecordFindingsAsync(findings.Response)",
        ["emergency-confirmation"] = "EmergencyRepository.ConfirmAsync(note)",
        ["deduction-note"] = "InformationAssessment.RecordDeductionAsync(form.Note)",
        ["rule-name"] = "InformationAssessment.SaveRuleAsync(edit.Name)",
        ["rule-name-en"] = "InformationAssessment.SaveRuleAsync(edit.NameEn)",
        ["instant-report"] = "ReportingCalendar.ReportInstantAsync(form.Content)",
        ["instant-title"] = "ReportingCalendar.ReportInstantAsync(form.Title)",
        ["instant-attachment-note"] = "ReportingCalendar.ReportInstantAsync(form.AttachmentNote)",
        ["project-code"] = "ProjectRepository.SaveAsync(edit.Code)",
        ["project-name"] = "ProjectRepository.SaveAsync(edit.Name)",
        ["project-address"] = "ProjectRepository.SaveAsync(edit.Address)",
        ["building-name"] = "ProjectRepository.AddBuildingAsync(name)",
        ["unit-number"] = "ProjectRepository.AddBuildingAsync(unitNumbers)",
        ["customer-name"] = "CustomerRepository.SaveAsync(edit.Name)",
        ["customer-notes"] = "CustomerRepository.SaveAsync(edit.Notes)",
        ["customer-membership-no"] = "CustomerRepository.SaveAsync(edit.MembershipNo)",
        ["customer-membership-level"] = "CustomerRepository.SaveAsync(edit.MembershipLevel)",
        ["customer-contact-handle"] = "CustomerRepository.SaveAsync(edit.ContactHandle)",
        ["department-code"] = "DepartmentRepository.SaveAsync(edit.Code)",
        ["department-name"] = "DepartmentRepository.SaveAsync(edit.Name)",
        ["department-name-en"] = "DepartmentRepository.SaveAsync(edit.NameEn)",
        ["user-display-name"] = "UserRepository.SaveAsync(edit.DisplayName)",
        ["user-name"] = "UserRepository.SaveAsync(edit.UserName)",
        ["calendar-name"] = "CalendarRepository.SaveAsync(name)",
        ["robot-name"] = "ChannelSettings.SaveRobotAsync(f.Name)",
        ["webhook-name"] = "WebhookRepository.CreateAsync(form.Name)",
        ["webhook-name-update"] = "WebhookRepository.UpdateAsync(form.Name)",
        ["api-key-name"] = "ApiKeyRepository.IssueAsync(form.Name)",
        ["email-from-name"] = "ChannelSettings.SaveEmailAsync(s.FromName)",
        ["email-host"] = "ChannelSettings.SaveEmailAsync(s.Host)",
        ["email-user-name"] = "ChannelSettings.SaveEmailAsync(s.UserName)",
        ["sms-access-key-id"] = "ChannelSettings.SaveSmsAsync(s.AccessKeyId)",
        ["sms-sign-name"] = "ChannelSettings.SaveSmsAsync(s.SignName)",
        ["sms-template-code"] = "ChannelSettings.SaveSmsAsync(s.TemplateCode)",
        ["sms-region-id"] = "ChannelSettings.SaveSmsAsync(s.RegionId)",
        ["report-format-title"] = "ReportFormats.IssueAsync(form.Title)",
        ["report-format-contents"] = "ReportFormats.IssueAsync(form.Contents)",
        ["transfer-reason"] = "ComplaintLifecycle.TransferAsync(reason)",
        ["agree-reply-date-reason"] = "ComplaintLifecycle.AgreeReplyDateAsync(reason)",
        ["destruction-request-reason"] = "InformationRegister.RequestDestructionAsync(reason)",
        ["destruction-reject-reason"] = "InformationRegister.RejectDestructionAsync(reason)",
        ["follow-up-content"] = "CountingRepository.SplitFollowUpAsync(content)",
        ["follow-up-author"] = "CountingRepository.SplitFollowUpAsync(author)",
        ["offline-impact"] = "CountingRepository.UpdateOnlineAsync(offlineImpact)",
        ["reply-opinion-note"] = "StandardReplyRepository.RecordOpinionAsync(note)",
        ["unreachable-note"] = "ReturnVisitRepository.CloseUnreachableAsync(note)",
        ["call-id"] = "CallRepository.RecordAsync(report.CallId)",
        ["grade-band"] = "InformationAssessment.SaveBandsAsync(bands[].Grade)",
        ["submission-content"] = "ReportingCalendar.SubmitAsync(form.Content)",
        ["submission-attachment-note"] = "ReportingCalendar.SubmitAsync(form.AttachmentNote)",
        ["administrator-display-name"] = "Installation.CreateAdministratorAsync(displayName)",
        ["administrator-user-name"] = "Installation.CreateAdministratorAsync(userName)",
    };

    public static TheoryData<string> Fields() => [.. Cases.Keys];

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

    private static T With<T>(T form, Action<T> change)
    {
        change(form);
        return form;
    }

    private static string Phone() => "139" + Random.Shared.Next(10_000_000, 99_999_999);

    private async Task<long> ContactedComplaintAsync()
    {
        var id = await _w.W.RegisterComplaintAsync();
        await _w.W.Lifecycle.ConfirmContactAsync(_w.W.Handler, id, _s.Clock.GetUtcNow(), "电话");
        return id;
    }

    private async Task<long> ProposedPenaltyAsync()
    {
        await _w.W.RegisterComplaintAsync();
        var checks = _s.Get<SpotCheckRepository>();
        await checks.DrawAsync(_hr, _period, [new DrawShare(null, 50)], seed: 7);
        var item = (await checks.ItemsAsync(_hr, _period)).First();
        return await checks.ProposeAsync(_hr, item.Id, item.FirstResponderId, Breaches.ResultNotRecorded, 50, "未记录处理结果");
    }

    private FormField HotPart(string field, string column, Func<string, HotReport> report) => new(field, ["hot_complaints"],
        async () => await _s.Get<HotComplaintRepository>().FlagAsync(_w.Supervisor, await _w.W.RegisterComplaintAsync()),
        async (hot, t) =>
        {
            await _s.Get<HotComplaintRepository>().SaveReportAsync(_w.Supervisor, (int)hot, report(t));
            return hot;
        },
        id => Text($"SELECT {column} FROM hot_complaints WHERE id = @key", id));

    private FormField Findings(string field, string column, Func<string, EmergencyFindings> findings) => new(field, ["emergencies", "emergency_events"],
        async () =>
        {
            var id = await _s.Get<EmergencyRepository>().ReportAsync(_w.W.Agent, Report("车库配电间起火"));
            await _s.Get<EmergencyRepository>().RecordArrivalAsync(_w.W.Manager, id);
            return id;
        },
        async (id, t) =>
        {
            await _s.Get<EmergencyRepository>().RecordFindingsAsync(_w.W.Manager, (int)id, findings(t));
            return id;
        },
        id => Text($"SELECT {column} FROM emergencies WHERE id = @key", id));

    private FormField Instant(string field, string column, Action<InstantForm, string> set) => new(field, ["report_items", "audit_log"],
        () => Task.FromResult(0L),
        async (_, t) =>
        {
            var form = new InstantForm { DepartmentId = _w.W.DepartmentId, Title = "小区停水", OccurredAt = _s.Clock.GetUtcNow().AddHours(-1), Content = "二期停水两小时" };
            set(form, t);
            return await _s.Get<ReportingCalendar>().ReportInstantAsync(_admin, form);
        },
        id => Text($"SELECT {column} FROM report_items WHERE id = @key", id));

    /// <summary>An instant report not yet submitted (its id is the key), then submitted with the form.</summary>
    private FormField Submission(string field, string column, Action<SubmissionForm, string> set) => new(field, ["report_items", "audit_log"],
        () => _s.Get<ReportingCalendar>().ReportInstantAsync(_admin, new InstantForm
        {
            DepartmentId = _w.W.DepartmentId, Title = "小区停水", OccurredAt = _s.Clock.GetUtcNow().AddHours(-1), Content = "二期停水两小时", SubmitNow = false,
        }),
        async (item, t) =>
        {
            await _s.Get<ReportingCalendar>().SubmitAsync(_admin, item, With(new SubmissionForm { Content = "停水已恢复" }, f => set(f, t)));
            return item;
        },
        item => Text($"SELECT {column} FROM report_items WHERE id = @key", item));

    /// <summary>The next version of the annual summary's format (its number is the key).</summary>
    private FormField ReportFormat(string field, string column, Action<ReportFormatForm, string> set) => new(field, ["report_formats", "audit_log"],
        () => Task.FromResult(0L),
        async (_, t) =>
        {
            var current = await Scalar<int>("SELECT coalesce(max(version), 0) FROM report_formats WHERE kind = @kind", new { kind = ReportKinds.AnnualSummaryPlan });
            var form = new ReportFormatForm { Kind = ReportKinds.AnnualSummaryPlan, BasedOnVersion = current, Title = "年度总结格式", Contents = "一、总结；二、计划" };
            set(form, t);
            return await _s.Get<ReportFormats>().IssueAsync(_admin, form);
        },
        version => Scalar<string?>($"SELECT {column} FROM report_formats WHERE kind = @kind AND version = @version", new { kind = ReportKinds.AnnualSummaryPlan, version = (int)version }));

    /// <summary>A new assessment rule, its code <c>HX_n</c> (n is the key).</summary>
    private FormField Rule(string field, string column, Action<RuleEdit, string> set) => new(field, ["assessment_rules", "audit_log"],
        () => Task.FromResult((long)Interlocked.Increment(ref _counter)),
        async (n, t) =>
        {
            var rule = new RuleEdit { IsNew = true, Code = $"HX_{n}", Name = "信息不实" + n, NameEn = "Untrue " + n, Points = 1m };
            set(rule, t);
            await _s.Get<InformationAssessment>().SaveRuleAsync(_admin, rule);
            return n;
        },
        n => Scalar<string?>($"SELECT {column} FROM assessment_rules WHERE code = @code", new { code = $"HX_{n}" }));

    /// <summary>A stored record of a kind kept three years, and the clock moved past its retention: its destruction may be asked for.</summary>
    private async Task<long> StoredPastRetentionAsync()
    {
        var register = _s.Get<InformationRegister>();
        var record = await register.FileAsync(_w.Supervisor, "questions", "物业费咨询记录", "咨询物业费标准", null, null);
        await register.StoreAsync(_w.Supervisor, record);
        _s.Clock.Advance(TimeSpan.FromDays(3 * 366 + 35));
        return record;
    }

    /// <summary>A complaint posted on a forum (an online complaint).</summary>
    private async Task<long> OnlineComplaintAsync() =>
        (await _w.W.Intake.RegisterAsync(_w.W.Agent, With(_w.W.ComplaintForm("论坛发帖：小区停车位严重不足"), f => f.Channel = ServiceHub.Data.Complaints.Channels.Forum))).ComplaintId!.Value;

    private FormField Customer(string field, string column, Action<CustomerEdit, string> set) => new(field, ["customers", "audit_log"],
        () => Task.FromResult(0L),
        async (_, t) => await _s.Get<CustomerRepository>().SaveAsync(_admin, With(new CustomerEdit { Name = "业主" + Guid.NewGuid().ToString("N")[..8], Phone = Phone() }, c => set(c, t))),
        id => Text($"SELECT {column} FROM customers WHERE id = @key", id));

    private FormField Email(string field, Action<EmailSettings, string> set, Func<EmailSettings, string> get) => new(field, ["notification_channel_settings", "audit_log"],
        () => Task.FromResult(0L),
        async (_, t) =>
        {
            await Channels().SaveEmailAsync(_admin, With(new EmailSettings { Host = "smtp.example.cn", From = "alerts@example.cn" }, e => set(e, t)));
            return 0;
        },
        async _ => get((await Channels().EmailAsync(_admin)).Settings));

    private FormField Sms(string field, Action<SmsSettings, string> set, Func<SmsSettings, string> get) => new(field, ["notification_channel_settings", "audit_log"],
        () => Task.FromResult(0L),
        async (_, t) =>
        {
            await Channels().SaveSmsAsync(_admin, With(new SmsSettings
            {
                Provider = SmsProviders.Aliyun, AccessKeyId = "LTAI5tHostile", SignName = "物业服务", TemplateCode = "SMS_1234567",
            }, e => set(e, t)));
            return 0;
        },
        async _ => get((await Channels().SmsAsync(_admin)).Settings));

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
            "intake-content" => new("Content", ["contacts", "complaints"], nothing,
                async (_, t) => (await _w.W.Intake.RegisterAsync(_w.W.Agent, _w.W.ComplaintForm(t))).ContactId,
                id => Text("SELECT content FROM contacts WHERE id = @key", id)),
            "intake-answer" => new("Answer", ["contacts", "complaints"], nothing,
                async (_, t) => (await _w.W.Intake.RegisterAsync(_w.W.Agent, With(_w.W.ComplaintForm(dispatch: false), f =>
                {
                    f.Kind = ContactKinds.Consultation;
                    f.Answer = t;
                    f.Satisfied = true;
                }))).ContactId,
                id => Text("SELECT answer FROM contacts WHERE id = @key", id)),
            "intake-purpose" => new("Purpose", ["contacts", "complaints"], nothing,
                async (_, t) => (await _w.W.Intake.RegisterAsync(_w.W.Agent, With(_w.W.ComplaintForm(), f => f.Purpose = t))).ContactId,
                id => Text("SELECT purpose FROM contacts WHERE id = @key", id)),
            "hand-over-note" => new("Note", ["contacts", "notifications"],
                async () => (await _w.W.Intake.RegisterAsync(_w.W.Agent, _w.W.ComplaintForm(dispatch: false))).ContactId,
                async (contact, t) =>
                {
                    await _w.W.Intake.HandOverAsync(_w.W.Agent, contact, _w.W.Handler.Id, t);
                    return contact;
                },
                id => Text("SELECT handover_note FROM contacts WHERE id = @key", id)),
            "hand-over-result" => new("Result", ["contacts", "notifications"],
                async () =>
                {
                    var contact = (await _w.W.Intake.RegisterAsync(_w.W.Agent, _w.W.ComplaintForm(dispatch: false))).ContactId;
                    await _w.W.Intake.HandOverAsync(_w.W.Agent, contact, _w.W.Handler.Id, "请上门查看");
                    return contact;
                },
                async (contact, t) =>
                {
                    await _w.W.Intake.RecordHandOverResultAsync(_w.W.Handler, contact, t);
                    return contact;
                },
                id => Text("SELECT handover_result FROM contacts WHERE id = @key", id)),
            "phrase-text" => new("Text", ["service_phrases"], nothing,
                async (_, t) => await _w.W.Intake.SavePhraseAsync(_w.Supervisor, null, ServicePhrases.Standard, "general", t, true, 0),
                id => Text("SELECT text FROM service_phrases WHERE id = @key", id)),
            "complaint-note" => new("Note", ["complaints", "complaint_events"], () => _w.W.RegisterComplaintAsync(),
                async (complaint, t) =>
                {
                    await _w.W.Lifecycle.AddNoteAsync(_w.W.Handler, complaint, t);
                    return complaint;
                },
                id => Text($"SELECT details FROM complaint_events WHERE complaint_id = @key AND kind = '{ComplaintEvents.Note}' ORDER BY id DESC LIMIT 1", id)),
            "handle-resolution" => new("Resolution", ["complaints", "complaint_events"], ContactedComplaintAsync,
                async (complaint, t) =>
                {
                    await _w.W.Lifecycle.HandleAsync(_w.W.Handler, complaint, t, "已安排维修，请业主留意", false);
                    return complaint;
                },
                id => Text("SELECT resolution FROM complaints WHERE id = @key", id)),
            "handle-reply" => new("Reply", ["complaints", "complaint_events"], ContactedComplaintAsync,
                async (complaint, t) =>
                {
                    await _w.W.Lifecycle.HandleAsync(_w.W.Handler, complaint, "已更换防水层", t, false);
                    return complaint;
                },
                id => Text("SELECT reply FROM complaints WHERE id = @key", id)),
            "info-title" => new("Title", ["info_records"], nothing,
                async (_, t) => await _s.Get<InformationRegister>().FileAsync(_w.Supervisor, "personal_info", t, "业主档案正文", null, null),
                id => Text("SELECT title FROM info_records WHERE id = @key", id)),
            "release-title" => new("Title", ["info_releases", "audit_log"], nothing,
                async (_, t) => await _s.Get<ReleaseRepository>().DraftAsync(_w.Supervisor, "internal", t, "排班调整如下"),
                id => Text("SELECT title FROM info_releases WHERE id = @key", id)),
            "document-title" => new("Title", ["formal_documents", "notifications", "audit_log"], nothing,
                async (_, t) => await _s.Get<FormalDocumentRepository>().SendAsync(_w.W.Manager, t, "外墙维修方案见附件"),
                id => Text("SELECT title FROM formal_documents WHERE id = @key", id)),
            "contest-note" => new("ContestNote", ["penalties"], ProposedPenaltyAsync,
                async (penalty, t) =>
                {
                    var department = await Scalar<int>("SELECT department_id FROM penalties WHERE id = @penalty", new { penalty });
                    var manager = await _w.PersonAsync($"hxm{Guid.NewGuid():N}"[..20], Roles.DeptManager, department, "部门经理");
                    await _s.Get<SpotCheckRepository>().ContestAsync(manager, penalty, t);
                    return penalty;
                },
                id => Text("SELECT contest_note FROM penalties WHERE id = @key", id)),
            "hot-cause-analysis" => HotPart("CauseAnalysis", "cause_analysis", t => new HotReport("业主投诉外墙渗水", t, "维修中", "无", "无")),
            "hot-current-status" => HotPart("CurrentStatus", "current_status", t => new HotReport("业主投诉外墙渗水", "施工质量", t, "无", "无")),
            "hot-difficulties" => HotPart("Difficulties", "difficulties", t => new HotReport("业主投诉外墙渗水", "施工质量", "维修中", t, "无")),
            "hot-help-needed" => HotPart("HelpNeeded", "help_needed", t => new HotReport("业主投诉外墙渗水", "施工质量", "维修中", "无", t)),
            "standard-matter" => new("Matter", ["standard_replies"], nothing,
                async (_, t) => await _s.Get<StandardReplyRepository>().SubmitAsync(_w.W.Manager, new StandardReplyDraft(_w.W.ProjectId, t, "已安排专人跟进")),
                id => Text("SELECT matter FROM standard_replies WHERE id = @key", id)),
            "root-cause-name" => new("Name", ["root_causes"], nothing,
                async (_, t) => await _s.Get<CountingRepository>().SaveRootCauseAsync(_w.Supervisor, new RootCause(0, null, t, "Cause " + unique(), "定义", true, 99)),
                id => Text("SELECT name FROM root_causes WHERE id = @key", id)),
            "root-cause-name-en" => new("NameEn", ["root_causes"], nothing,
                async (_, t) => await _s.Get<CountingRepository>().SaveRootCauseAsync(_w.Supervisor, new RootCause(0, null, "原因" + unique(), t, "定义", true, 99)),
                id => Text("SELECT name_en FROM root_causes WHERE id = @key", id)),
            "plan-decided" => new("DecidedPlan", ["return_visit_plans"], nothing,
                async (_, t) => await _s.Get<ReturnVisitAnalysisRepository>().SavePlanAsync(_w.Visitor, _period, "加强回访", t, BusinessTime.Today(_s.Clock)),
                id => Text("SELECT decided_plan FROM return_visit_plans WHERE id = @key", id)),
            "emergency-location" => new("Location", ["emergencies", "emergency_events", "emergency_alerts", "outbox_messages"], nothing,
                async (_, t) => await _s.Get<EmergencyRepository>().ReportAsync(_w.W.Agent, With(Report("车库配电间起火"), r => r.Location = t)),
                id => Text("SELECT location FROM emergencies WHERE id = @key", id)),
            "emergency-kind-detail" => new("KindDetail", ["emergencies", "emergency_events", "emergency_alerts", "outbox_messages"], nothing,
                async (_, t) => await _s.Get<EmergencyRepository>().ReportAsync(_w.W.Agent, With(Report("电梯困人", other: true), r => r.KindDetail = t)),
                id => Text("SELECT kind_detail FROM emergencies WHERE id = @key", id)),
            "emergency-scope" => Findings("Scope", "scope", t => new EmergencyFindings { Cause = "配电柜短路", Scope = t, Response = "已断电" }),
            "emergency-response" => Findings("Response", "response", t => new EmergencyFindings { Cause = "配电柜短路", Scope = "B区", Response = t }),
            "instant-title" => Instant("Title", "title", (f, t) => f.Title = t),
            "instant-attachment-note" => Instant("AttachmentNote", "attachment_note", (f, t) => f.AttachmentNote = t),
            "project-name" => new("Name", ["projects", "audit_log"], nothing,
                async (_, t) => await _s.Get<ProjectRepository>().SaveAsync(_admin, new ProjectEdit { Code = "HX" + unique()[..8], Name = t }),
                id => Text("SELECT name FROM projects WHERE id = @key", id)),
            "building-name" => new("Name", ["buildings", "units", "audit_log"], nothing,
                async (_, t) => await _s.Get<ProjectRepository>().AddBuildingAsync(_admin, _w.W.ProjectId, t, ["101"]),
                id => Text("SELECT name FROM buildings WHERE id = @key", id)),
            "unit-number" => new("UnitNumbers", ["buildings", "units", "audit_log"], nothing,
                async (_, t) => await _s.Get<ProjectRepository>().AddBuildingAsync(_admin, _w.W.ProjectId, "楼" + unique(), [t]),
                id => Text("SELECT number FROM units WHERE building_id = @key", id)) { MayRefuse = true },
            "user-name" => new("UserName", ["users", "audit_log"], nothing,
                async (_, t) => await _s.Get<UserRepository>().SaveAsync(_admin, new UserEdit
                {
                    UserName = t, DisplayName = "客服" + unique(), Roles = [Roles.Agent], DepartmentId = _w.W.CsDepartmentId, NewPassword = "Passw0rd!Passw0rd",
                }),
                id => Text("SELECT user_name FROM users WHERE id = @key", id)) { MayRefuse = true },
            "customer-name" => new("Name", ["customers", "audit_log"], nothing,
                async (_, t) => await _s.Get<CustomerRepository>().SaveAsync(_admin, new CustomerEdit { Name = t, Phone = Phone() }),
                id => Text("SELECT name FROM customers WHERE id = @key", id)),
            "customer-notes" => new("Notes", ["customers", "audit_log"], nothing,
                async (_, t) => await _s.Get<CustomerRepository>().SaveAsync(_admin, new CustomerEdit { Name = "业主" + unique(), Phone = Phone(), Notes = t }),
                id => Text("SELECT notes FROM customers WHERE id = @key", id)),
            "department-name" => new("Name", ["departments", "audit_log"], nothing,
                async (_, t) => await _s.Get<DepartmentRepository>().SaveAsync(_admin, new DepartmentEdit { Code = "HX" + unique()[..8], Name = t, NameEn = "Hostile " + unique() }),
                id => Text("SELECT name FROM departments WHERE id = @key", id)),
            "user-display-name" => new("DisplayName", ["users", "audit_log"], nothing,
                async (_, t) => await _s.Get<UserRepository>().SaveAsync(_admin, new UserEdit
                {
                    UserName = "hx" + unique(), DisplayName = t, Roles = [Roles.Agent], DepartmentId = _w.W.CsDepartmentId, NewPassword = "Passw0rd!Passw0rd",
                }),
                id => Text("SELECT display_name FROM users WHERE id = @key", id)),
            "contact-method" => new("Method", ["complaints", "complaint_events"], () => _w.W.RegisterComplaintAsync(),
                async (complaint, t) =>
                {
                    await _w.W.Lifecycle.ConfirmContactAsync(_w.W.Handler, complaint, _s.Clock.GetUtcNow(), t);
                    return complaint;
                },
                id => Text("SELECT contact_method FROM complaints WHERE id = @key", id)),
            "contact-note" => new("Note", ["complaints", "complaint_events"], () => _w.W.RegisterComplaintAsync(),
                async (complaint, t) =>
                {
                    await _w.W.Lifecycle.ConfirmContactAsync(_w.W.Handler, complaint, _s.Clock.GetUtcNow(), "电话", t);
                    return complaint;
                },
                id => Text("SELECT contact_time_note FROM complaints WHERE id = @key", id)),
            "reception-confirmed-by" => new("ReceptionConfirmedBy", ["contacts", "complaints"], nothing,
                async (_, t) => (await _w.W.Intake.RegisterAsync(_w.W.Agent, With(_w.W.ComplaintForm(), f =>
                {
                    f.Channel = ServiceHub.Data.Complaints.Channels.Visit;
                    f.WithReception = true;
                    f.ReceptionConfirmedBy = t;
                }))).ContactId,
                id => Text("SELECT reception_confirmed_by FROM contacts WHERE id = @key", id)),
            "verify-reason" => new("Reason", ["complaints", "complaint_events"], () => _w.W.RegisterComplaintAsync(),
                async (complaint, t) =>
                {
                    await _s.Get<CountingRepository>().VerifyAsync(_w.Supervisor, complaint, false, t);
                    return complaint;
                },
                id => Text("SELECT count_reason FROM complaints WHERE id = @key", id)),
            "info-private-data" => new("PrivateData", ["info_records"], nothing,
                async (_, t) => await _s.Get<InformationRegister>().FileAsync(_w.Supervisor, "personal_info", "业主档案", "正文", t, null),
                id => Text("SELECT private_data FROM info_records WHERE id = @key", id)),
            "project-code" => new("Code", ["projects", "audit_log"], nothing,
                async (_, t) => await _s.Get<ProjectRepository>().SaveAsync(_admin, new ProjectEdit { Code = t, Name = "项目" + unique() }),
                id => Text("SELECT code FROM projects WHERE id = @key", id)) { MayRefuse = true },
            "customer-membership-no" => Customer("MembershipNo", "membership_no", (c, t) => c.MembershipNo = t),
            "customer-membership-level" => Customer("MembershipLevel", "membership_level", (c, t) => c.MembershipLevel = t),
            "customer-contact-handle" => Customer("ContactHandle", "contact_handle", (c, t) =>
            {
                c.Phone = "";
                c.ContactChannel = CustomerContacts.Channels[0];
                c.ContactHandle = t;
            }),
            "department-code" => new("Code", ["departments", "audit_log"], nothing,
                async (_, t) => await _s.Get<DepartmentRepository>().SaveAsync(_admin, new DepartmentEdit { Code = t, Name = "部门" + unique(), NameEn = "Dept " + unique() }),
                id => Text("SELECT code FROM departments WHERE id = @key", id)) { MayRefuse = true },
            "department-name-en" => new("NameEn", ["departments", "audit_log"], nothing,
                async (_, t) => await _s.Get<DepartmentRepository>().SaveAsync(_admin, new DepartmentEdit { Code = "HX" + unique()[..8], Name = "部门" + unique(), NameEn = t }),
                id => Text("SELECT name_en FROM departments WHERE id = @key", id)),
            "webhook-name-update" => new("Name", ["webhook_subscriptions", "audit_log"],
                async () => (await Webhooks().CreateAsync(_admin, new WebhookForm
                {
                    Name = "物业系统" + unique(), Url = "https://hooks.example.cn/servicehub", EventKinds = [WebhookEvents.All[0]], IsActive = false,
                })).Id,
                async (id, t) =>
                {
                    await Webhooks().UpdateAsync(_admin, new WebhookForm
                    {
                        Id = (int)id, Name = t + "（更新）", Url = "https://hooks.example.cn/servicehub", EventKinds = [WebhookEvents.All[0]], IsActive = false,
                    });
                    return id;
                },
                async id => (await Text("SELECT name FROM webhook_subscriptions WHERE id = @key", id))?[..^"（更新）".Length]),
            "email-host" => Email("Host", (e, t) => e.Host = t, e => e.Host),
            "email-user-name" => Email("UserName", (e, t) => e.UserName = t, e => e.UserName),
            "sms-access-key-id" => Sms("AccessKeyId", (e, t) => e.AccessKeyId = t, e => e.AccessKeyId),
            "sms-sign-name" => Sms("SignName", (e, t) => e.SignName = t, e => e.SignName),
            "sms-template-code" => Sms("TemplateCode", (e, t) => e.TemplateCode = t, e => e.TemplateCode),
            "sms-region-id" => Sms("RegionId", (e, t) => e.RegionId = t, e => e.RegionId),
            "release-reject-reason" => new("Reason", ["info_releases", "audit_log"],
                async () => await _s.Get<ReleaseRepository>().DraftAsync(_w.Supervisor, "internal", "客服部排班调整", "排班调整如下"),
                async (release, t) =>
                {
                    await _s.Get<ReleaseRepository>().DecideAsync(_admin, (int)release, false, t);
                    return release;
                },
                id => Text("SELECT rejected_reason FROM info_releases WHERE id = @key", id)),
            "release-channel" => new("Channel", ["info_releases", "info_records", "audit_log"],
                async () =>
                {
                    var release = await _s.Get<ReleaseRepository>().DraftAsync(_w.Supervisor, "internal", "客服部排班调整", "排班调整如下");
                    await _s.Get<ReleaseRepository>().DecideAsync(_admin, release, true, null);
                    return release;
                },
                async (release, t) =>
                {
                    await _s.Get<ReleaseRepository>().PublishAsync(_w.Supervisor, (int)release, t);
                    return release;
                },
                id => Text("SELECT channel FROM info_releases WHERE id = @key", id)),
            "return-visit-need-reason" => new("Reason", ["complaints", "complaint_events"], () => _w.W.RegisterComplaintAsync(),
                async (complaint, t) =>
                {
                    await _w.W.Lifecycle.SetReturnVisitNeedAsync(_w.Supervisor, complaint, false, t);
                    return complaint;
                },
                id => Text($"SELECT details FROM complaint_events WHERE complaint_id = @key AND kind = '{ComplaintEvents.ReturnVisitNotNeeded}' ORDER BY id DESC LIMIT 1", id)),
            "extend-reason" => new("Reason", ["complaints", "complaint_events"], () => _w.W.RegisterComplaintAsync(),
                async (complaint, t) =>
                {
                    var due = await Scalar<DateTimeOffset>("SELECT reply_due_at FROM complaints WHERE id = @complaint", new { complaint });
                    await _w.W.Lifecycle.ExtendAsync(_w.W.Manager, complaint, due.AddDays(1), t);
                    return complaint;
                },
                id => Text($"SELECT details FROM complaint_events WHERE complaint_id = @key AND kind = '{ComplaintEvents.Extended}' ORDER BY id DESC LIMIT 1", id)),
            "standard-decision-note" => new("Note", ["standard_replies"],
                async () => await _s.Get<StandardReplyRepository>().SubmitAsync(_w.W.Manager, new StandardReplyDraft(_w.W.ProjectId, "外墙渗水" + unique(), "已安排专人跟进")),
                async (reply, t) =>
                {
                    await _s.Get<StandardReplyRepository>().DecideAsync(_w.Supervisor, (int)reply, StandardReplyStatuses.Rejected, t);
                    return reply;
                },
                id => Text("SELECT decision_note FROM standard_replies WHERE id = @key", id)),
            "document-forward-note" => new("Note", ["formal_document_forwards", "notifications", "audit_log"],
                async () =>
                {
                    await Scalar<int>("UPDATE users SET is_document_admin = true WHERE id = @id RETURNING id", new { id = _admin.Id });
                    return await _s.Get<FormalDocumentRepository>().SendAsync(_w.W.Manager, "关于外墙维修的报告", "外墙维修方案见附件");
                },
                async (document, t) =>
                {
                    await _s.Get<FormalDocumentRepository>().ForwardAsync(_admin, (int)document, null, _w.W.DepartmentId, t);
                    return document;
                },
                id => Text("SELECT note FROM formal_document_forwards WHERE document_id = @key ORDER BY id DESC LIMIT 1", id)),
            "rule-name" => Rule("Name", "name", (r, t) => r.Name = t),
            "rule-name-en" => Rule("NameEn", "name_en", (r, t) => r.NameEn = t),
            "report-format-title" => ReportFormat("Title", "title", (f, t) => f.Title = t),
            "report-format-contents" => ReportFormat("Contents", "contents", (f, t) => f.Contents = t),
            "transfer-reason" => new("Reason", ["complaints", "complaint_events", "notifications"], () => _w.W.RegisterComplaintAsync(),
                async (complaint, t) =>
                {
                    await _w.W.Lifecycle.TransferAsync(_w.W.Manager, complaint, t);
                    return complaint;
                },
                async id => (await Text($"SELECT details FROM complaint_events WHERE complaint_id = @key AND kind = '{ComplaintEvents.Transferred}' ORDER BY id DESC LIMIT 1", id))
                    ?.Split(" · ", 2)[1]),
            "agree-reply-date-reason" => new("Reason", ["complaints", "complaint_events", "complaint_deadlines"],
                async () =>
                {
                    // The reply deadline has passed: only then is a new date agreed with the customer.
                    var complaint = await _w.W.RegisterComplaintAsync();
                    var due = await Scalar<DateTimeOffset>("SELECT reply_due_at FROM complaints WHERE id = @complaint", new { complaint });
                    _s.Clock.Advance(due - _s.Clock.GetUtcNow() + TimeSpan.FromHours(1));
                    return complaint;
                },
                async (complaint, t) =>
                {
                    await _w.W.Lifecycle.AgreeReplyDateAsync(_w.W.Manager, complaint, _s.Clock.GetUtcNow().AddDays(2), t);
                    return complaint;
                },
                id => Text($"SELECT details FROM complaint_events WHERE complaint_id = @key AND kind = '{ComplaintEvents.AgreedDate}' ORDER BY id DESC LIMIT 1", id)),
            "destruction-request-reason" => new("Reason", ["info_records", "audit_log"], StoredPastRetentionAsync,
                async (record, t) =>
                {
                    await _s.Get<InformationRegister>().RequestDestructionAsync(_w.Supervisor, record, t);
                    return record;
                },
                id => Text("SELECT destroy_reason FROM info_records WHERE id = @key", id)),
            "destruction-reject-reason" => new("Reason", ["info_records", "audit_log"],
                async () =>
                {
                    var record = await StoredPastRetentionAsync();
                    await _s.Get<InformationRegister>().RequestDestructionAsync(_w.Supervisor, record, "保存期满");
                    return record;
                },
                async (record, t) =>
                {
                    await _s.Get<InformationRegister>().RejectDestructionAsync(_admin, record, t);
                    return record;
                },
                id => Text("SELECT destroy_rejected_reason FROM info_records WHERE id = @key", id)),
            "follow-up-content" => new("Content", ["contacts", "complaints", "complaint_events", "customers", "audit_log"], OnlineComplaintAsync,
                async (original, t) => (await _s.Get<CountingRepository>().SplitFollowUpAsync(_w.W.Agent, original, t, "地库积水受害者")).ContactId,
                id => Text("SELECT content FROM contacts WHERE id = @key", id)),
            // The author is a customer known by that handle: made unique (10 characters more) so that it is no other case's customer.
            "follow-up-author" => new("Author", ["contacts", "complaints", "complaint_events", "customers", "audit_log"], OnlineComplaintAsync,
                async (original, t) => (await _s.Get<CountingRepository>().SplitFollowUpAsync(_w.W.Agent, original, "跟帖新内容：地库入口积水", t + unique())).CustomerId,
                async id => (await Text("SELECT contact_handle FROM customers WHERE id = @key", id))?[..^10]),
            "offline-impact" => new("OfflineImpact", ["complaints", "complaint_events"], OnlineComplaintAsync,
                async (complaint, t) =>
                {
                    await _s.Get<CountingRepository>().UpdateOnlineAsync(_w.W.Agent, complaint, "https://bbs.example.com/t/123", 37, 5200, t);
                    return complaint;
                },
                id => Text("SELECT offline_impact FROM complaints WHERE id = @key", id)),
            "reply-opinion-note" => new("Note", ["standard_reply_uses"],
                async () =>
                {
                    var replies = _s.Get<StandardReplyRepository>();
                    var reply = await replies.SubmitAsync(_w.W.Manager, new StandardReplyDraft(_w.W.ProjectId, "地下车库顶板漏水" + unique(), "车库顶板防水层正在返修"));
                    await replies.DecideAsync(_w.Supervisor, reply, StandardReplyStatuses.Approved, null);
                    return (await replies.UseAsync(_w.W.Agent, reply, null, _w.W.CustomerId)).Id;
                },
                async (use, t) =>
                {
                    await _s.Get<StandardReplyRepository>().RecordOpinionAsync(_w.W.Agent, use, ReplyOpinions.Dissatisfied, t);
                    return use;
                },
                id => Text("SELECT opinion_note FROM standard_reply_uses WHERE id = @key", id)),
            "unreachable-note" => new("Note", ["return_visit_tasks", "complaints", "complaint_events", "audit_log"],
                async () =>
                {
                    // Failed calls on three different days (the clock moves a day before each): the visit may be closed unreachable.
                    var task = await OpenTaskAsync();
                    for (var day = 0; day < Unreachable.DefaultAfterDays; day++)
                    {
                        _s.Clock.Advance(TimeSpan.FromDays(1));
                        var state = (await _w.Visits.GetAsync(_w.Supervisor, task))!.State;
                        await _w.Visits.RecordAttemptAsync(state == TaskStates.Escalated ? _w.Supervisor : _w.Visitor, task, new AttemptForm { Result = AttemptResults.NoAnswer });
                    }
                    return task;
                },
                async (task, t) =>
                {
                    await _w.Visits.CloseUnreachableAsync(_w.Supervisor, task, t);
                    return task;
                },
                id => Text("SELECT unreachable_note FROM return_visit_tasks WHERE id = @key", id)),
            "call-id" => new("CallId", ["cti_calls"],
                async () =>
                {
                    // The CTI announces calls with a key of its own: the account the key acts as is the actor.
                    var key = await _s.Get<ApiKeyRepository>().IssueAsync(_admin, new ApiKeyForm
                    {
                        Name = "呼叫中心" + unique(), Scopes = [ApiScopes.Cti], Roles = [Roles.Agent], ExpiresOn = BusinessTime.Today(_s.Clock).AddDays(30),
                    });
                    return await Scalar<int>("SELECT user_id FROM api_keys WHERE id = @id", new { id = key.Id });
                },
                async (account, t) => (await _s.Get<CallRepository>().RecordAsync(new Actor((int)account, "cti", "呼叫中心", [Roles.Agent], null),
                    new CallReport { CallerNumber = "13800138000", Extension = "8001", CallId = t })).CallId,
                id => Text("SELECT external_id FROM cti_calls WHERE id = @key", id)),
            "grade-band" => new("Bands[0].Grade", ["assessment_grade_bands", "audit_log"], nothing,
                async (_, t) =>
                {
                    await _s.Get<InformationAssessment>().SaveBandsAsync(_admin, [
                        new GradeBandEdit { Grade = t, LowerBound = 0, UpperBound = 6 },
                        new GradeBandEdit { Grade = "B", LowerBound = 6, UpperBound = 8 },
                        new GradeBandEdit { Grade = "A", LowerBound = 8, UpperBound = 10 }]);
                    return 0;
                },
                _ => Text("SELECT grade FROM assessment_grade_bands WHERE lower_bound = 0", 0)) { MayRefuse = true },
            "submission-content" => Submission("Content", "content", (f, t) => f.Content = t),
            "submission-attachment-note" => Submission("AttachmentNote", "attachment_note", (f, t) => f.AttachmentNote = t),
            "administrator-display-name" => new("DisplayName", ["users", "audit_log"], nothing,
                async (_, t) => await _s.Get<Installation>().CreateAdministratorAsync(Actor.System, "hx" + unique(), t, "FirstPassw0rd"),
                id => Text("SELECT display_name FROM users WHERE id = @key", id)),
            "administrator-user-name" => new("UserName", ["users", "audit_log"], nothing,
                async (_, t) => await _s.Get<Installation>().CreateAdministratorAsync(Actor.System, t, "管理员", "FirstPassw0rd"),
                id => Text("SELECT user_name FROM users WHERE id = @key", id)) { MayRefuse = true },
            _ => throw new ArgumentOutOfRangeException(nameof(name), name, null),
        };
    }

    /// <summary>
    /// The message the field's refusal carries: the field's own (<see cref="ValidationFailedException"/>), or the form's single message
    /// where the form has no field messages (<see cref="DomainException"/>, the customer form).
    /// </summary>
    private static async Task<FieldError> RefusalAsync(FormField form, long key, string text)
    {
        var refused = await Assert.ThrowsAnyAsync<Exception>(() => form.Submit(key, text));
        return refused switch
        {
            ValidationFailedException v => v.Errors[form.Field],
            DomainException d => new FieldError(d.Code, d.Args),
            _ => throw new Xunit.Sdk.XunitException($"refused with {refused.GetType().Name}, not a message: {refused.Message}"),
        };
    }

    [Theory]
    [MemberData(nameof(Fields))]
    public async Task Hundred_kilobytes_or_a_nul_character_are_refused_at_the_field_and_nothing_is_written(string name)
    {
        var form = Of(name);
        var key = await form.Prepare();
        var before = await Hostile.FingerprintAsync(Db.ConnectionString, form.Tables);

        var huge = await RefusalAsync(form, key, Hostile.Huge);
        Assert.Equal(("Validation.TooLong", true), (huge.Code, huge.Args is [] or [int and < 5000]));
        Assert.Equal("Validation.NulCharacter", (await RefusalAsync(form, key, Hostile.Nul)).Code);

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
            if (form.MayRefuse)
            {
                var before = await Hostile.FingerprintAsync(Db.ConnectionString, form.Tables);
                try
                {
                    Assert.Equal(payload.Trim(), await form.Read(await form.Submit(key, payload)));
                }
                catch (Exception refused) when (refused is ValidationFailedException v ? v.Errors.ContainsKey(form.Field) : refused is DomainException)
                {
                    Assert.Equal(before, await Hostile.FingerprintAsync(Db.ConnectionString, form.Tables));
                }
                continue;
            }
            var row = await form.Submit(key, payload);
            Assert.Equal(payload.Trim(), await form.Read(row));
        }
    }
}

