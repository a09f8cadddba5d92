using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Dapper;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using ServiceHub.Data.Admin;
using ServiceHub.Data.Complaints;
using ServiceHub.Data.Infrastructure;
using ServiceHub.Data.Intake;

namespace ServiceHub.Benchmarks.Circuits;

/// <summary>
/// <c>circuits [sizes…] [--think S] [--warmup S] [--measure S] [--open N] [--keep-seed] [--hold S] [--js-calls] [--app DLL] [--app-env K=V]…</c>: N signed-in department handlers, each in a Blazor circuit of
/// its own (<see cref="BlazorCircuit"/>, the protocol blazor.web.js speaks), looping "open a complaint of the queue → add a progress
/// note → open the queue" with think time, against the app in a process of its own (<see cref="AppServer"/>). Per size: a fresh
/// copy of the seeded demo database and a fresh app process; the app's heap and RSS after a full GC before any circuit and
/// with the N circuits; the app's CPU time over the measured window divided by the journey steps (and the user events) done in
/// it; the steps' latency p50/p95/p99. <c>--keep-seed</c> keeps the seeded database on the server for the next run; <c>--app</c>
/// measures another build of the app (e.g. the commit before a fix, exported and built elsewhere).
/// </summary>
public static class CircuitsBenchmark
{
    private const string SeedDatabase = "sh_bench_circuits_seed";
    private const string RunDatabase = "sh_bench_circuits_run";

    public static async Task<int> RunAsync(string[] args)
    {
        var sizes = args.TakeWhile(a => !a.StartsWith("--", StringComparison.Ordinal)).Select(a => int.Parse(a, CultureInfo.InvariantCulture)).ToList();
        if (sizes.Count == 0) sizes = [50, 100, 200];
        var think = TimeSpan.FromSeconds(Option(args, "--think", 6));
        var warmup = TimeSpan.FromSeconds(Option(args, "--warmup", 20));
        var measure = TimeSpan.FromSeconds(Option(args, "--measure", 60));
        var work = Directory.CreateTempSubdirectory("servicehub-circuits-").FullName;
        var server = Benchmarks.Server();

        Console.WriteLine($"circuits {string.Join(' ', sizes)}: think {think.TotalSeconds:0.#} s (uniform ±50%), warm-up {warmup.TotalSeconds:0} s, measured {measure.TotalSeconds:0} s; "
                          + $"{Environment.ProcessorCount} CPUs; load average {LoadAverage()}; logs in {work}");
        var keepSeed = args.Contains("--keep-seed");
        var seed = new NpgsqlConnectionStringBuilder(server) { Database = SeedDatabase }.ConnectionString;
        if (!keepSeed || !await ExistsAsync(server, SeedDatabase))
        {
            seed = Benchmarks.Database(SeedDatabase, create: true);
            var seeding = Stopwatch.StartNew();
            await using (await AppServer.StartAsync(seed, work, playDemoHistory: true, readyWithin: TimeSpan.FromMinutes(30))) { }
            await AddOpenComplaintsAsync(seed, (int)Option(args, "--open", 300));
            var departments = await AddHandlersAsync(seed, Math.Max(sizes.Max(), 200));
            Console.WriteLine($"demo company and its history seeded in {seeding.Elapsed.TotalSeconds:0} s; handler accounts: {departments}");
        }

        var rows = new List<string>();
        try
        {
            foreach (var n in sizes)
            {
                var run = await CopyAsync(server, SeedDatabase, RunDatabase);
                rows.Add(await MeasureAsync(run, n, think, warmup, measure, work, args));
            }
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            await DropAsync(server, RunDatabase);
            if (!keepSeed) await DropAsync(server, SeedDatabase);
        }

        Console.WriteLine();
        Console.WriteLine("| circuits | steps/s | p50 ms | p95 ms | p99 ms | failed | app CPU ms/step | app CPU ms/event | app heap MB before → with | MB/circuit (heap) | app RSS MB before → with | MB/circuit (RSS) | load avg |");
        Console.WriteLine("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|");
        foreach (var r in rows) Console.WriteLine(r);
        return 0;
    }

    private static async Task<string> MeasureAsync(string cs, int n, TimeSpan think, TimeSpan warmup, TimeSpan measure, string work, string[] args)
    {
        Console.WriteLine();
        var appEnv = args.Select((a, i) => (a, i)).Where(x => x.a == "--app-env" && x.i + 1 < args.Length).Select(x => args[x.i + 1]).ToList();
        Console.WriteLine($"== {n} circuits{(args.Contains("--app") ? " of " + args[Array.IndexOf(args, "--app") + 1] : "")}{string.Concat(appEnv.Select(e => " " + e))}");
        var appDll = Array.IndexOf(args, "--app") is var at and >= 0 && at + 1 < args.Length ? Path.GetFullPath(args[at + 1]) : null;
        await using var app = await AppServer.StartAsync(cs, work, playDemoHistory: false, readyWithin: TimeSpan.FromMinutes(5), appDll, appEnv);
        await WarmUpAsync(app.BaseUri);
        var before = await app.CollectAsync();
        // What the app spends with no one connected (its background services), for comparison with the per-step figure.
        var idle0 = app.CpuMilliseconds();
        await Task.Delay(TimeSpan.FromSeconds(10));
        var idle = (app.CpuMilliseconds() - idle0) / 10;
        Console.WriteLine($"app (pid {app.ProcessId}) idle, no circuit: {idle:0} ms CPU per second");

        var results = new ConcurrentQueue<StepResult>();
        var journeys = Enumerable.Range(1, n).Select(i => new HandlerJourney(app.BaseUri, User(i), i, think, results)).ToList();
        using var stop = new CancellationTokenSource();
        var connecting = Stopwatch.StartNew();
        var running = new List<Task>();
        var failedToConnect = 0;
        await Parallel.ForEachAsync(journeys, new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (j, ct) =>
        {
            try
            {
                await j.ConnectAsync(ct);
                lock (running) running.Add(j.RunAsync(stop.Token));
            }
            catch (Exception ex)
            {
                Interlocked.Increment(ref failedToConnect);
                j.Errors.Enqueue("connect: " + ex.GetBaseException().Message);
            }
        });
        Console.WriteLine($"{n - failedToConnect} circuits open in {connecting.Elapsed.TotalSeconds:0.0} s ({failedToConnect} failed); warm-up {warmup.TotalSeconds:0} s");
        await Task.Delay(warmup);

        var load = LoadAverage();
        PauseProbe.Start();
        var appPauses0 = await app.PausesAsync();
        var selfPauses0 = PauseProbe.Read();
        await app.GcEventsAsync();
        await app.AllocationsAsync();
        GcEvents.Drain();
        var appSched0 = PauseProbe.Scheduler(app.ProcessId);
        var selfSched0 = PauseProbe.Scheduler(Environment.ProcessId);
        var cpu0 = app.CpuMilliseconds();
        var events0 = journeys.Sum(j => j.Events);
        var self0 = Process.GetCurrentProcess().TotalProcessorTime;
        var t0 = Stopwatch.GetTimestamp();
        await Task.Delay(measure);
        var t1 = Stopwatch.GetTimestamp();
        var cpu1 = app.CpuMilliseconds();
        var events1 = journeys.Sum(j => j.Events);
        var self1 = Process.GetCurrentProcess().TotalProcessorTime;
        var appPauses1 = await app.PausesAsync();
        var selfPauses1 = PauseProbe.Read();
        var appSched1 = PauseProbe.Scheduler(app.ProcessId);
        var selfSched1 = PauseProbe.Scheduler(Environment.ProcessId);
        await Task.Delay(TimeSpan.FromSeconds(1)); // the runtime hands its events to listeners a moment after they happen
        var appGcs = await app.GcEventsAsync();
        var selfGcs = GcEvents.Drain();
        var appAllocations = await app.AllocationsAsync();
        File.WriteAllText(Path.Combine(work, $"gc-events-{n}-app.txt"), appGcs.Replace(';', '\n'));
        File.WriteAllText(Path.Combine(work, $"gc-events-{n}-browsers.txt"), selfGcs.Replace(';', '\n'));
        var with = await app.CollectAsync();
        var live = journeys.Count(j => j.Circuit is not null);
        var components = journeys.Where(j => j.Circuit is not null).Select(j => j.Circuit!.Read(t => t.ComponentCount)).DefaultIfEmpty().Average();
        var errors = journeys.SelectMany(j => j.Errors.Concat(j.Circuit?.Errors ?? Enumerable.Empty<string>())).ToList();
        // --hold S: the circuits stay open S seconds more, for a heap dump or trace of the app (dotnet-gcdump collect -p PID).
        if (Option(args, "--hold", 0) is var hold and > 0) { Console.WriteLine($"holding {hold} s (app pid {app.ProcessId})"); await Task.Delay(TimeSpan.FromSeconds(hold)); }

        await stop.CancelAsync();
        try { await Task.WhenAll(running); } catch (OperationCanceledException) { }
        await Parallel.ForEachAsync(journeys, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (j, _) => await j.CloseAsync());

        var window = results.Where(r => r.CompletedAt >= t0 && r.CompletedAt < t1).ToList();
        var steps = window.Where(r => HandlerJourney.Steps.Contains(r.Kind)).ToList();
        var ok = steps.Where(r => r.Ok).Select(r => r.Milliseconds).ToList();
        var seconds = Stopwatch.GetElapsedTime(t0, t1).TotalSeconds;
        var cpu = cpu1 - cpu0;
        var events = events1 - events0;
        Console.WriteLine($"window {seconds:0.0} s: {steps.Count} steps ({steps.Count / seconds:0.0}/s), {events} user events; app CPU {cpu / 1000:0.0} s ({cpu / seconds / 10:0}% of one core); "
                          + $"this process (the simulated browsers) {(self1 - self0).TotalSeconds:0.0} s CPU; {live} circuits live at the end");
        foreach (var kind in HandlerJourney.Steps.Concat([HandlerJourney.ChooseNote, HandlerJourney.TypeNote]))
        {
            var of = window.Where(r => r.Kind == kind && r.Ok).Select(r => r.Milliseconds).ToList();
            if (of.Count > 0)
                Console.WriteLine($"  {kind,-22} n={of.Count,5}  p50 {Stats.Percentile(of, 50),7:0.0} ms  p95 {Stats.Percentile(of, 95),7:0.0} ms  max {of.Max(),7:0.0} ms");
        }
        Console.WriteLine("  the app:      " + PauseProbe.Describe(appPauses0, appPauses1, seconds));
        Console.WriteLine("  the browsers: " + PauseProbe.Describe(selfPauses0, selfPauses1, seconds));
        var appSched = PauseProbe.SchedulerDelta(appSched0, appSched1);
        var selfSched = PauseProbe.SchedulerDelta(selfSched0, selfSched1);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  CPU time / waiting for a CPU (run queue), threads summed: the app {appSched.RunMs / 1000:0.0} / {appSched.WaitMs / 1000:0.0} s; "
            + $"the browsers {selfSched.RunMs / 1000:0.0} / {selfSched.WaitMs / 1000:0.0} s (a thread that ended in the window is not counted)"));
        foreach (var line in GcEvents.Summarise(appGcs, seconds)) Console.WriteLine("  the app's GC stops: " + line);
        foreach (var line in GcEvents.Summarise(selfGcs, seconds)) Console.WriteLine("  the browsers' GC stops: " + line);
        foreach (var line in GcEvents.SummariseAllocations(appAllocations, seconds, steps.Count)) Console.WriteLine("  the app allocated: " + line);
        var problems = app.LoggedProblems();
        Console.WriteLine($"client errors: {errors.Count}; app warnings/errors logged: {problems.Count}; GC committed {before.Committed / 1048576.0:0} → {with.Committed / 1048576.0:0} MB; "
                          + $"{components:0} components per page on average");
        foreach (var e in errors.GroupBy(e => e.Length > 160 ? e[..160] : e).OrderByDescending(g => g.Count()).Take(5)) Console.WriteLine($"  {e.Count(),4}× {e.Key}");
        foreach (var p in problems.Take(3)) Console.WriteLine("  app: " + (p.Length > 300 ? p[..300] : p));
        if (args.Contains("--js-calls"))
            foreach (var (call, count) in BlazorCircuit.JSCalls.OrderByDescending(c => c.Value)) Console.WriteLine($"  js {count,6}× {call}");

        const double MB = 1024 * 1024;
        var failed = steps.Count(r => !r.Ok);
        return string.Create(CultureInfo.InvariantCulture,
            $"| {n} | {steps.Count / seconds:0.0} | {P(ok, 50):0} | {P(ok, 95):0} | {P(ok, 99):0} | {failed} | {cpu / Math.Max(1, steps.Count):0.0} | {cpu / Math.Max(1, events):0.0} "
            + $"| {before.Heap / MB:0} → {with.Heap / MB:0} | {(with.Heap - before.Heap) / MB / n:0.00} | {before.Rss / MB:0} → {with.Rss / MB:0} | {(with.Rss - before.Rss) / MB / n:0.00} | {load} |");
    }

    private static double P(List<double> values, double p) => values.Count == 0 ? double.NaN : Stats.Percentile(values, p);

    /// <summary>The pages and sign-in once over plain HTTP (prerendering), so the first circuits do not pay the app's JIT alone.</summary>
    private static async Task WarmUpAsync(Uri baseUri)
    {
        var cookies = await BenchSignIn.SignInAsync(baseUri.ToString(), User(1));
        using var http = new HttpClient(new HttpClientHandler { CookieContainer = cookies }) { BaseAddress = baseUri };
        for (var i = 0; i < 5; i++)
        {
            var queue = await http.GetStringAsync("/complaints/queue");
            var id = System.Text.RegularExpressions.Regex.Match(queue, "href=\"/complaints/(\\d+)\"").Groups[1].Value;
            if (id.Length > 0) await http.GetStringAsync($"/complaints/{id}");
        }
    }

    private static string User(int i) => $"bench{i:00000}";

    /// <summary>
    /// N handler accounts (demo password), spread round-robin over the departments that hold open complaints, so each has a queue
    /// to work and may add notes to its complaints.
    /// </summary>
    private static async Task<string> AddHandlersAsync(string cs, int n)
    {
        await using var conn = new NpgsqlConnection(cs);
        var open = (await conn.QueryAsync<(int Id, string Code, long Open)>("""
            SELECT d.id, d.code, count(*) FROM complaints c JOIN complaint_states st ON st.complaint_id = c.id JOIN departments d ON d.id = c.department_id
            WHERE st.state IN ('dispatched', 'contacted')
            GROUP BY d.id, d.code ORDER BY d.id
            """)).ToList();
        var departments = open.Select(d => d.Id).ToList();
        if (departments.Count == 0) throw new InvalidOperationException("the demo history left no department with open complaints");
        await conn.ExecuteAsync("""
            INSERT INTO users (user_name, display_name, password_hash, roles, department_id)
            SELECT 'bench' || lpad(i::text, 5, '0'), '处理人' || i, @hash, ARRAY['handler'], (@departments)[1 + i % cardinality(@departments)]
            FROM generate_series(1, @n) i
            """, new { hash = UserRepository.HashPassword(DemoSeeder.DemoPassword), n, departments = departments.ToArray() });
        return $"{n} over {string.Join(", ", open.Select(d => $"{d.Code} ({d.Open} open complaints)"))}";
    }

    /// <summary>
    /// The demo history leaves a dozen complaints open; a working desk has a full queue. Complaints registered now by the demo's
    /// agent through the intake (dispatched at once, urgency 15 minutes to 2 hours, so their countdowns run), spread over the
    /// departments and customers of the demo's complaint templates.
    /// </summary>
    private static async Task AddOpenComplaintsAsync(string cs, int count)
    {
        var services = new ServiceCollection();
        services.AddSingleton(TimeProvider.System);
        services.AddLogging();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().Build());
        services.AddServiceHubData(cs);
        await using var sp = services.BuildServiceProvider();
        var intake = sp.GetRequiredService<IntakeRepository>();
        await using var conn = new NpgsqlConnection(cs);
        var agent = await conn.QuerySingleAsync<(int Id, string UserName, string DisplayName, string[] Roles, int? DepartmentId)>(
            "SELECT id, user_name, display_name, roles, department_id FROM users WHERE user_name = 'agent'");
        var actor = new Actor(agent.Id, agent.UserName, agent.DisplayName, agent.Roles, agent.DepartmentId);
        var departments = (await conn.QueryAsync<int>("SELECT id FROM departments WHERE code IN ('PM', 'ENG', 'MKT') ORDER BY id")).ToList();
        var customers = (await conn.QueryAsync<(int Id, int UnitId)>("SELECT id, unit_id FROM customers WHERE unit_id IS NOT NULL ORDER BY id")).ToList();
        string[] matters = ["卫生间顶板渗水，楼上装修后更严重", "电梯经常停运，老人上下楼困难", "地下车库顶板漏水，车辆被污水弄脏", "单元门禁失灵，陌生人随意进出",
            "垃圾清运不及时，楼道有异味", "交房面积与合同约定不符", "小区旁边工地夜间施工噪音扰民", "客厅墙面出现多条裂缝"];
        int[] urgencies = [15, 30, 60, 120];
        for (var i = 0; i < count; i++)
        {
            var customer = customers[i * 7 % customers.Count];
            await intake.RegisterAsync(actor, new IntakeForm
            {
                Kind = ContactKinds.Complaint, CustomerId = customer.Id, UnitId = customer.UnitId,
                Content = $"{matters[i % matters.Length]}（第{i + 1}次来电）", DispatchDepartmentId = departments[i % departments.Count],
                UrgencyMinutes = urgencies[i % urgencies.Length],
            });
        }
    }

    private static async Task<string> CopyAsync(string server, string from, string to)
    {
        NpgsqlConnection.ClearAllPools();
        await DropAsync(server, to);
        await ExecAsync(server, $"CREATE DATABASE \"{to}\" TEMPLATE \"{from}\"");
        return new NpgsqlConnectionStringBuilder(server) { Database = to }.ConnectionString;
    }

    private static async Task<bool> ExistsAsync(string server, string name)
    {
        await using var conn = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(server) { Pooling = false, Database = "postgres" }.ConnectionString);
        return await conn.ExecuteScalarAsync<bool>("SELECT EXISTS (SELECT FROM pg_database WHERE datname = @name)", new { name });
    }

    private static Task DropAsync(string server, string name) => ExecAsync(server, $"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)");

    private static async Task ExecAsync(string server, string sql)
    {
        await using var conn = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(server) { Pooling = false, Database = "postgres" }.ConnectionString);
        await conn.OpenAsync();
        await conn.ExecuteAsync(sql);
    }

    private static string LoadAverage() => string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));

    private static double Option(string[] args, string name, double fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length && double.TryParse(args[i + 1], CultureInfo.InvariantCulture, out var v) ? v : fallback;
    }
}
