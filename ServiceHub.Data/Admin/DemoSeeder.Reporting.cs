using Dapper;
using Npgsql;
using ServiceHub.Data.Assessment;
using ServiceHub.Data.Infrastructure;

namespace ServiceHub.Data.Admin;

public sealed partial class DemoSeeder
{
    /// <summary>
    /// The reporting calendar of the last complete January (the year of 300 days ago): each department's yearly items, some on time,
    /// some late, some missing, and instant information through the year, a few of them late; one recorded deduction.
    /// </summary>
    private static async Task SeedReportingAsync(NpgsqlConnection conn, NpgsqlTransaction tx, Dictionary<string, int> deptIds,
        Dictionary<string, int> userIds, DateTimeOffset now, CancellationToken ct)
    {
        var year = BusinessTime.ToLocal(now.AddDays(-300)).Year;
        DateTimeOffset At(int month, int day, int hour = 10) => BusinessTime.FromLocal(new DateTime(year, month, day, hour, 0, 0));
        var doc = userIds["docadmin"];
        var submitter = new Dictionary<string, int>
        {
            ["CS"] = userIds["csmanager"], ["PM"] = userIds["pmmanager"], ["ENG"] = userIds["engmanager"], ["MKT"] = userIds["mktmanager"],
            ["EM"] = userIds["emmanager"],
        };
        int By(string dept) => submitter.GetValueOrDefault(dept, doc);

        // Annual summary and plan (due 15 January) and training outline (due in January): submitted on … or null (missing).
        var yearly = new (string Dept, DateTimeOffset? Annual, DateTimeOffset? Training)[]
        {
            ("CS", At(1, 12), At(1, 26)), ("ED", At(1, 8), At(1, 20)), ("EM", At(1, 14), At(1, 30)), ("HR", At(1, 15, 17), At(1, 29)),
            ("PM", At(1, 21), At(1, 28)), ("ENG", At(1, 13), null), ("MKT", null, At(2, 6)), ("DES", At(1, 10), At(1, 31, 16)), ("FIN", At(1, 9), At(1, 27)),
        };
        foreach (var (dept, annual, training) in yearly)
        {
            foreach (var (kind, submitted, content) in new[]
            {
                (ReportKinds.AnnualSummaryPlan, annual, $"{year - 1}年度工作总结、{year}年度工作计划及三年规划"),
                (ReportKinds.TrainingOutline, training, $"{year}年度各类人员培训纲要及计划"),
            })
                await conn.ExecuteAsync(new CommandDefinition("""
                    INSERT INTO report_items (department_id, kind, year, due_at, created_at, submitted_at, submitted_by, content, attachment_note)
                    VALUES (@dept, @kind, @year, @due, @created, @submitted, @by, @content, @attachment)
                    """, new
                {
                    dept = deptIds[dept], kind, year, due = ReportKinds.RecurringDue(kind, year), created = At(1, 1, 0),
                    submitted, by = submitted is null ? (int?)null : By(dept), content = submitted is null ? null : content,
                    attachment = submitted is null ? null : "已发送至企业发展部文件管理员信箱",
                }, tx, cancellationToken: ct));
        }

        // Instant information: (department, month, day, hours it took to report, subject); more than 24 hours is late.
        var instant = new (string Dept, int Month, int Day, int Hours, string Title)[]
        {
            ("CS", 3, 4, 2, "翠湖苑业主集体来访反映车位问题"), ("CS", 5, 18, 30, "金泰城网上论坛出现集中投诉帖"), ("CS", 8, 9, 5, "热线系统故障停机40分钟"),
            ("PM", 4, 2, 3, "翠湖苑3号楼电梯困人"), ("PM", 6, 21, 50, "西山御园暴雨致地下车库进水"), ("PM", 7, 30, 26, "金泰城2号楼外墙瓷砖脱落"), ("PM", 9, 14, 4, "翠湖苑消防演练"),
            ("ENG", 5, 7, 72, "西山御园交付前验收发现渗漏"), ("ENG", 10, 11, 6, "金泰城供暖管线试压"),
            ("MKT", 6, 6, 8, "金泰城开盘活动客流超预期"),
        };
        foreach (var (dept, month, day, hours, title) in instant)
        {
            var occurred = At(month, day, 9);
            await conn.ExecuteAsync(new CommandDefinition("""
                INSERT INTO report_items (department_id, kind, year, title, occurred_at, due_at, created_by, created_at, submitted_at, submitted_by, content)
                VALUES (@dept, 'instant', @year, @title, @occurred, @due, @by, @submitted, @submitted, @by, @content)
                """, new
            {
                dept = deptIds[dept], year, title, occurred, due = ReportKinds.InstantDue(occurred, 24), by = By(dept),
                submitted = occurred.AddHours(hours), content = "已现场处理，详细情况见附件。",
            }, tx, cancellationToken: ct));
        }

        // The Enterprise Management Dept's unified formats: the annual summary and plan revised once (version 1 kept as history).
        var formats = new (string Kind, int Version, string Title, string Contents, DateTimeOffset IssuedAt)[]
        {
            (ReportKinds.AnnualSummaryPlan, 1, "部门年度总结和计划报送格式", "一、上年度工作总结（目标完成情况、主要问题）\n二、本年度工作计划（目标、措施、时间节点）\n三、中长期规划", At(1, 1, 0).AddDays(-60)),
            (ReportKinds.AnnualSummaryPlan, 2, "部门年度总结和计划报送格式", "一、上年度工作总结（目标完成情况、主要问题及原因）\n二、本年度工作计划（目标、措施、责任人、时间节点）\n三、三年中长期规划\n四、需公司协调的事项", At(1, 1, 0).AddDays(-30)),
            (ReportKinds.TrainingOutline, 1, "年度培训大纲报送格式", "一、培训对象及人数\n二、课程名称及课时\n三、讲师及培训方式\n四、时间安排及预算", At(1, 1, 0).AddDays(-30)),
            (ReportKinds.Instant, 1, "即时信息报送格式", "一、发生时间、地点\n二、事件经过\n三、已采取的措施\n四、影响范围及后续安排\n五、报送人及联系电话", At(1, 1, 0).AddDays(-30)),
        };
        foreach (var (kind, version, title, contents, issuedAt) in formats)
            await conn.ExecuteAsync(new CommandDefinition("""
                INSERT INTO report_formats (kind, version, title, contents, issued_by, issued_at) VALUES (@kind, @version, @title, @contents, @by, @issuedAt)
                """, new { kind, version, title, contents, by = userIds["emmanager"], issuedAt }, tx, cancellationToken: ct));

        await conn.ExecuteAsync(new CommandDefinition("""
            INSERT INTO assessment_manual_deductions (rule_code, department_id, occurred_on, note, created_by, created_at)
            VALUES ('INFO_NOT_TRUE', @dept, @on, '开盘活动信息报送内容不完整，缺少客流数据', @doc, @created)
            """, new { dept = deptIds["MKT"], on = new DateOnly(year, 6, 7), doc, created = At(6, 8) }, tx, cancellationToken: ct));
    }
}
