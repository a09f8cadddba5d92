using Dapper;
using ServiceHub.Data.Admin;
using ServiceHub.Data.Complaints;
using ServiceHub.Data.Infrastructure;
using ServiceHub.Data.Intake;
using ServiceHub.Tests.Complaints;
using ServiceHub.Tests.Infrastructure;

namespace ServiceHub.Tests.Faults;

/// <summary>
/// Issue #16 point 5: 200 agents save a contact at the same moment (a quarter of them complaints dispatched at once). Every save
/// succeeds — no deadlock, no error — and the register and sheet numbers have no gap and no repeat. The p95 of one save is measured
/// by <c>./servicehub.sh bench concurrent-saves</c> (docs/benchmarks.md).
/// </summary>
[Trait("Category", "faults")]
public sealed class ConcurrentSavesTests(DatabaseFixture db) : ComplaintWorldTests(db)
{
    private const int Agents = 200;

    /// <summary>The app's pool (100 connections); a connection, and a statement queued behind the others' numbering lock, may be waited for as long as a loaded 2-core box needs (the default 30 s command timeout failed at load 90).</summary>
    public override async Task InitializeAsync()
    {
        _s = new TestServices(new Npgsql.NpgsqlConnectionStringBuilder(Db.ConnectionString) { MaxPoolSize = 100, Timeout = 300, CommandTimeout = 300 }.ConnectionString, Start);
        _w = await ComplaintWorld.CreateAsync(_s);
    }

    [Fact]
    public async Task Two_hundred_agents_saving_contacts_at_the_same_moment_get_gapless_numbers_and_no_error()
    {
        await using var conn = await Db.DataSource.OpenConnectionAsync();
        var ids = (await conn.QueryAsync<int>("""
            INSERT INTO users (user_name, display_name, password_hash, roles, department_id)
            SELECT 'together' || g, '座席' || g, 'x', '{agent}', @cs FROM generate_series(1, @n) g RETURNING id
            """, new { cs = _w.CsDepartmentId, n = Agents })).ToList();
        var agents = ids.Select(id => new Actor(id, $"together{id}", "座席", [Roles.Agent], _w.CsDepartmentId)).ToList();

        var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var saves = agents.Select((agent, i) => Task.Run(async () =>
        {
            await go.Task;
            var form = i % 4 == 0 ? _w.ComplaintForm($"第{i}位客户：楼道灯不亮") : new IntakeForm
            {
                Channel = Channels.Phone, Kind = ContactKinds.Consultation, CustomerId = _w.CustomerId, UnitId = _w.UnitId,
                Content = $"第{i}位客户咨询物业费", Answer = "已告知缴费方式", Satisfied = true,
            };
            return await _w.Intake.RegisterAsync(agent, form);
        })).ToList();
        go.SetResult();
        var results = await Task.WhenAll(saves); // a deadlock or any other error fails here

        Assert.Equal(Agents, results.Length);
        AssertGapless(results.Select(r => r.RegisterNo));
        AssertGapless(results.Select(r => r.SheetNo!));
        Assert.Equal(Agents / 4, results.Count(r => r.ComplaintId is not null));
        Assert.Equal(Agents, await conn.ExecuteScalarAsync<int>("SELECT count(*)::int FROM contacts WHERE content LIKE '第%位客户%'"));
    }

    /// <summary>Numbers of one form and year: 1, 2, … n, each once.</summary>
    private static void AssertGapless(IEnumerable<string> numbers)
    {
        var n = numbers.Select(s => int.Parse(s[(s.LastIndexOf('-') + 1)..], System.Globalization.CultureInfo.InvariantCulture)).Order().ToList();
        Assert.Equal(Enumerable.Range(1, n.Count), n);
    }
}
