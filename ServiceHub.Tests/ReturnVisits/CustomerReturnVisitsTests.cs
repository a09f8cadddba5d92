using ServiceHub.Data.Infrastructure;
using Dapper;
using Npgsql;
using ServiceHub.Data.ReturnVisits;
using ServiceHub.Tests.Complaints;
using ServiceHub.Tests.Infrastructure;

namespace ServiceHub.Tests.ReturnVisits;

public sealed class CustomerReturnVisitsTests(DatabaseFixture db) : ComplaintWorldTests(db)
{


    [Fact]
    public async Task The_customer_dossier_lists_the_return_visit_of_a_handled_complaint()
    {
        var id = await _w.RegisterComplaintAsync(content: "回访档案");
        await _w.Lifecycle.ConfirmContactAsync(_w.Handler, id, _s.Clock.GetUtcNow(), "电话");
        await _w.Lifecycle.HandleAsync(_w.Handler, id, "已修复", "已为您修复", false);
        var visits = await _s.Get<CustomerReturnVisits>().ForCustomerAsync(Actor.System, _w.CustomerId);
        var v = Assert.Single(visits, v => v.ComplaintId == id);
        Assert.Equal("open", v.State);
        await using var conn = new NpgsqlConnection(Db.ConnectionString);
        Assert.Equal(1, await conn.ExecuteScalarAsync<int>("SELECT count(*) FROM return_visit_tasks WHERE complaint_id = @id", new { id }));
    }
}
