using Dapper;
using Npgsql;
using ServiceHub.Data.Counting;
using ServiceHub.Data.Intake;
using ServiceHub.Data.ReturnVisits;
using ServiceHub.Tests.Infrastructure;

namespace ServiceHub.Tests.Intake;

/// <summary>
/// The customer's history beside the intake form and the hotline's dossier pop-up join each contact to its complaint: at 1,000,000
/// complaints that join read every complaint (345 ms a pop-up) until sql/0300 indexed complaints by contact; the same migration
/// indexes a complaint's split-offs (the counting panel) and a customer's return visits (dossier, telephone pop-up). The planner is
/// asked which way it can go, sequential scans priced out, as it would choose at full size.
/// </summary>
public sealed class ComplaintsByContactTests(DatabaseFixture db) : IClassFixture<DatabaseFixture>
{
    private static readonly Dictionary<string, (string Sql, string Index, string Table)> Queries = new()
    {
        [nameof(IntakeRepository.HistorySql)] = (IntakeRepository.HistorySql, "complaints_contact_idx", "complaints"),
        [nameof(CustomerDossierRepository.ContactsSql)] = (CustomerDossierRepository.ContactsSql, "complaints_contact_idx", "complaints"),
        [nameof(CountingRepository.SplitOffsSql)] = (CountingRepository.SplitOffsSql, "complaints_split_from_idx", "complaints"),
        [nameof(CustomerReturnVisits.ForCustomerSql)] = (CustomerReturnVisits.ForCustomerSql, "return_visit_tasks_customer_idx", "return_visit_tasks"),
    };

    [Theory]
    [InlineData(nameof(IntakeRepository.HistorySql))]
    [InlineData(nameof(CustomerDossierRepository.ContactsSql))]
    [InlineData(nameof(CountingRepository.SplitOffsSql))]
    [InlineData(nameof(CustomerReturnVisits.ForCustomerSql))]
    public async Task A_customers_history_dossier_and_split_offs_are_read_through_an_index_not_by_reading_the_whole_table(string query)
    {
        var (sql, index, table) = Queries[query];
        await using var conn = new NpgsqlConnection(db.ConnectionString);
        await conn.OpenAsync();
        await conn.ExecuteAsync("SET enable_seqscan = off");
        var plan = string.Join("\n", await conn.QueryAsync<string>("EXPLAIN " + sql, new { customerId = 1, take = 10, complaintId = 1L }));
        Assert.Contains(index, plan);
        Assert.DoesNotContain($"Seq Scan on {table}", plan);
    }
}
