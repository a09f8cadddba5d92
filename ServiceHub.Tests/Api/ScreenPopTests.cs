using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Threading.Channels;
using Dapper;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Bunit;
using ServiceHub.App.Emergencies;
using ServiceHub.Data.Admin;
using ServiceHub.Data.Intake;
using ServiceHub.Data.Integrations;
using ServiceHub.Tests.Emergencies;

namespace ServiceHub.Tests.Api;

/// <summary>Issue #13 points 9-10: the CTI's call pops up on the screen of the agent at that extension, and nobody else's.</summary>
public sealed class ScreenPopTests(ApiAppFactory app) : IClassFixture<ApiAppFactory>
{
    private async Task SetExtensionAsync(string userName, string extension)
    {
        await using var conn = await app.Db.OpenConnectionAsync();
        await conn.ExecuteAsync("UPDATE users SET extension = NULL WHERE extension = @extension", new { extension });
        await conn.ExecuteAsync("UPDATE users SET extension = @extension WHERE user_name = @userName", new { userName, extension });
    }

    private static async Task<(AlertsClient Client, Channel<ScreenPopMessage> Pops)> ConnectAsync(string baseUrl, string userName)
    {
        var client = await AlertsClient.ConnectAsync(baseUrl, userName, start: false);
        var pops = Channel.CreateUnbounded<ScreenPopMessage>();
        client.Connection.On<ScreenPopMessage>("ScreenPop", p => pops.Writer.TryWrite(p));
        await client.Connection.StartAsync();
        return (client, pops);
    }

    [Fact]
    public async Task A_call_reaches_the_agent_at_that_extension_live_and_not_another_agent_and_the_contact_keeps_its_start()
    {
        await SetExtensionAsync("agent", "8001");
        await SetExtensionAsync("agent2", "8002");
        var cti = await app.IssueKeyAsync("hotline exchange", [ApiScopes.Cti], [Roles.Agent]);
        var phone = await app.AnyCustomerPhoneAsync();
        var (agent, agentPops) = await ConnectAsync(app.BaseUrl, "agent");
        var (agent2, agent2Pops) = await ConnectAsync(app.BaseUrl, "agent2");
        await using var _ = agent;
        await using var __ = agent2;

        var started = app.Clock.GetUtcNow().AddSeconds(-5);
        using var client = app.ApiClient(cti.Key);
        using var response = await client.PostAsJsonAsync("/api/v1/calls", new { callerNumber = phone, extension = "8001", startedAt = started, callId = "exchange-0001" });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var accepted = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(accepted.GetProperty("agentFound").GetBoolean());

        using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        var pop = await agentPops.Reader.ReadAsync(wait.Token);
        Assert.Equal(accepted.GetProperty("callId").GetInt64(), pop.CallId);
        Assert.Equal(await app.CustomerIdAsync(phone), pop.CustomerId);
        Assert.DoesNotContain(phone, pop.CallerPhoneMasked);

        // A message to everyone after the call: agent2 received it, and nothing before it.
        await app.Get<IHubContext<AlertsHub, IAlertsClient>>().Clients.All.AlertsAcknowledged([long.MinValue]);
        while (!(await agent2.NextAcknowledgedAsync()).Contains(long.MinValue)) { }
        Assert.False(agent2Pops.Reader.TryRead(out var _));

        // The agent's screen reads the dossier; agent2 may not read another agent's call.
        var me = await EmergencyTestData.ActorAsync(app.Db, "agent");
        var dossier = await app.Get<CallRepository>().DossierAsync(me, pop.CallId);
        Assert.False(dossier.IsNewCaller);
        var other = await EmergencyTestData.ActorAsync(app.Db, "agent2");
        await Assert.ThrowsAsync<ServiceHub.Data.Infrastructure.ForbiddenException>(() => app.Get<CallRepository>().DossierAsync(other, pop.CallId));

        // The same call announced again is the same call.
        using var again = await client.PostAsJsonAsync("/api/v1/calls", new { callerNumber = phone, extension = "8001", startedAt = started, callId = "exchange-0001" });
        Assert.Equal(pop.CallId, (await again.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("callId").GetInt64());

        // Registered from the pop-up: the contact keeps the call and its start time; another agent cannot use the call.
        var form = new IntakeForm { Channel = "phone", Kind = "consultation", CustomerId = pop.CustomerId, Content = "询问停车位", Answer = "已答复", Satisfied = true, CallId = pop.CallId };
        var result = await app.Get<IntakeRepository>().RegisterAsync(me, form);
        await using var conn = await app.Db.OpenConnectionAsync();
        var kept = await conn.QuerySingleAsync<DateTimeOffset>("SELECT call_started_at FROM contacts WHERE id = @id", new { id = result.ContactId });
        Assert.Equal(started.ToUnixTimeMilliseconds() / 1000, kept.ToUnixTimeMilliseconds() / 1000);
        var stolen = await Assert.ThrowsAsync<ServiceHub.Data.Infrastructure.ValidationFailedException>(() =>
            app.Get<IntakeRepository>().RegisterAsync(other, form));
        Assert.Equal("Intake.CallNotYours", stolen.Errors["CallId"].Code);
    }

    [Fact]
    public async Task The_pop_up_shows_the_callers_name_house_open_complaints_last_contacts_and_pending_return_visits_or_new_caller()
    {
        await SetExtensionAsync("agent", "8021");
        var me = await EmergencyTestData.ActorAsync(app.Db, "agent");
        var handler = await EmergencyTestData.ActorAsync(app.Db, "handler");
        var pm = await EmergencyTestData.DepartmentAsync(app.Db, "PM");
        int unitId;
        await using (var conn = await app.Db.OpenConnectionAsync())
            unitId = await conn.ExecuteScalarAsync<int>("SELECT id FROM units ORDER BY id LIMIT 1");
        var phone = "1391234" + Random.Shared.Next(1000, 9999).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var customerId = await app.Get<CustomerRepository>().SaveAsync(me, new CustomerEdit { Name = "钱多多", Phone = phone, UnitId = unitId });
        var house = (await app.Get<CustomerRepository>().GetAsync(me, customerId))!.Address!;

        // One complaint still open, one handled (its return visit pending), one consultation answered.
        var intake = app.Get<IntakeRepository>();
        var open = await intake.RegisterAsync(me, new IntakeForm { Channel = "phone", Kind = "complaint", CustomerId = customerId, Content = "电梯异响" });
        var handled = await intake.RegisterAsync(me, new IntakeForm
        {
            Channel = "phone", Kind = "complaint", CustomerId = customerId, Content = "楼道灯不亮", DispatchDepartmentId = pm, UrgencyMinutes = 60,
        });
        var lifecycle = app.Get<ServiceHub.Data.Complaints.ComplaintLifecycle>();
        await lifecycle.ConfirmContactAsync(handler, handled.ComplaintId!.Value, app.Clock.GetUtcNow(), "电话");
        await lifecycle.HandleAsync(handler, handled.ComplaintId.Value, "更换灯管", "已为您更换楼道灯管。", false);
        await intake.RegisterAsync(me, new IntakeForm { Channel = "phone", Kind = "consultation", CustomerId = customerId, Content = "物业费缴纳方式", Answer = "可线上缴纳", Satisfied = true });

        var cti = await app.IssueKeyAsync("dossier exchange", [ApiScopes.Cti], [Roles.Agent]);
        using var client = app.ApiClient(cti.Key);
        long Call(JsonElement e) => e.GetProperty("callId").GetInt64();
        var known = Call(await (await client.PostAsJsonAsync("/api/v1/calls", new { callerNumber = phone, extension = "8021" })).Content.ReadFromJsonAsync<JsonElement>());
        var unknown = Call(await (await client.PostAsJsonAsync("/api/v1/calls", new { callerNumber = "13700000001", extension = "8021" })).Content.ReadFromJsonAsync<JsonElement>());

        await using var ctx = ServiceHub.Tests.Infrastructure.BunitSetup.Create("zh-CN", s =>
        {
            s.AddSingleton(app.Get<CallRepository>());
            s.AddScoped<ServiceHub.App.Infrastructure.CurrentUser>();
        }, a => a.SetAuthorized(me.UserName).SetRoles([.. me.Roles]).SetClaims(
            new System.Security.Claims.Claim(System.Security.Claims.ClaimTypes.NameIdentifier, me.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            new System.Security.Claims.Claim(ServiceHub.App.Infrastructure.AppClaims.DisplayName, me.DisplayName)));
        var pop = ctx.Render<ServiceHub.App.Components.Pages.Intake.ScreenPop>();
        await pop.InvokeAsync(() => pop.Instance.OnScreenPop(new ScreenPopMessage(known, "139****0000", app.Clock.GetUtcNow(), customerId, "钱多多")));

        pop.WaitForAssertion(() => Assert.Equal("钱多多", pop.Find("[data-testid=screen-pop-name]").TextContent.Trim()));
        var text = pop.Find("[data-testid=screen-pop]").TextContent;
        Assert.Equal(house, pop.Find("[data-testid=screen-pop-house]").TextContent.Trim());
        Assert.Contains("未处理投诉（1）", text);
        Assert.Contains(open.SheetNo!, Assert.Single(pop.FindAll("[data-testid=screen-pop-complaint]")).TextContent);
        Assert.Contains("物业费缴纳方式", text);
        Assert.Contains("楼道灯不亮", text);
        Assert.Contains("待回访（1）", text);
        Assert.Contains(handled.SheetNo!, text[text.IndexOf("待回访", StringComparison.Ordinal)..]);
        Assert.Equal($"/intake?call={known}", pop.Find("[data-testid=screen-pop-register]").GetAttribute("href"));

        await pop.InvokeAsync(() => pop.Instance.OnScreenPop(new ScreenPopMessage(unknown, "137****0001", app.Clock.GetUtcNow(), null, null)));
        pop.WaitForAssertion(() => Assert.Contains("新来电客户", pop.Find("[data-testid=screen-pop-new]").TextContent));
        Assert.Empty(pop.FindAll("[data-testid=screen-pop-name]"));
    }

    [Fact]
    public async Task The_administrator_gives_an_agent_an_extension_once_in_their_profile_and_calls_to_it_find_them()
    {
        var admin = await EmergencyTestData.ActorAsync(app.Db, "admin");
        var users = app.Get<UserRepository>();
        var cs = await EmergencyTestData.DepartmentAsync(app.Db, "CS");
        UserEdit Agent(string name, string extension) => new()
        {
            UserName = name, DisplayName = name, Roles = [Roles.Agent], DepartmentId = cs, Extension = extension, NewPassword = "Hotline2026x",
        };
        var id = await users.SaveAsync(admin, Agent("agent8051", " 8051 "));
        var taken = await Assert.ThrowsAsync<ServiceHub.Data.Infrastructure.ValidationFailedException>(() => users.SaveAsync(admin, Agent("agent8051b", "8051")));
        Assert.Equal("User.ExtensionTaken", taken.Errors["Extension"].Code);
        var invalid = await Assert.ThrowsAsync<ServiceHub.Data.Infrastructure.ValidationFailedException>(() => users.SaveAsync(admin, Agent("agent8051c", "80-51")));
        Assert.Equal("User.ExtensionInvalid", invalid.Errors["Extension"].Code);

        var cti = await app.IssueKeyAsync("profile exchange", [ApiScopes.Cti], [Roles.Agent]);
        using var client = app.ApiClient(cti.Key);
        var accepted = await (await client.PostAsJsonAsync("/api/v1/calls", new { callerNumber = "13700000002", extension = "8051" })).Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(accepted.GetProperty("agentFound").GetBoolean());
        await using var conn = await app.Db.OpenConnectionAsync();
        Assert.Equal(id, await conn.ExecuteScalarAsync<int>("SELECT agent_id FROM cti_calls WHERE id = @id", new { id = accepted.GetProperty("callId").GetInt64() }));
    }

    [Fact]
    public async Task An_unknown_number_is_a_new_caller_and_a_call_needs_the_cti_scope()
    {
        await SetExtensionAsync("agent", "8011");
        var cti = await app.IssueKeyAsync("exchange two", [ApiScopes.Cti], [Roles.Agent]);
        using var client = app.ApiClient(cti.Key);
        using var response = await client.PostAsJsonAsync("/api/v1/calls", new { callerNumber = "13912345670", extension = "8011" });
        var accepted = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(accepted.GetProperty("customerId").ValueKind == JsonValueKind.Null);
        var dossier = await app.Get<CallRepository>().DossierAsync(await EmergencyTestData.ActorAsync(app.Db, "agent"), accepted.GetProperty("callId").GetInt64());
        Assert.True(dossier.IsNewCaller);

        using var bad = await client.PostAsJsonAsync("/api/v1/calls", new { callerNumber = "abc", extension = "x" });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        var problem = await bad.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("errors").TryGetProperty("callerNumber", out _));
        Assert.True(problem.GetProperty("errors").TryGetProperty("extension", out _));
    }
}
