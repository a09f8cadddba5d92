using Dapper;
using Npgsql;
using ServiceHub.Data.Admin;
using ServiceHub.Data.Complaints;
using ServiceHub.Data.Infrastructure;
using ServiceHub.Tests.Complaints;
using ServiceHub.Tests.Infrastructure;

namespace ServiceHub.Tests.Security;

/// <summary>
/// Hostile input on the main write paths (issue #12 point 15; every form field is in <see cref="HostileFormInputTests"/>): control
/// characters, right-to-left marks, emoji and SQL/HTML payloads are stored as the text they are (parameterised SQL, no interpretation),
/// and the database itself refuses an over-long text.
/// </summary>
public sealed class HostileInputTests(DatabaseFixture db) : ComplaintWorldTests(db)
{
    private static readonly string Huge = Hostile.Huge;

    public static TheoryData<string> Payloads() => Hostile.Payloads();

    private Task<long> CountAsync(string table) => Hostile.CountAsync(Db.ConnectionString, table);

    [Theory]
    [MemberData(nameof(Payloads))]
    public async Task Odd_and_hostile_text_is_stored_and_read_back_as_the_same_text(string payload)
    {
        var id = await _w.RegisterComplaintAsync(content: payload);
        Assert.Equal(payload.Trim(), (await _w.Complaints.GetAsync(_w.Agent, id))!.Content);
        var customer = await _s.Get<CustomerRepository>().SaveAsync(Actor.System, new CustomerEdit { Name = payload[..Math.Min(payload.Length, 50)], Phone = "13900002222" });
        Assert.Equal(payload[..Math.Min(payload.Length, 50)].Trim(), (await _s.Get<CustomerRepository>().GetAsync(Actor.System, customer))!.Name);
        Assert.True(await CountAsync("contacts") > 0);
    }

    [Fact]
    public async Task The_database_refuses_an_over_long_text_that_bypasses_the_data_layer()
    {
        await using var conn = new NpgsqlConnection(Db.ConnectionString);
        var ex = await Assert.ThrowsAsync<PostgresException>(() => conn.ExecuteAsync("UPDATE customers SET notes = @huge WHERE id = @id", new { huge = Huge, id = _w.CustomerId }));
        Assert.Equal(PostgresErrorCodes.CheckViolation, ex.SqlState);
    }
}
