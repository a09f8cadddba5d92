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
        var c = (await Repo.GetAsync(Actor.System, id))!;
        Assert.Equal("138****1234", c.PhoneMasked);
        Assert.DoesNotContain("13812341234", c.PhoneMasked);
        Assert.Equal("*********45", c.MembershipNoMasked);
    }

    [Fact]
    public async Task Customers_are_found_by_name_by_phone_prefix_and_by_the_last_four_digits()
    {
        await Repo.SaveAsync(Actor.System, new CustomerEdit { Name = "欧阳娜娜", Phone = "13998765432" });
        Assert.Contains((await Repo.SearchAsync(Actor.System, "欧阳", null, 0, 10)).Items, c => c.Name == "欧阳娜娜");
        Assert.Contains((await Repo.SearchAsync(Actor.System, "139987", null, 0, 10)).Items, c => c.Name == "欧阳娜娜");
        Assert.Contains((await Repo.SearchAsync(Actor.System, "5432", null, 0, 10)).Items, c => c.Name == "欧阳娜娜");
        Assert.DoesNotContain((await Repo.SearchAsync(Actor.System, "1234", null, 0, 10)).Items, c => c.Name == "欧阳娜娜");
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
        var ex = await Assert.ThrowsAsync<ValidationFailedException>(() => Repo.SaveAsync(Actor.System, new CustomerEdit { Name = "王五", Phone = phone }));
        Assert.Equal("Validation.Phone", ex.Errors["Phone"].Code);
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

/// <summary>The customer search keeps private data private (issue #12 point 5).</summary>
public sealed class CustomerSearchTests(DatabaseFixture db) : IClassFixture<DatabaseFixture>, IAsyncLifetime
{
    private TestServices _s = default!;
    private CustomerRepository Repo => _s.Get<CustomerRepository>();

    public Task InitializeAsync() { _s = new TestServices(db.ConnectionString); return Task.CompletedTask; }
    public async Task DisposeAsync() => await _s.DisposeAsync();

    private async Task<int> UnitAsync()
    {
        await using var conn = new NpgsqlConnection(db.ConnectionString);
        var project = await conn.ExecuteScalarAsync<int>("INSERT INTO projects (code, name) VALUES ('SRCH', '搜索花园') RETURNING id");
        var building = await conn.ExecuteScalarAsync<int>("INSERT INTO buildings (project_id, name) VALUES (@project, '7号楼') RETURNING id", new { project });
        return await conn.ExecuteScalarAsync<int>("INSERT INTO units (building_id, number) VALUES (@building, '1203') RETURNING id", new { building });
    }

    [Fact]
    public async Task A_role_without_private_data_finds_a_customer_by_the_full_number_only_and_sees_no_unit()
    {
        var unit = await UnitAsync();
        await Repo.SaveAsync(Actor.System, new CustomerEdit { Name = "司马光", Phone = "13566667777", UnitId = unit });
        var handler = Build.Actor(9201, Roles.Handler);
        Assert.Empty((await Repo.SearchAsync(handler, "135666", null, 0, 10)).Items);
        Assert.Empty((await Repo.SearchAsync(handler, "7777", null, 0, 10)).Items);
        Assert.Empty((await Repo.SearchAsync(handler, "1356666777", null, 0, 10)).Items);
        var found = Assert.Single((await Repo.SearchAsync(handler, "135 6666 7777", null, 0, 10)).Items);
        Assert.Equal("135****7777", found.PhoneMasked);
        Assert.Equal("搜索花园 7号楼", found.Address);
        Assert.Equal("搜索花园 7号楼", (await Repo.GetAsync(handler, found.Id))!.Address);

        // An agent (private data) still finds by the start or the last four digits, and sees the unit.
        var agent = Build.Actor(9202, Roles.Agent);
        Assert.Contains((await Repo.SearchAsync(agent, "7777", null, 0, 10)).Items, c => c.Name == "司马光");
        Assert.Equal("搜索花园 7号楼 1203", (await Repo.SearchAsync(agent, "135666", null, 0, 10)).Items.Single(c => c.Name == "司马光").Address);
    }

    [Fact]
    public async Task Every_search_is_audited_and_a_user_over_the_limit_is_refused_until_the_window_moves_on()
    {
        var handler = Build.Actor(9203, Roles.Handler);
        var limit = new CustomerSearchOptions().PermitLimit;
        for (var i = 0; i < limit; i++) await Repo.SearchAsync(handler, "张", null, 0, 5);
        var refused = await Assert.ThrowsAsync<DomainException>(() => Repo.SearchAsync(handler, "李", null, 0, 5));
        Assert.Equal("Customer.SearchLimited", refused.Code);
        // Another user is not affected; the same user may search again when the window has passed.
        await Repo.SearchAsync(Build.Actor(9204, Roles.Handler), "王", null, 0, 5);
        _s.Clock.Advance(new CustomerSearchOptions().Window);
        await Repo.SearchAsync(handler, "赵", null, 0, 5);

        await using var conn = new NpgsqlConnection(db.ConnectionString);
        Assert.Equal(limit + 1, await conn.ExecuteScalarAsync<int>(
            "SELECT count(*) FROM audit_log WHERE action = 'customer-search' AND user_name = 'user9203'"));
        Assert.Equal("赵", await conn.ExecuteScalarAsync<string>(
            "SELECT details FROM audit_log WHERE action = 'customer-search' AND user_name = 'user9203' ORDER BY id DESC LIMIT 1"));
    }

    [Theory]
    [InlineData("%")]
    [InlineData("_")]
    [InlineData("\\")]
    public async Task Wildcards_in_a_search_match_literally(string wildcard)
    {
        await Repo.SaveAsync(Actor.System, new CustomerEdit { Name = "通配符测试", Phone = "13511112222" });
        Assert.DoesNotContain((await Repo.SearchAsync(Actor.System, wildcard, null, 0, 50)).Items, c => c.Name == "通配符测试");
    }

    [Fact]
    public async Task A_page_is_never_larger_than_the_cap()
    {
        // More customers than a page holds, so a page asked for a million rows shows what the cap allows and no more.
        await using (var conn = new NpgsqlConnection(db.ConnectionString))
            await conn.ExecuteAsync("""
                INSERT INTO customers (name, phone)
                SELECT '分页客户' || i, '139' || lpad(i::text, 8, '0') FROM generate_series(1, @count) i
                """, new { count = Search.MaxPageSize + 50 });
        var page = await Repo.SearchAsync(Actor.System, null, null, -5, 1_000_000);
        Assert.Equal(Search.MaxPageSize, page.Items.Count);
        Assert.True(page.Total >= Search.MaxPageSize + 50, $"total {page.Total}");
    }
}
