using Dapper;
using Npgsql;
using ServiceHub.Data.Counting;
using ServiceHub.Data.Intake;
using ServiceHub.Tests.Infrastructure;

namespace ServiceHub.Tests.Intake;

/// <summary>
/// The customer's history beside the intake form and the hotline's dossier pop-up join each contact to its complaint: at 1,000,000
/// complaints that join read every complaint (345 ms a pop-up) until sql/0300 indexed complaints by contact. The planner is asked which
/// way it can go, sequential scans priced out, as it would choose at full size.
/// </summary>
public sealed class ComplaintsByContactTests(DatabaseFixture db) : IClassFixture<DatabaseFixture>
{
    [Theory]
    [InlineData(nameof(IntakeRepository.HistorySql))]
    [InlineData(nameof(CustomerDossierRepository.ContactsSql))]
    public async Task A_customers_contacts_find_their_complaints_through_an_index_not_by_reading_every_complaint(string query)
    {
        var sql = query == nameof(IntakeRepository.HistorySql) ? IntakeRepository.HistorySql : CustomerDossierRepository.ContactsSql;
        await using var conn = new NpgsqlConnection(db.ConnectionString);
        await conn.OpenAsync();
        await conn.ExecuteAsync("SET enable_seqscan = off");
        var plan = string.Join("\n", await conn.QueryAsync<string>("EXPLAIN " + sql, new { customerId = 1, take = 10 }));
        Assert.Contains("complaints_contact_idx", plan);
        Assert.DoesNotContain("Seq Scan on complaints", plan);
    }
}
