using System.Net;
using System.Text.RegularExpressions;
using Dapper;
using Microsoft.Extensions.Configuration;
using Npgsql;
using ServiceHub.App.Operations;
using ServiceHub.Data.Admin;
using ServiceHub.Tests.Infrastructure;

namespace ServiceHub.Tests.Operations;

/// <summary>A production start: no demo data, no demo accounts, no banner; the first administrator from the command line.</summary>
public sealed partial class ProductionStartTests(ProductionAppFactory app) : IClassFixture<ProductionAppFactory>
{
    [Fact]
    public async Task A_production_start_has_no_demo_accounts_no_demo_data_and_no_banner()
    {
        await using var conn = new NpgsqlConnection(app.ConnectionString);
        foreach (var demo in DemoSeeder.DemoAccounts)
            Assert.Equal(0, await conn.ExecuteScalarAsync<int>("SELECT count(*) FROM users WHERE user_name = @UserName", demo));
        Assert.Equal(0, await conn.ExecuteScalarAsync<int>("SELECT count(*) FROM customers"));
        Assert.Equal(0, await conn.ExecuteScalarAsync<int>("SELECT count(*) FROM installation WHERE is_demo"));

        var client = app.CreateClient(new() { AllowAutoRedirect = false });
        var (status, body) = await AppFactory.SignInAsync(client, "admin", DemoSeeder.DemoPassword);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("data-testid=\"login-error\"", body);
        Assert.DoesNotContain("demo-banner", body);
    }

    [Fact]
    public async Task The_first_administrator_from_the_command_line_is_sent_to_change_the_password_after_signing_in()
    {
        var (name, password) = await CreateAdministratorAsync(app.ConnectionString, "first.admin");
        var client = app.CreateDefaultClient(app.ClientOptions.BaseAddress, new Microsoft.AspNetCore.Mvc.Testing.Handlers.CookieContainerHandler());
        var (status, _) = await AppFactory.SignInAsync(client, name, password);
        Assert.Equal(HttpStatusCode.Redirect, status);

        // Every page sends them to the change form; other requests are refused.
        foreach (var path in new[] { "/", "/admin/users", "/complaints", "/penalties/export?period=2026-01" })
        {
            var r = await client.GetAsync(path);
            Assert.Equal(HttpStatusCode.Redirect, r.StatusCode);
            Assert.Equal("/account/password", r.Headers.Location!.OriginalString);
        }
        Assert.Equal(HttpStatusCode.Forbidden, (await client.PostAsync("/intake", new FormUrlEncodedContent(new Dictionary<string, string> { ["_handler"] = "intake" }))).StatusCode);
        var form = await client.GetAsync("/account/password");
        Assert.Equal(HttpStatusCode.OK, form.StatusCode);
        Assert.Contains("data-testid=\"pw-required\"", await form.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/healthz")).StatusCode);
    }

    /// <summary>Runs <c>admin create NAME</c> as the operator does (no terminal: the password is generated and printed once).</summary>
    internal static async Task<(string Name, string Password)> CreateAdministratorAsync(string connectionString, string name)
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["ConnectionStrings:ServiceHub"] = connectionString }).Build();
        var output = new StringWriter();
        var error = new StringWriter();
        var exit = await OperationsCommands.RunAsync(["admin", "create", name, "--display-name", "信息中心管理员"], config, new StringReader(""), output, error, interactive: false);
        Assert.True(exit == OperationsCommands.Ok, error.ToString());
        Assert.Contains("must be changed at the first sign-in", output.ToString());
        return (name, PrintedPassword().Match(output.ToString()).Groups[1].Value);
    }

    [Fact]
    public async Task Creating_an_administrator_twice_is_refused_with_a_clear_message()
    {
        await CreateAdministratorAsync(app.ConnectionString, "twice");
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["ConnectionStrings:ServiceHub"] = app.ConnectionString }).Build();
        var error = new StringWriter();
        var exit = await OperationsCommands.RunAsync(["admin", "create", "TWICE"], config, new StringReader(""), new StringWriter(), error, interactive: false);
        Assert.Equal(OperationsCommands.Failed, exit);
        Assert.Contains("The user name \"TWICE\" is taken. Nothing was created.", error.ToString());
    }

    [GeneratedRegex(@"Password \(shown once\): (\S+)")]
    private static partial Regex PrintedPassword();
}

/// <summary>A database seeded as a demo says so on every page, the sign-in page included.</summary>
// Shares the collection's app: it only reads pages.
[Collection(AppCollection.Name)]
public sealed class DemoBannerTests(AppFactory app)
{
    [Fact]
    public async Task The_demo_says_so_on_the_sign_in_page_and_on_every_signed_in_page()
    {
        var anonymous = app.CreateClient(new() { AllowAutoRedirect = false });
        Assert.Contains("data-testid=\"demo-banner\"", await anonymous.GetStringAsync("/account/login"));

        var client = await app.SignedInClientAsync("admin");
        foreach (var path in new[] { "/", "/admin/users", "/complaints", "/admin/backups" })
        {
            var page = await client.GetStringAsync(path);
            Assert.Contains("data-testid=\"demo-banner\"", page);
            Assert.Contains("演示数据库", page);
        }
    }
}
