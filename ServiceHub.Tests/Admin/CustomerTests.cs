using Dapper;
using Npgsql;
using ServiceHub.Data.Admin;
using ServiceHub.Data.Infrastructure;
using ServiceHub.Tests.Infrastructure;

namespace ServiceHub.Tests.Admin;

public sealed class CustomerTests(DatabaseFixture db) : WorldTests<DataWorld>(db)
{
    private CustomerRepository Repo => _s.Get<CustomerRepository>();

    [Fact]
    public async Task Lists_show_phones_and_membership_masked()
    {
        var id = await Repo.SaveAsync(Actor.System, new CustomerEdit { Name = "张三丰", Phone = "13812341234", MembershipNo = "HY202612345", MembershipLevel = "金卡会员" });
        var c = (await Repo.GetAsync(id))!;
        Assert.Equal("138****1234", c.PhoneMasked);
        Assert.DoesNotContain("13812341234", c.PhoneMasked);
        Assert.Equal("*********45", c.MembershipNoMasked);
    }

    [Fact]
    public async Task Customers_are_found_by_name_by_phone_prefix_and_by_the_last_four_digits()
    {
        await Repo.SaveAsync(Actor.System, new CustomerEdit { Name = "欧阳娜娜", Phone = "13998765432" });
        Assert.Contains((await Repo.SearchAsync("欧阳", null, 0, 10)).Items, c => c.Name == "欧阳娜娜");
        Assert.Contains((await Repo.SearchAsync("139987", null, 0, 10)).Items, c => c.Name == "欧阳娜娜");
        Assert.Contains((await Repo.SearchAsync("5432", null, 0, 10)).Items, c => c.Name == "欧阳娜娜");
        Assert.DoesNotContain((await Repo.SearchAsync("1234", null, 0, 10)).Items, c => c.Name == "欧阳娜娜");
    }

    [Fact]
    public async Task Showing_private_data_is_audited_and_refused_to_roles_without_access()
    {
        var id = await Repo.SaveAsync(Actor.System, new CustomerEdit { Name = "李四", Phone = "13700001111" });
        var agent = Build.Actor(9001, Roles.Agent);
        var full = await Repo.RevealAsync(agent, id, "test");
        Assert.Equal("13700001111", full.Phone);

        await Assert.ThrowsAsync<ForbiddenException>(() => Repo.RevealAsync(Build.Actor(9002, Roles.Handler), id, "test"));
        await Assert.ThrowsAsync<ForbiddenException>(() => Repo.RevealAsync(Build.Actor(9003, Roles.Leadership), id, "test"));

        await using var conn = new NpgsqlConnection(Db.ConnectionString);
        var views = await conn.QueryAsync<string>("SELECT user_name FROM audit_log WHERE action = 'private-data-viewed' AND entity_id = @id", new { id = id.ToString() });
        Assert.Equal(["user9001"], views);
    }

    [Theory]
    [InlineData("12345")]
    [InlineData("1381234123")]
    [InlineData("23812341234")]
    public async Task An_invalid_phone_is_refused_and_nothing_is_written(string phone)
    {
        var ex = await Assert.ThrowsAsync<DomainException>(() => Repo.SaveAsync(Actor.System, new CustomerEdit { Name = "王五", Phone = phone }));
        Assert.Equal("Validation.Phone", ex.Code);
        await using var conn = new NpgsqlConnection(Db.ConnectionString);
        Assert.Equal(0, await conn.ExecuteScalarAsync<int>("SELECT count(*) FROM customers WHERE name = '王五'"));
    }

    [Theory]
    [InlineData("13812341234", true)]
    [InlineData("010-62345678", true)]
    [InlineData("0755-8765432", true)]
    [InlineData("138 1234 1234", true)]
    [InlineData("1381234", false)]
    [InlineData("abc", false)]
    public void Phone_numbers_are_validated(string phone, bool valid) => Assert.Equal(valid, PhoneNumbers.IsValid(phone));
}
