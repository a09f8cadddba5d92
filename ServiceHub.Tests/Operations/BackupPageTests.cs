using Bunit;
using Dapper;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using ServiceHub.App.Components.Pages.Operations;
using ServiceHub.App.Infrastructure;
using ServiceHub.Data.Admin;
using ServiceHub.Tests.Infrastructure;

namespace ServiceHub.Tests.Operations;

/// <summary>What the admin sees of backups: the last one on its page, and a warning on the home page when none is recent.</summary>
public sealed class BackupPageTests(DatabaseFixture db) : IClassFixture<DatabaseFixture>, IAsyncLifetime
{
    private static readonly DateTimeOffset Now = new(2026, 11, 26, 2, 0, 0, TimeSpan.Zero);
    private readonly FakeTimeProvider _clock = new(Now);
    private readonly string _dir = Directory.CreateTempSubdirectory("servicehub-backup-page-").FullName;

    public async Task InitializeAsync()
    {
        await using var conn = new NpgsqlConnection(db.ConnectionString);
        await conn.ExecuteAsync("DELETE FROM backups");
    }

    public Task DisposeAsync()
    {
        Directory.Delete(_dir, recursive: true);
        return Task.CompletedTask;
    }

    private BunitContext Create(string culture, string role) => BunitSetup.Create(culture,
        s => s.AddData(db.ConnectionString, _clock, new Dictionary<string, string?> { ["Backups:Directory"] = _dir }).AddLogging(), a => a.SetAuthorized(role).SetRoles(role).SetClaims(new System.Security.Claims.Claim(System.Security.Claims.ClaimTypes.NameIdentifier, "1")));

    private async Task RecordAsync(string state, TimeSpan ago, long? size = 1_572_864, string? message = null)
    {
        await using var conn = new NpgsqlConnection(db.ConnectionString);
        await conn.ExecuteAsync("""
            INSERT INTO backups (started_at, finished_at, trigger, state, file_name, size_bytes, message)
            VALUES (@at - interval '1 minute', @at, 'nightly', @state, 'servicehub-x-20261124-020000.dump', @size, @message)
            """, new { at = Now - ago, state, size, message });
    }

    [Fact]
    public async Task The_admin_home_warns_when_the_last_good_backup_is_older_than_36_hours()
    {
        await RecordAsync("succeeded", TimeSpan.FromHours(37));
        await RecordAsync("failed", TimeSpan.FromHours(13), size: null, message: "pg_dump failed");
        await using var ctx = Create("zh-CN", Roles.Admin);
        var warning = ctx.Render<BackupWarning>();
        warning.WaitForAssertion(() => Assert.Contains("2026-11-24 21:00", warning.Find("[data-testid=backup-warning]").TextContent));
        Assert.Contains("36", warning.Markup);
        Assert.Contains("/admin/backups", warning.Markup);
    }

    [Fact]
    public async Task A_recent_good_backup_raises_no_warning_and_nobody_but_the_admin_sees_one()
    {
        await RecordAsync("succeeded", TimeSpan.FromHours(20));
        await using (var ctx = Create("zh-CN", Roles.Admin))
        {
            var warning = ctx.Render<BackupWarning>();
            warning.WaitForAssertion(() => Assert.Empty(warning.FindAll("[data-testid=backup-warning]")));
        }
        _clock.Advance(TimeSpan.FromHours(17));
        await using (var ctx = Create("zh-CN", Roles.Agent))
        {
            var warning = ctx.Render<BackupWarning>();
            warning.WaitForAssertion(() => Assert.Empty(warning.FindAll("[data-testid=backup-warning]")));
        }
        await using (var ctx = Create("zh-CN", Roles.Admin))
        {
            var warning = ctx.Render<BackupWarning>();
            warning.WaitForAssertion(() => Assert.NotEmpty(warning.FindAll("[data-testid=backup-warning]")));
        }
    }

    [Fact]
    public async Task The_backups_page_shows_the_last_backup_and_backing_up_now_adds_a_verified_one()
    {
        await RecordAsync("failed", TimeSpan.FromHours(2), size: null, message: "pg_dump failed (exit 1): connection refused");
        await using var ctx = Create("en", Roles.Admin);
        ctx.Render<MudBlazor.MudPopoverProvider>();
        ctx.Render<MudBlazor.MudSnackbarProvider>();
        var page = ctx.Render<BackupsPage>();
        page.WaitForAssertion(() => Assert.Equal("2026-11-26 08:00", page.Find("[data-testid=backup-last-time]").TextContent));
        Assert.Equal("Failed", page.Find("[data-testid=backup-last-result]").TextContent.Trim());
        Assert.Contains("connection refused", page.Find("[data-testid=backup-last-error]").TextContent);
        Assert.Contains(_dir, page.Find("[data-testid=backup-directory]").TextContent);

        _clock.Advance(TimeSpan.FromMinutes(30));
        await page.Find("[data-testid=backup-now]").ClickAsync(new());
        page.WaitForAssertion(() => Assert.Equal("Succeeded", page.Find("[data-testid=backup-last-result]").TextContent.Trim()), TimeSpan.FromSeconds(60));
        Assert.Equal("2026-11-26 10:30", page.Find("[data-testid=backup-last-time]").TextContent);
        Assert.Matches(@"\d+(\.\d)? (KB|MB)", page.Find("[data-testid=backup-last-size]").TextContent);
        Assert.Single(Directory.GetFiles(_dir, "*.dump"));
        Assert.Equal(2, page.FindAll("[data-testid=backup-list] tbody tr").Count);
    }
}
