using Dapper;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;
using ServiceHub.Data.Complaints;
using ServiceHub.Data.Counting;
using ServiceHub.Data.Emergencies;
using ServiceHub.Data.Infrastructure;
using ServiceHub.Data.Intake;
using ServiceHub.Data.ReturnVisits;

namespace ServiceHub.Data.Admin;

/// <summary>
/// The demo company's past (from 1 January of last year until now), played through the real repositories on a simulated
/// clock, so that every record obeys the same rules as live work: contacts and consultations, complaints dispatched, contacted
/// (some late, hence escalated), extended, handled, verified for counting, classified, merged, return-visited (some customers
/// not satisfied, so handled again), closed by the return visit or one week after handling; first-class emergencies with
/// arrivals; a return-visit working-group plan. Deterministic (fixed seed). The dashboards and the annual report have a
/// history to show. Runs once, right after <see cref="DemoSeeder"/> created the company.
/// </summary>
public sealed class DemoHistory(string connectionString, ILogger logger)
{
    private sealed class SimulatedClock(DateTimeOffset start) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = start;
        public override DateTimeOffset GetUtcNow() => Now;
    }

    private sealed record Template(string Content, string RootCause, string Department, string Resolution, string Reply);

    private static readonly Template[] ComplaintTemplates =
    [
        new("卫生间顶板渗水，楼上装修后更严重", "渗漏", "ENG", "查明为楼上防水层破损，已重做防水并修补顶板", "已安排维修完毕，请您留意观察，如再渗水请随时联系我们"),
        new("外墙渗水导致卧室墙面发霉", "渗漏", "ENG", "外墙打胶修补，室内墙面铲除重刷", "外墙修补和室内修复均已完成，感谢您的耐心"),
        new("地下车库顶板漏水，车辆被污水弄脏", "渗漏", "ENG", "车库顶板注浆堵漏，清洗受影响车辆", "顶板已完成堵漏，车辆已为您清洗"),
        new("客厅墙面出现多条裂缝", "墙体开裂", "ENG", "经检测为抹灰层收缩裂缝，已挂网修补", "裂缝已修补，不影响结构安全，检测报告已交给您"),
        new("厨房地面空鼓，踩上去有响声", "墙体开裂", "ENG", "空鼓部位灌浆处理", "已完成灌浆处理，请您查看效果"),
        new("电梯经常停运，老人上下楼困难", "设备故障", "PM", "更换电梯主板，增加维保巡检频次", "电梯已修复并加强了维保，给您带来不便深表歉意"),
        new("单元门禁失灵，陌生人随意进出", "设备故障", "PM", "更换门禁控制器，加强门岗巡查", "门禁已修好，门岗也加强了巡查"),
        new("二次供水水泵夜间噪音大，影响休息", "设备故障", "PM", "加装减振垫，调整水泵运行时段", "水泵已加装减振装置，夜间噪音明显降低"),
        new("报修三天没人上门处理水管漏水", "维修不及时", "PM", "当日上门更换阀门，对报修流程责任人进行考核", "水管已修好，耽误您的时间非常抱歉"),
        new("物业费上涨没有提前公示", "收费争议", "PM", "补充公示调价依据，召开业主说明会", "调价依据已在公告栏公示，说明会时间已通知您"),
        new("停车费计费与合同约定不符", "收费争议", "PM", "核对合同后退还多收费用", "多收的费用已退还到您的账户"),
        new("夜间外来车辆随意停放，消防通道被堵", "安全秩序", "PM", "加强夜间巡逻，设置消防通道禁停标识", "已加强巡逻并设置标识，如再发现请随时告知"),
        new("垃圾清运不及时，楼道有异味", "环境卫生", "PM", "调整清运频次为每日两次，楼道消杀", "清运频次已调整，楼道已消杀"),
        new("绿化带长期无人修剪", "环境卫生", "PM", "安排园林班组集中修剪", "绿化带已修剪完毕"),
        new("销售承诺的学校配套至今没有落实", "销售承诺未兑现", "MKT", "与教育部门沟通进度，书面告知业主", "学校建设进度已书面告知，我们会持续跟进"),
        new("交房面积与合同约定不符", "销售承诺未兑现", "MKT", "复测面积，按合同约定处理差价", "复测结果与处理方案已与您确认"),
        new("房产证办理一再延期", "办证延误", "MKT", "督促办理进度，明确办证时间表", "办证时间表已告知您，届时会提前通知领取"),
        new("物业与工程部互相推诿，问题一直不解决", "推诿拖延", "PM", "明确牵头部门和完成时限，专人跟进", "已由专人牵头跟进，问题已解决"),
        new("车位不够，租不到车位", "车位不足", "MKT", "释放部分临时车位，登记排队", "已为您登记车位排队，有空位会第一时间通知"),
        new("小区旁边工地夜间施工噪音扰民", "周边环境", "PM", "与施工单位协调夜间停工时段", "已与施工单位协调，夜间22点后停止施工"),
    ];

    private static readonly (string Content, string Answer, string Kind)[] ConsultationTemplates =
    [
        ("询问物业费缴纳方式", "可通过物业服务中心、网上银行或物业APP缴纳", ContactKinds.Consultation),
        ("询问装修申请需要哪些材料", "需提供装修方案、施工单位资质和押金，在物业服务中心办理", ContactKinds.Consultation),
        ("询问产权证办理进度", "目前正在办理中，预计下月可领取，届时短信通知", ContactKinds.Inquiry),
        ("询问停车位租赁价格", "地下车位月租400元，年租优惠一个月", ContactKinds.Consultation),
        ("查询上月报修处理结果", "已于上周完成维修并回访确认", ContactKinds.Inquiry),
        ("询问小区会所开放时间", "每日9:00至21:00开放，节假日照常", ContactKinds.Consultation),
        ("询问会员积分如何兑换", "可在会员中心兑换物业费抵扣券或礼品", ContactKinds.Consultation),
        ("询问交房时间", "按合同约定于年底前交付，具体时间将书面通知", ContactKinds.Inquiry),
        ("询问燃气开通办理流程", "携带身份证和购房合同到燃气公司营业厅办理", ContactKinds.Consultation),
        ("查询投诉处理进度", "责任部门已与您联系，正在处理中", ContactKinds.Inquiry),
    ];

    private static readonly string[] ChannelMix = [Channels.Phone, Channels.Phone, Channels.Phone, Channels.Phone, Channels.Visit, Channels.Visit, Channels.Email, Channels.Letter, Channels.Forum, Channels.Media, Channels.Forwarded];

    private readonly PriorityQueue<Func<Task>, DateTimeOffset> _queue = new();
    private readonly Random _rng = new(2025);
    private readonly List<string> _refused = [];
    private int _emergencyCount;

    private void At(DateTimeOffset when, Func<Task> step) => _queue.Enqueue(step, when);

    private double U(double from, double to) => from + _rng.NextDouble() * (to - from);

    private T Pick<T>(IReadOnlyList<T> items) => items[_rng.Next(items.Count)];

    /// <summary>A business-hours instant (8:30–20:00 Beijing) on the given day.</summary>
    private DateTimeOffset OfficeTime(DateTime day) => BusinessTime.FromLocal(day.Date.AddMinutes(U(8.5 * 60, 20 * 60)));

    /// <summary>
    /// Plays the history from 1 January of last year up to <paramref name="until"/>; returns the steps the rules refused (none expected).
    /// <paramref name="progress"/> hears, synchronously, each whole percent of the simulated time played (<see cref="DemoHistoryProgress"/>).
    /// </summary>
    public async Task<IReadOnlyList<string>> SeedAsync(DateTimeOffset until, CancellationToken ct = default, IProgress<DemoHistoryProgress>? progress = null)
    {
        var start = new DateTime(BusinessTime.ToLocal(until).Year - 1, 1, 1);
        var clock = new SimulatedClock(BusinessTime.FromLocal(start));
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(clock);
        services.AddLogging();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().Build());
        services.AddServiceHubData(connectionString);
        await using var sp = services.BuildServiceProvider();
        var db = sp.GetRequiredService<NpgsqlDataSource>();
        var intake = sp.GetRequiredService<IntakeRepository>();
        var complaints = sp.GetRequiredService<ComplaintLifecycle>();
        var counting = sp.GetRequiredService<CountingRepository>();
        var visits = sp.GetRequiredService<ReturnVisitRepository>();
        var analysis = sp.GetRequiredService<ReturnVisitAnalysisRepository>();
        var emergencies = sp.GetRequiredService<EmergencyRepository>();
        var escalation = sp.GetRequiredService<EscalationSweep>();
        var closure = sp.GetRequiredService<ClosureSweep>();

        await using var conn = await db.OpenConnectionAsync(ct);
        var actors = (await conn.QueryAsync<(int Id, string UserName, string DisplayName, string[] Roles, int? DepartmentId)>(
            "SELECT id, user_name, display_name, roles, department_id FROM users")).ToDictionary(u => u.UserName, u => new Actor(u.Id, u.UserName, u.DisplayName, u.Roles, u.DepartmentId));
        var byId = actors.Values.ToDictionary(a => a.Id);
        var departments = (await conn.QueryAsync<(string Code, int Id)>("SELECT code, id FROM departments")).ToDictionary(d => d.Code, d => d.Id);
        var causes = (await conn.QueryAsync<(string Name, int Id)>("SELECT name, id FROM root_causes WHERE parent_id IS NOT NULL")).ToDictionary(c => c.Name, c => c.Id);
        var customers = (await conn.QueryAsync<(int Id, int UnitId, int ProjectId)>("""
            SELECT c.id, c.unit_id, b.project_id FROM customers c JOIN units u ON u.id = c.unit_id JOIN buildings b ON b.id = u.building_id ORDER BY c.id
            """)).ToList();
        var projects = (await conn.QueryAsync<(int Id, int BuildingId)>("SELECT p.id, min(b.id) FROM projects p JOIN buildings b ON b.project_id = p.id GROUP BY p.id ORDER BY p.id")).ToList();
        Actor[] agents = [actors["agent"], actors["agent2"]];
        var supervisor = actors["supervisor"];
        var handlerOf = new Dictionary<string, Actor> { ["PM"] = actors["handler"], ["ENG"] = actors["enghandler"], ["MKT"] = actors["mktmanager"] };
        var managerOf = new Dictionary<string, Actor> { ["PM"] = actors["pmmanager"], ["ENG"] = actors["engmanager"], ["MKT"] = actors["mktmanager"] };

        // Open complaints per (project, template): a neighbour's voice on the same matter is merged into the earlier one.
        var openByMatter = new Dictionary<(int, int), long>();
        var templateOf = new Dictionary<long, int>();

        async Task Step(Func<Task> action)
        {
            try { await action(); }
            catch (Exception ex) when (ex is DomainException or ValidationFailedException or ForbiddenException)
            {
                var what = $"{clock.Now:u}: {(ex is DomainException d ? d.Code : ex.Message)}";
                _refused.Add(what);
                logger.LogWarning("demo history: a step was refused at {What}", what);
            }
        }

        void Complaint(DateTimeOffset t0)
        {
            var templateIndex = _rng.Next(ComplaintTemplates.Length);
            var template = ComplaintTemplates[templateIndex];
            var customer = Pick(customers);
            var agent = Pick(agents);
            var urgency = _rng.NextDouble() switch { < 0.1 => 15, < 0.3 => 30, < 0.7 => 60, _ => 120 };
            var needsVisit = _rng.NextDouble() < 0.7;
            var roll = _rng.NextDouble();
            var contactAfter = TimeSpan.FromMinutes(urgency * (roll < 0.85 ? U(0.2, 0.9) : roll < 0.97 ? U(1.1, 1.9) : U(2.1, 3)));
            var extended = _rng.NextDouble() < 0.05;
            var late = !extended && _rng.NextDouble() < 0.07;
            var handledAfter = TimeSpan.FromHours(extended ? U(60, 90) : late ? U(49, 70) : U(3, 44));
            if (handledAfter < contactAfter + TimeSpan.FromHours(1)) handledAfter = contactAfter + TimeSpan.FromHours(1);
            var handler = handlerOf[template.Department];
            var channel = Pick(ChannelMix);
            var repeat = _rng.NextDouble() < 0.04;
            At(t0, () => Step(async () =>
            {
                long? repeatOf = null;
                if (repeat)
                {
                    // The same customer again on a matter closed in the last month (a closed complaint is not reopened).
                    var earlier = await conn.QueryFirstOrDefaultAsync<(long Id, int CustomerId)?>(
                        $"SELECT c.id, c.customer_id FROM complaints c {ComplaintSql.JoinState} WHERE st.state = 'closed' AND c.handled_at >= @since ORDER BY c.handled_at DESC LIMIT 1",
                        new { since = clock.Now.AddDays(-30) });
                    if (earlier is { } e && templateOf.TryGetValue(e.Id, out var t))
                    {
                        repeatOf = e.Id;
                        customer = customers.First(c => c.Id == e.CustomerId);
                        templateIndex = t;
                        template = ComplaintTemplates[t];
                        handler = handlerOf[template.Department];
                    }
                }
                var key = (customer.ProjectId, templateIndex);
                var form = new IntakeForm
                {
                    Channel = channel, Kind = ContactKinds.Complaint, CustomerId = customer.Id, UnitId = customer.UnitId,
                    Content = repeatOf is null ? template.Content : "问题又出现了：" + template.Content,
                    DispatchDepartmentId = departments[template.Department], UrgencyMinutes = urgency, NeedsReturnVisit = needsVisit, RepeatOfComplaintId = repeatOf,
                };
                var id = (await intake.RegisterAsync(agent, form, ct)).ComplaintId!.Value;
                templateOf[id] = templateIndex;
                if (openByMatter.TryGetValue(key, out var survivor) && _rng.NextDouble() < 0.6)
                {
                    At(clock.Now.AddMinutes(U(20, 90)), () => Step(() => counting.MergeAsync(supervisor, survivor, id, ct)));
                    return;
                }
                openByMatter[key] = id;
                At(t0 + contactAfter, () => Step(() => complaints.ConfirmContactAsync(handler, id, clock.Now, _rng.NextDouble() < 0.8 ? "电话" : "上门", ct: ct)));
                // Some cannot be resolved at once: the handler agrees the earliest feedback time with the owner (some are then missed).
                if (_rng.NextDouble() < 0.15)
                    At(t0 + contactAfter + TimeSpan.FromMinutes(10), () => Step(() => complaints.AgreeFeedbackAsync(handler, id, clock.Now.AddHours(U(6, 30)), ct)));
                At(t0.AddHours(U(2, 20)), () => Step(() => _rng.NextDouble() < 0.92
                    ? counting.VerifyAsync(supervisor, id, true, null, ct)
                    : counting.VerifyAsync(supervisor, id, false, Pick(["经核实属于咨询，不计入投诉统计", "非我方责任范围（市政供水），不计入统计"]), ct)));
                if (extended)
                    At(t0.AddHours(30), () => Step(() => complaints.ExtendAsync(handler, id, t0.AddHours(96), "需等待厂家配件，已与业主约定完成时间", ct)));
                At(t0 + handledAfter, () => Handle(id, handler, template, key, needsVisit));
            }));
        }

        async Task Handle(long id, Actor handler, Template template, (int, int) key, bool needsVisit)
        {
            await Step(async () =>
            {
                await complaints.HandleAsync(handler, id, template.Resolution, template.Reply, false, ct);
                openByMatter.Remove(key);
                await counting.ClassifyAsync(supervisor, id, causes[template.RootCause], ct);
                // The last four days' return visits are left for the team to make.
                if (needsVisit && clock.Now < until.AddDays(-4)) At(clock.Now.AddHours(U(18, 44)), () => Visit(id, handler, template, key, firstAttempt: true));
            });
        }

        async Task Visit(long complaintId, Actor handler, Template template, (int, int) key, bool firstAttempt)
        {
            var task = await conn.QuerySingleOrDefaultAsync<(long Id, int? AssigneeId)?>(
                "SELECT id, assignee_id FROM return_visit_tasks WHERE complaint_id = @complaintId AND state IN ('open','escalated')", new { complaintId });
            if (task is not { } t) return;
            var caller = t.AssigneeId is { } a && byId.TryGetValue(a, out var who) ? who : actors["returnvisit"];
            // A few owners cannot be reached at all: no answer on three different days, then the return-visit lead ends the visit.
            if (firstAttempt && _rng.NextDouble() < 0.04)
            {
                await FailToReach(t.Id, 1);
                return;
            }
            if (firstAttempt && _rng.NextDouble() < 0.08)
            {
                await Step(() => visits.RecordAttemptAsync(caller, t.Id, new AttemptForm { Result = AttemptResults.NoAnswer }, ct));
                At(clock.Now.AddHours(U(20, 30)), () => Visit(complaintId, handler, template, key, firstAttempt: false));
                return;
            }
            var satisfied = _rng.NextDouble() < 0.86;
            await Step(() => visits.RecordAttemptAsync(caller, t.Id, new AttemptForm
            {
                Result = AttemptResults.Reached,
                Outcome = satisfied ? Outcomes.Satisfied : Outcomes.NotSatisfied,
                CustomerWords = satisfied ? "" : Pick(["问题还没有彻底解决", "维修后又出现了同样的问题", "处理结果和当初说的不一样"]),
            }, ct));
            // Not satisfied: back to handling, handled again, visited again.
            if (!satisfied) At(clock.Now.AddHours(U(24, 48)), () => Handle(complaintId, handler, template, key, needsVisit: true));
        }

        async Task FailToReach(long taskId, int attempt)
        {
            var state = await conn.ExecuteScalarAsync<string>("SELECT state FROM return_visit_tasks WHERE id = @taskId", new { taskId });
            if (state is not (TaskStates.Open or TaskStates.Escalated)) return;
            var caller = state == TaskStates.Escalated ? supervisor : actors["returnvisit2"];
            await Step(() => visits.RecordAttemptAsync(caller, taskId, new AttemptForm { Result = AttemptResults.NoAnswer }, ct));
            // The next try on the next Beijing day, in working hours: the rule counts the different days that failed (22–28 hours later
            // could still be the same date, and the lead's closing was then refused).
            var nextDay = BusinessTime.FromLocal(BusinessTime.ToLocal(clock.Now).Date.AddDays(1)).AddHours(U(9, 18));
            if (attempt < Unreachable.DefaultAfterDays) At(nextDay, () => FailToReach(taskId, attempt + 1));
            else At(clock.Now.AddHours(U(1, 4)), () => Step(() => visits.CloseUnreachableAsync(actors["returnvisit"], taskId, "三天均未能接通，按规定结束回访", ct)));
        }

        void Consultation(DateTimeOffset at)
        {
            var (content, answer, kind) = Pick(ConsultationTemplates);
            var customer = Pick(customers);
            var agent = Pick(agents);
            // Satisfaction dips in the busy months after the Spring Festival and at hand-over time.
            var month = BusinessTime.ToLocal(at).Month;
            var satisfied = _rng.NextDouble() < (month is 3 or 11 ? 0.86 : 0.95);
            var channel = _rng.NextDouble() < 0.8 ? Channels.Phone : Channels.Visit;
            At(at, () => Step(() => intake.RegisterAsync(agent, new IntakeForm
            {
                Channel = channel, Kind = kind, CustomerId = customer.Id, UnitId = customer.UnitId, Content = content, Answer = answer, Satisfied = satisfied,
            }, ct)));
        }

        void Emergency(DateTimeOffset at)
        {
            var kind = _rng.NextDouble() switch
            {
                < 0.3 => EmergencyKinds.PublicSecurity, < 0.45 => EmergencyKinds.FireExplosion, < 0.6 => EmergencyKinds.Disaster,
                < 0.7 => EmergencyKinds.InjuryDeath, < 0.9 => EmergencyKinds.CompensationLoss, _ => EmergencyKinds.NegativeMedia,
            };
            var (description, location) = kind switch
            {
                EmergencyKinds.PublicSecurity => ("业主报告地下车库车辆被撬，车内财物被盗", "地下车库B2层"),
                EmergencyKinds.FireExplosion => ("楼道电动车充电起火，已扑灭，楼道熏黑", "3号楼2单元一层楼道"),
                EmergencyKinds.Disaster => ("暴雨导致地下车库进水", "地下车库入口"),
                EmergencyKinds.InjuryDeath => ("业主在小区内湿滑路面摔倒受伤送医", "中心花园步道"),
                EmergencyKinds.CompensationLoss => ("楼上水管爆裂，楼下业主家具地板受损，需赔偿", "5号楼"),
                _ => ("本地媒体报道小区电梯频繁故障", "全小区"),
            };
            var dept = kind == EmergencyKinds.Disaster ? "ENG" : "PM";
            var project = Pick(projects);
            // One in five managers arrives after the two hours.
            var arriveAfter = TimeSpan.FromMinutes(++_emergencyCount % 5 != 0 ? U(20, 110) : U(125, 200));
            var amount = kind == EmergencyKinds.CompensationLoss ? Math.Round((decimal)U(5000, 30000), 0) : (decimal?)null;
            At(at, () => Step(async () =>
            {
                var id = await emergencies.ReportAsync(actors["agent"], new EmergencyReport
                {
                    Kind = kind, AmountYuan = amount, ProjectId = project.Id, BuildingId = project.BuildingId, Location = location,
                    OccurredAt = clock.Now.AddMinutes(-U(5, 30)), Description = description, ResponsibleDepartmentId = departments[dept],
                }, ct);
                At(clock.Now + arriveAfter, () => Step(async () =>
                {
                    await emergencies.RecordArrivalAsync(managerOf[dept], id, null, ct);
                    await emergencies.RecordFindingsAsync(managerOf[dept], id, new EmergencyFindings
                    {
                        Cause = "现场核实原因", Scope = "影响范围已控制", Response = "已启动应急预案并通知相关部门",
                    }, ct);
                    // Everyone alerted has seen it by then.
                    foreach (var (alertId, userId) in await conn.QueryAsync<(long, int)>(
                                 "SELECT id, user_id FROM emergency_alerts WHERE emergency_id = @id AND acknowledged_at IS NULL", new { id }))
                        await emergencies.AcknowledgeAsync(byId[userId], alertId, ct);
                }));
            }));
        }

        // The yearly job produced last year's Annual Service Review Report on 5 January at 02:00.
        var reports = sp.GetRequiredService<Reports.AnnualReportService>();
        At(BusinessTime.FromLocal(new DateTime(start.Year + 1, 1, 5, 2, 0, 0)), () => Step(() => reports.ProduceAsync(null, start.Year, false, ct)));

        // The calendar of arrivals: a quieter winter, a busier spring and hand-over autumn.
        for (var day = start; BusinessTime.FromLocal(day) < until; day = day.AddDays(1))
        {
            var season = day.Month switch { 3 or 4 or 10 or 11 => 1.3, 1 or 2 => 0.7, _ => 1.0 };
            for (var i = Poisson(0.8 * season); i > 0; i--) Complaint(OfficeTime(day));
            for (var i = Poisson(2.2 * season); i > 0; i--) Consultation(OfficeTime(day));
            if (_rng.NextDouble() < 0.04) Emergency(OfficeTime(day));
        }

        var nextDailySweep = BusinessTime.FromLocal(start.AddDays(1).AddHours(2));
        var played = 0;
        var lastPercent = -1;
        void Report(DateTimeOffset at)
        {
            var percent = DemoHistoryProgress.PercentOf(BusinessTime.FromLocal(start), until, at);
            if (percent == lastPercent) return;
            lastPercent = percent;
            progress?.Report(new DemoHistoryProgress(percent, at, played));
        }
        while (_queue.TryDequeue(out var step, out var when))
        {
            if (when > until) continue;
            played++;
            Report(when);
            while (nextDailySweep <= when)
            {
                clock.Now = nextDailySweep;
                await closure.RunAsync(ct);
                nextDailySweep = nextDailySweep.AddDays(1);
            }
            clock.Now = when;
            // The sweep moves only deadlines whose next stage is due, stamped with the sweep's time; when none is due it changes
            // nothing, so the (indexed) look-up spares thousands of plannings of its statement (most steps have nothing due).
            if (await conn.ExecuteScalarAsync<bool>("SELECT EXISTS (SELECT 1 FROM complaint_deadlines WHERE next_at <= @when)", new { when }))
                await escalation.RunAsync(ct);
            await step();
        }
        clock.Now = until;
        await escalation.RunAsync(ct);
        await closure.RunAsync(ct);

        // The working group's plan for last December's opinions, two of its three actions done.
        var period = $"{start.Year}-12";
        await Step(async () =>
        {
            var plan = await analysis.SavePlanAsync(supervisor, period, "维修及时性和电梯运行是业主最集中的意见", "电梯维保加密巡检；报修两小时内上门；每季度召开业主沟通会", new DateOnly(start.Year + 1, 1, 10), ct);
            var a1 = await analysis.AddActionAsync(supervisor, plan, "电梯维保单位每周巡检并公示记录", departments["PM"], new DateOnly(start.Year + 1, 3, 31), ct);
            var a2 = await analysis.AddActionAsync(supervisor, plan, "报修两小时内上门，超时纳入考核", departments["PM"], new DateOnly(start.Year + 1, 2, 28), ct);
            await analysis.AddActionAsync(supervisor, plan, "每季度召开业主沟通会", departments["CS"], new DateOnly(start.Year + 1, 12, 31), ct);
            await analysis.MarkDoneAsync(supervisor, a1, ct);
            await analysis.MarkDoneAsync(supervisor, a2, ct);
        });

        Report(until);
        // What the past notified was read in the past; only the last two days stay unread.
        await conn.ExecuteAsync("""
            UPDATE notifications SET read_at = created_at + interval '1 hour' WHERE read_at IS NULL AND created_at < @cut;
            INSERT INTO department_notification_reads (user_id, notification_id, read_at)
            SELECT u.user_id, e.id, e.created_at + interval '1 hour'
            FROM department_notifications e JOIN notification_rosters r ON r.id = e.roster_id CROSS JOIN LATERAL unnest(r.user_ids) AS u(user_id)
            WHERE e.created_at < @cut
            ON CONFLICT DO NOTHING;
            """, new { cut = until.AddDays(-2) });
        return _refused;
    }

    private int Poisson(double mean)
    {
        var l = Math.Exp(-mean);
        var k = 0;
        var p = 1.0;
        do { k++; p *= _rng.NextDouble(); } while (p > l);
        return k - 1;
    }
}

/// <summary>How far the demo history has played: <see cref="Percent"/> of the simulated time from 1 January of last year to now.</summary>
public sealed record DemoHistoryProgress(int Percent, DateTimeOffset SimulatedNow, int StepsPlayed)
{
    /// <summary>Whole percent of the way from <paramref name="start"/> to <paramref name="until"/> at <paramref name="now"/>, 0–100.</summary>
    public static int PercentOf(DateTimeOffset start, DateTimeOffset until, DateTimeOffset now) =>
        until <= start ? 100 : (int)Math.Clamp(Math.Floor((now - start) / (until - start) * 100), 0, 100);
}
