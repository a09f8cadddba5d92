using System.Security.Claims;
using Bunit;
using Dapper;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using Npgsql;
using ServiceHub.App.Components.Pages.Intake;
using ServiceHub.App.Infrastructure;
using ServiceHub.Data.Admin;
using ServiceHub.Tests.Infrastructure;

namespace ServiceHub.Tests.Faults;

/// <summary>
/// Issue #16 point 6: a database that takes no writes now (read-only: <c>default_transaction_read_only</c>, a standby; or its disk
/// full). A save says so plainly — "the system cannot save right now, nothing was recorded" — and the page keeps working for reading.
/// </summary>
[Trait("Category", "faults")]
public sealed class ReadOnlyDatabaseTests(DatabaseFixture db) : IClassFixture<DatabaseFixture>
{
    [Theory]
    [InlineData("zh-CN", "系统暂时无法保存，本次操作未记录任何内容。")]
    [InlineData("en", "The system cannot save right now; nothing was recorded.")]
    public async Task A_save_on_a_read_only_database_says_nothing_was_recorded_and_the_page_still_reads(string culture, string message)
    {
        await using var ctx = BunitSetup.Create(culture, s =>
        {
            s.AddSingleton<IConfiguration>(new ConfigurationBuilder().Build());
            s.AddServiceHubData(db.ConnectionString);
            s.AddScoped<CurrentUser>();
            s.AddScoped<ActionRunner>();
        }, a => a.SetAuthorized("supervisor").SetRoles(Roles.CsSupervisor).SetClaims(new Claim(ClaimTypes.NameIdentifier, "1"), new Claim(AppClaims.DisplayName, "陈静")));
        var snackbars = ctx.Render<MudSnackbarProvider>();
        var page = ctx.Render<PhrasesPage>();
        page.WaitForAssertion(() => Assert.NotNull(page.Find("[data-testid=phrase-group-standard-thanks]")));
        var phrases = await CountPhrasesAsync();

        await ReadOnlyDatabase.SetAsync(db, true, ctx.Services.GetRequiredService<NpgsqlDataSource>());
        try
        {
            page.Find("input[data-testid=phrase-text]").Change("只读时写入的话术");
            await page.Find("[data-testid=phrase-add]").ClickAsync(new());
            snackbars.WaitForAssertion(() => Assert.Contains(message, snackbars.Markup));
            Assert.Equal(phrases, await CountPhrasesAsync());
            // Reading still works: the page as it was, and a fresh one reads the database.
            Assert.NotNull(page.Find("[data-testid=phrase-group-standard-thanks]"));
            var again = ctx.Render<PhrasesPage>();
            again.WaitForAssertion(() => Assert.Equal(7, again.FindAll("[data-testid=phrase-standard-polite]").Count));
        }
        finally
        {
            await ReadOnlyDatabase.SetAsync(db, false, ctx.Services.GetRequiredService<NpgsqlDataSource>());
        }
    }

    [Theory]
    [InlineData(PostgresErrorCodes.ReadOnlySqlTransaction, true)]
    [InlineData(PostgresErrorCodes.DiskFull, true)]
    [InlineData(PostgresErrorCodes.UniqueViolation, false)]
    [InlineData(PostgresErrorCodes.SerializationFailure, false)]
    public void Read_only_and_disk_full_are_the_errors_that_mean_cannot_save_now(string sqlState, bool cannotWrite) =>
        Assert.Equal(cannotWrite, ActionRunner.CannotWriteNow(new PostgresException("x", "ERROR", "ERROR", sqlState)));

    private async Task<int> CountPhrasesAsync()
    {
        await using var conn = await db.DataSource.OpenConnectionAsync();
        await conn.ExecuteAsync("SET default_transaction_read_only = off");
        return await conn.ExecuteScalarAsync<int>("SELECT count(*)::int FROM service_phrases");
    }
}
