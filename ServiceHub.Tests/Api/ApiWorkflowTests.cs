using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ServiceHub.Data.Admin;
using ServiceHub.Data.Emergencies;
using ServiceHub.Data.Integrations;
using ServiceHub.Tests.Emergencies;

namespace ServiceHub.Tests.Api;

/// <summary>
/// Issue #13 point 6: the write endpoints and the queue work for a valid key, as the pages' users would use them — a complaint dispatched
/// through the API is worked by a handler's key (queue, first contact, extension, reply) and an emergency reported through it alerts
/// its manager. The other endpoints' successful calls are in <see cref="ApiKeyTests"/> and <see cref="ScreenPopTests"/>.
/// </summary>
public sealed class ApiWorkflowTests(ApiAppFactory app) : IClassFixture<ApiAppFactory>
{
    [Fact]
    public async Task A_handlers_key_finds_the_dispatched_complaint_in_its_queue_contacts_the_customer_extends_and_replies()
    {
        var pm = await EmergencyTestData.DepartmentAsync(app.Db, "PM");
        var desk = await app.IssueKeyAsync("wechat desk", [ApiScopes.Contacts], [Roles.Agent]);
        var field = await app.IssueKeyAsync("pm field app", [ApiScopes.ComplaintsRead, ApiScopes.ComplaintsWrite], [Roles.Handler], "PM");
        var customer = await app.CustomerIdAsync(await app.AnyCustomerPhoneAsync());

        using var deskClient = app.ApiClient(desk.Key);
        using var created = await deskClient.PostAsJsonAsync("/api/v1/contacts", new
        {
            channel = "forum", kind = "complaint", customerId = customer, content = "地库排水沟堵塞，雨天积水", dispatchDepartmentId = pm, urgencyMinutes = 60,
        });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("complaintId").GetInt64();

        using var handler = app.ApiClient(field.Key);
        var queue = await handler.GetFromJsonAsync<JsonElement>($"/api/v1/departments/{pm}/queue?take=200");
        Assert.Contains(queue.GetProperty("items").EnumerateArray(), e => e.GetProperty("id").GetInt64() == id && e.GetProperty("state").GetString() == "dispatched");

        var now = app.Clock.GetUtcNow();
        using (var contacted = await handler.PostAsJsonAsync($"/api/v1/complaints/{id}/contact", new { contactedAt = now, method = "电话" }))
            Assert.Equal(HttpStatusCode.NoContent, contacted.StatusCode);

        // An extension into the past is refused at its field; a later time agreed with the customer is recorded.
        using (var past = await handler.PostAsJsonAsync($"/api/v1/complaints/{id}/extension", new { newDue = now.AddHours(-1), reason = "等待配件" }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, past.StatusCode);
            Assert.True((await past.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("newDue", out _));
        }
        var newDue = now.AddDays(3);
        using (var extended = await handler.PostAsJsonAsync($"/api/v1/complaints/{id}/extension", new { newDue, reason = "等待配件" }))
            Assert.Equal(HttpStatusCode.NoContent, extended.StatusCode);
        Assert.Equal(newDue.ToUnixTimeSeconds(),
            (await handler.GetFromJsonAsync<JsonElement>($"/api/v1/complaints/{id}")).GetProperty("replyDueAt").GetDateTimeOffset().ToUnixTimeSeconds());

        using (var replied = await handler.PostAsJsonAsync($"/api/v1/complaints/{id}/reply", new { resolution = "疏通排水沟", reply = "已为您疏通地库排水沟。" }))
            Assert.Equal(HttpStatusCode.NoContent, replied.StatusCode);

        var complaint = await handler.GetFromJsonAsync<JsonElement>($"/api/v1/complaints/{id}");
        Assert.Equal(("handled", "已为您疏通地库排水沟。"), (complaint.GetProperty("state").GetString(), complaint.GetProperty("reply").GetString()));
        var timeline = await handler.GetFromJsonAsync<JsonElement>($"/api/v1/complaints/{id}/timeline");
        var steps = timeline.EnumerateArray().Select(e => (e.GetProperty("kind").GetString(), e.GetProperty("actor").GetString())).ToList();
        Assert.Contains(("contacted", "pm field app"), steps);
        Assert.Contains(("extended", "pm field app"), steps);
        Assert.Contains(("handled", "pm field app"), steps);
        Assert.DoesNotContain(
            (await handler.GetFromJsonAsync<JsonElement>($"/api/v1/departments/{pm}/queue?take=200")).GetProperty("items").EnumerateArray(),
            e => e.GetProperty("id").GetInt64() == id);
    }

    [Fact]
    public async Task An_emergency_reported_through_the_api_alerts_the_responsible_manager_and_a_theft_attempt_is_refused_at_the_field()
    {
        var key = await app.IssueKeyAsync("security desk", [ApiScopes.Emergencies], [Roles.Agent]);
        var report = await EmergencyTestData.ReportAsync(app.Db, app.Clock.GetUtcNow());
        using var client = app.ApiClient(key.Key);

        using var created = await client.PostAsJsonAsync("/api/v1/emergencies", new
        {
            kind = report.Kind, projectId = report.ProjectId, location = report.Location, occurredAt = report.OccurredAt,
            description = report.Description, responsibleDepartmentId = report.ResponsibleDepartmentId,
        });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("emergencyId").GetInt32();
        Assert.Contains(await EmergencyTestData.AlertsAsync(app.Db, id), a => (a.User, a.Reason) == ("pmmanager", AlertReasons.Raised));

        using var attempted = await client.PostAsJsonAsync("/api/v1/emergencies", new
        {
            kind = EmergencyKinds.PublicSecurity, attempted = true, projectId = report.ProjectId, location = report.Location,
            occurredAt = report.OccurredAt, description = "有人试图撬门，未遂", responsibleDepartmentId = report.ResponsibleDepartmentId,
        });
        Assert.Equal(HttpStatusCode.BadRequest, attempted.StatusCode);
        Assert.Equal("application/problem+json", attempted.Content.Headers.ContentType?.MediaType);
    }
}
