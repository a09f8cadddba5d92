using Dapper;
using Npgsql;
using ServiceHub.Data.Admin;
using ServiceHub.Data.Complaints;
using ServiceHub.Data.Infrastructure;
using ServiceHub.Tests.Complaints;
using ServiceHub.Tests.Infrastructure;

namespace ServiceHub.Tests.Security;

/// <summary>
/// Hostile input on the main write paths (issue #12 point 15): 100 KB of text is refused at the field with nothing written; control
/// characters, right-to-left marks, emoji and SQL/HTML payloads are stored as the text they are (parameterised SQL, no interpretation).
/// </summary>
public sealed class HostileInputTests(DatabaseFixture db) : ComplaintWorldTests(db)
{
    private static readonly string Huge = Hostile.Huge;

    public static TheoryData<string> Payloads() => Hostile.Payloads();

    private Task<long> CountAsync(string table) => Hostile.CountAsync(Db.ConnectionString, table);

    [Fact]
    public async Task Hundred_kilobytes_are_refused_at_the_field_on_every_main_form_and_nothing_is_written()
    {
        var contacts = await CountAsync("contacts");
        var form = _w.ComplaintForm(Huge);
        var intake = await Assert.ThrowsAsync<ValidationFailedException>(() => _w.Intake.RegisterAsync(_w.Agent, form));
        Assert.Equal("Validation.TooLong", intake.Errors["Content"].Code);
        Assert.Equal(contacts, await CountAsync("contacts"));

        var customers = await CountAsync("customers");
        var customer = await Assert.ThrowsAsync<ValidationFailedException>(() => _s.Get<CustomerRepository>().SaveAsync(Actor.System, new CustomerEdit { Name = Huge, Phone = "13900001111" }));
        Assert.Equal("Validation.TooLong", customer.Errors["Name"].Code);
        Assert.Equal(customers, await CountAsync("customers"));

        var user = await Assert.ThrowsAsync<ValidationFailedException>(() => _s.Get<UserRepository>().SaveAsync(Actor.System,
            new UserEdit { UserName = "hostile", DisplayName = Huge, Roles = [Roles.Agent], NewPassword = "Passw0rd!Passw0rd" }));
        Assert.Equal("Validation.TooLong", user.Errors["DisplayName"].Code);

        var dept = await Assert.ThrowsAsync<ValidationFailedException>(() => _s.Get<DepartmentRepository>().SaveAsync(Actor.System,
            new DepartmentEdit { Code = "HX", Name = Huge, NameEn = "Hostile" }));
        Assert.Equal("Validation.TooLong", dept.Errors["Name"].Code);

        var id = await _w.RegisterComplaintAsync();
        await _w.Lifecycle.ConfirmContactAsync(_w.Handler, id, _s.Clock.GetUtcNow(), "电话");
        var handle = await Assert.ThrowsAsync<ValidationFailedException>(() => _w.Lifecycle.HandleAsync(_w.Handler, id, Huge, "已处理", false));
        Assert.Equal("Validation.TooLong", handle.Errors["Resolution"].Code);
        Assert.Equal(ComplaintStates.Contacted, (await _w.Complaints.GetAsync(_w.Agent, id))!.State);
    }

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
