using System.Diagnostics;
using System.Globalization;
using Dapper;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using ServiceHub.Data.Admin;
using ServiceHub.Data.Complaints;
using ServiceHub.Data.Infrastructure;
using ServiceHub.Data.Intake;

namespace ServiceHub.Benchmarks;

/// <summary>
/// Issue #16 point 5: <c>agents</c> agents (200) save a contact at the same moment — three in four a consultation, one in four a
/// complaint dispatched at once — through <see cref="IntakeRepository.RegisterAsync"/> with the app's pool (100 connections), for
/// <c>rounds</c> rounds. Reports each round's p50, p95 and slowest save, and checks that every save succeeded and the register and
/// sheet numbers are gapless.
/// </summary>
public static class ConcurrentSavesBenchmark
{
    public static async Task<int> RunAsync(string cs, string[] args)
    {
        var agents = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 200;
        var rounds = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 5;
        var services = new ServiceCollection();
        services.AddSingleton(TimeProvider.System);
        services.AddLogging();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().Build());
        services.AddServiceHubData(cs);
        await using var sp = services.BuildServiceProvider();
        var intake = sp.GetRequiredService<IntakeRepository>();

        await using var conn = await sp.GetRequiredService<Npgsql.NpgsqlDataSource>().OpenConnectionAsync();
        var cs1 = await conn.ExecuteScalarAsync<int>("INSERT INTO departments (code, name, name_en) VALUES ('CSB', '客服基准', 'CS bench') RETURNING id");
        var pm = await conn.ExecuteScalarAsync<int>("INSERT INTO departments (code, name, name_en) VALUES ('PMB', '物业基准', 'PM bench') RETURNING id");
        var customer = await conn.ExecuteScalarAsync<int>("INSERT INTO customers (name, phone) VALUES ('基准客户', '13800000016') RETURNING id");
        var actors = (await conn.QueryAsync<int>("""
            INSERT INTO users (user_name, display_name, password_hash, roles, department_id)
            SELECT 'bench' || g, '座席' || g, 'x', '{agent}', @cs1 FROM generate_series(1, @agents) g RETURNING id
            """, new { cs1, agents })).Select(id => new Actor(id, $"bench{id}", "座席", [Roles.Agent], cs1)).ToList();

        var p95s = new List<double>();
        var all = new List<IntakeResult>();
        for (var round = 1; round <= rounds; round++)
        {
            var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var saves = actors.Select((actor, i) => Task.Run(async () =>
            {
                await go.Task;
                var form = i % 4 == 0
                    ? new IntakeForm { Channel = Channels.Phone, Kind = ContactKinds.Complaint, CustomerId = customer, Content = $"第{round}轮第{i}位：楼道灯不亮", DispatchDepartmentId = pm, UrgencyMinutes = 30 }
                    : new IntakeForm { Channel = Channels.Phone, Kind = ContactKinds.Consultation, CustomerId = customer, Content = $"第{round}轮第{i}位：咨询物业费", Answer = "已告知缴费方式", Satisfied = true };
                var sw = Stopwatch.StartNew();
                var r = await intake.RegisterAsync(actor, form);
                return (r, sw.Elapsed.TotalMilliseconds);
            })).ToList();
            var wall = Stopwatch.StartNew();
            go.SetResult();
            var results = await Task.WhenAll(saves);
            var ms = results.Select(x => x.Item2).Order().ToList();
            all.AddRange(results.Select(x => x.r));
            p95s.Add(Pct(ms, 0.95));
            Console.WriteLine($"round {round}: {agents} saves in {wall.Elapsed.TotalMilliseconds:F0} ms; p50 {Pct(ms, 0.5):F0} ms, p95 {Pct(ms, 0.95):F0} ms, slowest {ms[^1]:F0} ms");
        }
        var gapless = Gapless(all.Select(r => r.RegisterNo)) && Gapless(all.Select(r => r.SheetNo!));
        Console.WriteLine($"{all.Count:N0} saves, none failed; register and sheet numbers gapless: {gapless}; median p95 {p95s.Order().ElementAt(p95s.Count / 2):F0} ms");
        return gapless ? 0 : 1;
    }

    private static double Pct(List<double> sorted, double p) => sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];

    private static bool Gapless(IEnumerable<string> numbers)
    {
        var n = numbers.Select(s => int.Parse(s[(s.LastIndexOf('-') + 1)..], CultureInfo.InvariantCulture)).Order().ToList();
        return n.SequenceEqual(Enumerable.Range(1, n.Count));
    }
}
