using System.Diagnostics;
using System.Globalization;
using Dapper;
using Npgsql;
using ServiceHub.Data.Counting;
using ServiceHub.Data.Infrastructure;

namespace ServiceHub.Benchmarks;

/// <summary>
/// Duplicate suggestion at intake (issue #4; issue #14 point 3: p95 ≤ 20 ms on the hard data, the same suggestions as shape A).
/// Seeds <c>complaints</c> complaints (default 1,000,000; 50 projects, skewed so the largest holds ~14%, three years of history, Chinese
/// texts built from common fragments so near-duplicates are everywhere), then runs each look-up through both shapes, alternating
/// which goes first:
///   new: <see cref="CountingRepository.SuggestDuplicatesAsync"/> — the GiST index on complaint_texts (project, time, trigrams);
///   A:   <see cref="CountingRepository.DuplicatesReferenceSql"/> — narrow by (project_id, registered_at), score every row with similarity().
/// Prints p50/p95/p99/max of each and the overlap of their suggestions, look-up by look-up (same ids in the same order).
/// Usage: <c>duplicates [look-ups] [complaints]</c>.
/// </summary>
public static class DuplicateSuggestionBenchmark
{
    private const double TargetP95Ms = 20;

    public static async Task<int> RunAsync(string cs, string[] args)
    {
        var runs = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 300;
        var complaints = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 1_000_000;
        DapperSetup.Configure();
        Migrator.Run(cs);
        await using var db = NpgsqlDataSource.Create(cs);
        await DatabaseStartup.CheckChineseTrigramsAsync(db);
        await SeedAsync(db, complaints);

        var now = new DateTimeOffset(2026, 11, 26, 2, 0, 0, TimeSpan.Zero);
        var since = now - CountingOptions.DuplicateWindow;
        var repo = new CountingRepository(db, new FixedClock(now), null!, null!);
        var rnd = new Random(42);
        await using var c = await db.OpenConnectionAsync();
        var biggest = await c.ExecuteScalarAsync<int>("SELECT project_id FROM complaints GROUP BY project_id ORDER BY count(*) DESC LIMIT 1");
        var inWindow = await c.ExecuteScalarAsync<long>("SELECT count(*) FROM complaints WHERE project_id = @biggest AND registered_at >= @since",
            new { biggest, since });
        await c.ExecuteAsync("SELECT setseed(0.42)");
        var samples = (await c.QueryAsync<(int ProjectId, string Content)>(
            "SELECT project_id, content FROM complaints WHERE registered_at >= @since ORDER BY random() LIMIT @n", new { since, n = runs })).ToList();
        // Half the look-ups in the largest project (the worst case), half anywhere; texts perturbed like a second caller would say them.
        var queries = samples.Select((s, i) => (ProjectId: i % 2 == 0 ? biggest : s.ProjectId, Text: Perturb(s.Content, rnd))).ToList();
        Console.WriteLine($"complaints: {complaints:N0}; largest project {biggest}: {inWindow:N0} complaints in the last 30 days; {queries.Count} look-ups per shape");

        Task<IReadOnlyList<DuplicateSuggestion>> New((int ProjectId, string Text) q) => repo.SuggestDuplicatesAsync(Actor.System, q.ProjectId, q.Text, now);
        async Task<IReadOnlyList<DuplicateSuggestion>> ShapeA((int ProjectId, string Text) q)
        {
            await using var conn = await db.OpenConnectionAsync();
            return (await conn.QueryAsync<DuplicateSuggestion>(CountingRepository.DuplicatesReferenceSql, new
            {
                q.ProjectId, text = q.Text, since, now, threshold = CountingOptions.DuplicateThreshold, take = 5,
            })).AsList();
        }

        List<string> plan;
        for (var i = 0; i < 10; i++) { await New(queries[i % queries.Count]); await ShapeA(queries[i % queries.Count]); } // warm-up
        var newMs = new List<double>();
        var aMs = new List<double>();
        var same = 0;
        var differences = new List<string>();
        var sw = new Stopwatch();
        for (var i = 0; i < queries.Count; i++)
        {
            var q = queries[i];
            IReadOnlyList<DuplicateSuggestion> n = [], a = [];
            foreach (var first in i % 2 == 0 ? new[] { true, false } : [false, true])
            {
                sw.Restart();
                if (first) n = await New(q); else a = await ShapeA(q);
                (first ? newMs : aMs).Add(sw.Elapsed.TotalMilliseconds);
            }
            if (n.Select(s => s.Id).SequenceEqual(a.Select(s => s.Id))) same++;
            else differences.Add($"  look-up {i} (project {q.ProjectId}, \"{q.Text}\"): new {Describe(n)}; A {Describe(a)}");
        }
        Report("new: GiST on complaint_texts (project, time, trigrams), exact % at the leaves", newMs);
        Report("A:   narrow by (project_id, registered_at), similarity() on every row", aMs);
        Console.WriteLine($"overlap: {same}/{queries.Count} look-ups give the same suggestions in the same order");
        foreach (var d in differences.Take(20)) Console.WriteLine(d);

        await using (var tx = await c.BeginTransactionAsync())
        {
            await c.ExecuteAsync(CountingRepository.DuplicateThresholdSql, new { thresholdText = CountingRepository.DuplicateThresholdText }, tx);
            plan = (await c.QueryAsync<string>("EXPLAIN (ANALYZE, BUFFERS) " + CountingRepository.DuplicatesQuerySql, new { projectId = biggest, text = "3号楼地下车库漏水，物业不管", since, now,
                threshold = CountingOptions.DuplicateThreshold, take = 5 }, tx)).AsList();
            await tx.CommitAsync();
        }
        Console.WriteLine("plan of the new shape in the largest project:");
        foreach (var line in plan) Console.WriteLine("  " + line);
        var p95 = Percentile(newMs, 0.95);
        Console.WriteLine($"target p95 ≤ {TargetP95Ms} ms and the same suggestions as A: {(p95 <= TargetP95Ms && differences.Count == 0 ? "met" : "NOT met")}");
        return p95 <= TargetP95Ms && differences.Count == 0 ? 0 : 1;
    }

    private static string Describe(IReadOnlyList<DuplicateSuggestion> s) =>
        "[" + string.Join(", ", s.Select(x => $"{x.Id} {x.Score:F4} {x.RegisteredAt:yyyy-MM-dd HH:mm:ss.ffffff}")) + "]";

    private static string Perturb(string s, Random rnd) => rnd.Next(3) switch
    {
        0 => s.Replace("，", ""),
        1 => s + "，请尽快处理",
        _ => "又" + s,
    };

    private static double Percentile(List<double> ms, double p)
    {
        var sorted = ms.Order().ToList();
        return sorted[Math.Min(sorted.Count - 1, (int)(sorted.Count * p))];
    }

    private static void Report(string shape, List<double> ms) =>
        Console.WriteLine($"{shape}: p50 {Percentile(ms, 0.5):F1} ms, p95 {Percentile(ms, 0.95):F1} ms, p99 {Percentile(ms, 0.99):F1} ms, max {ms.Max():F1} ms");

    private static async Task SeedAsync(NpgsqlDataSource db, int complaints)
    {
        await using var conn = await db.OpenConnectionAsync();
        var have = await conn.ExecuteScalarAsync<long>("SELECT count(*) FROM complaints");
        if (have >= complaints) { Console.WriteLine($"{have:N0} complaints already seeded"); return; }
        Console.WriteLine($"seeding {complaints:N0} complaints …");
        var sw = Stopwatch.StartNew();
        await conn.ExecuteAsync("""
            INSERT INTO users (user_name, display_name, password_hash, roles) VALUES ('bench', 'bench', 'x', '{agent}') ON CONFLICT DO NOTHING;
            INSERT INTO projects (code, name) SELECT 'B' || g, '基准项目' || g FROM generate_series(1, 50) g ON CONFLICT DO NOTHING;
            INSERT INTO customers (name, phone, created_at, updated_at)
            SELECT '客户' || g, '139' || lpad(g::text, 8, '0'), now(), now() FROM generate_series(1, 50000) g;
            """, commandTimeout: 0);
        await conn.ExecuteAsync("""
            CREATE TEMP TABLE seed AS
            SELECT g,
                   (SELECT min(id) FROM projects WHERE code LIKE 'B%') + least(49, floor(power(random(), 2) * 50))::int AS project_id,
                   (SELECT min(id) FROM customers) + floor(random() * 50000)::int AS customer_id,
                   timestamptz '2026-11-26 02:00+00' - random() * interval '1065 days' AS at,
                   (ARRAY['1号楼','2号楼','3号楼','5号楼','6号楼','8号楼','9号楼','11号楼','12号楼','15号楼'])[1 + floor(random() * 10)::int]
                   || (ARRAY['地下车库','电梯','屋顶','外墙','卫生间','厨房','楼道','单元门','绿化带','停车场','顶板','窗户'])[1 + floor(random() * 12)::int]
                   || (ARRAY['漏水','渗水','噪音太大','经常停运','开裂','无人清扫','收费不合理','灯不亮','门禁坏了','积水严重','异味很大','有安全隐患'])[1 + floor(random() * 12)::int]
                   || '，'
                   || (ARRAY['物业不管','多次报修无人处理','影响正常生活','要求尽快维修','希望给个说法','已经反映三次了','业主很不满意','孩子老人出行不便'])[1 + floor(random() * 8)::int]
                   AS content
            FROM generate_series(1, @complaints) g;
            INSERT INTO contacts (register_no, channel, kind, customer_id, project_id, content, received_at, first_responder_id, created_at)
            SELECT 'BLD-' || g, 'phone', 'complaint', customer_id, project_id, content, at, (SELECT id FROM users WHERE user_name = 'bench'), at FROM seed;
            INSERT INTO complaints (sheet_no, contact_id, customer_id, project_id, channel, content, registered_by, registered_at, reply_due_at, updated_at)
            SELECT 'BFY-' || s.g, ct.id, s.customer_id, s.project_id, 'phone', s.content, ct.first_responder_id, s.at, s.at + interval '48 hours', s.at
            FROM seed s JOIN contacts ct ON ct.register_no = 'BLD-' || s.g;
            """, new { complaints }, commandTimeout: 0);
        Console.WriteLine($"seeded in {sw.Elapsed.TotalSeconds:F0} s (complaint_texts and its GiST index kept by the registration trigger)");
        await conn.ExecuteAsync("VACUUM ANALYZE complaints", commandTimeout: 0);
        await conn.ExecuteAsync("VACUUM ANALYZE complaint_texts", commandTimeout: 0);
    }
}
