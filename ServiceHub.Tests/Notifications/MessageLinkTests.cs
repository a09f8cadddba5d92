using System.Net;
using Dapper;
using Microsoft.AspNetCore.Mvc.Testing.Handlers;
using Npgsql;
using ServiceHub.Data.Emergencies;
using ServiceHub.Data.Notifications;
using ServiceHub.Jobs.Notifications;
using ServiceHub.Tests.Emergencies;
using ServiceHub.Tests.Infrastructure;

namespace ServiceHub.Tests.Notifications;

/// <summary>The link in a message opens its emergency after sign-in (issue #13 point 4), through the whole app.</summary>
public sealed class MessageLinkTests(MessageLinkTests.Factory app) : IClassFixture<MessageLinkTests.Factory>
{
    public sealed class Factory : AppFactory
    {
        protected override IDictionary<string, string?> Settings => new Dictionary<string, string?> { ["ServiceHub:PublicUrl"] = "https://servicehub.example.cn" };
    }

    [Fact]
    public async Task The_emergency_link_of_a_message_leads_through_sign_in_to_the_emergency()
    {
        var db = app.Get<NpgsqlDataSource>();
        var agent = await EmergencyTestData.ActorAsync(db, "agent");
        var report = await EmergencyTestData.ReportAsync(db, app.Clock.GetUtcNow());
        // The manager has a mobile: their SMS and the robot carry the link.
        await using (var conn = await db.OpenConnectionAsync())
            await conn.ExecuteAsync("""
                INSERT INTO user_notification_contacts (user_id, mobile, updated_at)
                SELECT id, '13800000001', now() FROM users WHERE user_name = 'pmmanager'
                """);
        var id = await app.Get<EmergencyRepository>().ReportAsync(agent, report);
        string link;
        await using (var conn = await db.OpenConnectionAsync())
            link = await conn.QuerySingleAsync<string>(
                "SELECT link FROM outbox_messages WHERE subject_type = 'emergency' AND subject_id = @id AND channel = 'sms'", new { id });
        var absolute = app.Get<PublicLinks>().For(link);
        Assert.Equal($"https://servicehub.example.cn/emergencies/{id}", absolute);

        // Opened by someone not signed in: the sign-in page, which returns to the emergency.
        // https, as the public address: plain http is redirected there.
        var client = app.CreateDefaultClient(new Uri("https://localhost"), new CookieContainerHandler());
        var first = await client.GetAsync(new Uri(absolute).PathAndQuery);
        Assert.Equal(HttpStatusCode.Redirect, first.StatusCode);
        var login = first.Headers.Location!;
        Assert.StartsWith("/account/login", login.IsAbsoluteUri ? login.PathAndQuery : login.OriginalString);
        var signIn = await AppFactory.PostSignInAsync(client, "pmmanager", ServiceHub.Data.Admin.DemoSeeder.DemoPassword,
            login.IsAbsoluteUri ? login.PathAndQuery : login.OriginalString);
        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
        Assert.Equal($"/emergencies/{id}", signIn.Headers.Location!.OriginalString);

        var page = await client.GetAsync($"/emergencies/{id}");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains(report.Location, await page.Content.ReadAsStringAsync());
    }
}
