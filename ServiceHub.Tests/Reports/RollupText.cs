namespace ServiceHub.Tests.Reports;

/// <summary>The KPI complaint rollup as text, to compare two states of it (after a change, after a rebuild, after an upgrade).</summary>
public static class RollupText
{
    /// <summary>Every key with any figure, with all its figures, in key order.</summary>
    public const string Sql = """
        SELECT coalesce(string_agg(concat_ws(',', month, department_id, project_id, root_cause_id, channel, complaints, awaiting, not_counted,
                                             replied, reply_on_time, contacted, contact_on_time, escalated, level1, level2, closed,
                                             complainants, times, repeat), ';' ORDER BY month, department_id, project_id, root_cause_id, channel), '')
        FROM kpi_complaint_rollup
        WHERE (complaints, awaiting, not_counted, replied, reply_on_time, contacted, contact_on_time, escalated, level1, level2, closed,
               complainants, times, repeat) <> (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        """;
}
