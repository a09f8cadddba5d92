using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Localization;
using ServiceHub.App;
using ServiceHub.App.Api;
using ServiceHub.App.Emergencies;
using ServiceHub.App.Infrastructure;
using ServiceHub.Data.Complaints;
using ServiceHub.Data.Emergencies;
using ServiceHub.Data.Infrastructure;
using ServiceHub.Data.Intake;
using ServiceHub.Data.Integrations;
using ServiceHub.Data.Reports;

namespace Microsoft.AspNetCore.Builder;

// The REST API's features, one MapXxxApi each over the /api/v1 group (eShop's CatalogApi): each endpoint needs one scope of the key
// and calls the same Data-layer method a page calls, as the key's integration account (ApiKeyRepository); the Data layer's
// refusals become problem details (ApiProblems).

public static class ContactsApi
{
    public static RouteGroupBuilder MapContactsApi(this RouteGroupBuilder api)
    {
        api.MapPost("/contacts", RegisterContact).RequireAuthorization(ApiServiceCollectionExtensions.ScopePolicy(ApiScopes.Contacts))
            .WithName("RegisterContact").WithTags("Contacts")
            .WithSummary("Register a contact")
            .WithDescription("Registers a consultation, inquiry or complaint received on any channel, as the intake page does: its register and issue-sheet " +
                             "numbers, its first responder (the key's integration account), a complaint's 48-hour reply deadline and, with a department " +
                             "and urgency, its dispatch. Scope: contacts.")
            .ProducesValidationProblem();
        return api;
    }

    public static async Task<Created<ContactCreated>> RegisterContact(ContactRequest body, ClaimsPrincipal user, HttpContext http, IntakeRepository intake, CancellationToken ct)
    {
        ApiInput.Bound(("Channel", body.Channel, 20), ("Kind", body.Kind, 20), ("Purpose", body.Purpose, ApiLimits.Purpose),
            ("Content", body.Content, ApiLimits.Text), ("Answer", body.Answer, ApiLimits.Text));
        var form = new IntakeForm
        {
            Channel = body.Channel ?? "", Kind = body.Kind ?? "", CustomerId = body.CustomerId, ProjectId = body.ProjectId, UnitId = body.UnitId,
            Purpose = body.Purpose ?? "", Content = body.Content ?? "", Answer = body.Answer ?? "", Satisfied = body.Satisfied,
            DispatchDepartmentId = body.DispatchDepartmentId, UrgencyMinutes = body.UrgencyMinutes, NeedsReturnVisit = body.NeedsReturnVisit ?? true,
            CallId = body.CallId,
        };
        var r = await intake.RegisterAsync(ApiInput.Actor(user, http), form, ct);
        return TypedResults.Created(r.ComplaintId is { } c ? $"{ApiServiceCollectionExtensions.BasePath}/complaints/{c}" : (string?)null,
            new ContactCreated(r.ContactId, r.RegisterNo, r.SheetNo, r.ComplaintId));
    }
}

public static class ComplaintsApi
{
    public static RouteGroupBuilder MapComplaintsApi(this RouteGroupBuilder api)
    {
        var read = ApiServiceCollectionExtensions.ScopePolicy(ApiScopes.ComplaintsRead);
        var write = ApiServiceCollectionExtensions.ScopePolicy(ApiScopes.ComplaintsWrite);
        var complaints = api.MapGroup("/complaints").WithTags("Complaints");
        complaints.MapGet("/{id:long}", GetComplaint).RequireAuthorization(read).WithName("GetComplaint")
            .WithSummary("One complaint")
            .WithDescription("A complaint with its state, department, deadlines and reply, for a key that may read it (the call centre's roles read " +
                             "every complaint, a department its own). The customer's phone is masked. Scope: complaints.read.");
        complaints.MapGet("/{id:long}/timeline", GetTimeline).RequireAuthorization(read).WithName("GetComplaintTimeline")
            .WithSummary("A complaint's timeline")
            .WithDescription("Every step of the complaint, oldest first: registration, dispatch, contact, extensions with the deadline before and after, " +
                             "escalations, handling, return visit, closure. Scope: complaints.read.");
        complaints.MapPost("/{id:long}/contact", ConfirmContact).RequireAuthorization(write).WithName("ConfirmComplaintContact")
            .WithSummary("Record the first contact with the customer")
            .WithDescription("The department contacted the customer: the contact deadline is met. As a handler of the complaint's department " +
                             "(the key's roles and department). Not in the future, not before the dispatch. Scope: complaints.write.")
            .ProducesValidationProblem();
        complaints.MapPost("/{id:long}/reply", Reply).RequireAuthorization(write).WithName("ReplyToComplaint")
            .WithSummary("Reply: the complaint is handled")
            .WithDescription("The resolution and the reply to the customer: the deadlines stop and a return visit is due when the complaint needs one. " +
                             "A reply with a forbidden phrase is refused at the field unless acceptForbiddenPhrases. Scope: complaints.write.")
            .ProducesValidationProblem();
        complaints.MapPost("/{id:long}/extension", Extend).RequireAuthorization(write).WithName("ExtendComplaint")
            .WithSummary("Extend the deadline (处理延期)")
            .WithDescription("The new time agreed with the customer becomes the escalation deadline; the old one stays in the timeline. " +
                             "Must lie in the future. Scope: complaints.write.")
            .ProducesValidationProblem();
        return api;
    }

    public static async Task<Results<Ok<ComplaintResponse>, ProblemHttpResult>> GetComplaint(long id, ClaimsPrincipal user, HttpContext http,
        ComplaintRepository complaints, IStringLocalizer<SharedResource> l, CancellationToken ct)
    {
        if (await complaints.GetAsync(ApiInput.Actor(user, http), id, ct) is not { } c) return ApiProblems.Problem(l, StatusCodes.Status404NotFound, "Api.NotFound");
        return TypedResults.Ok(new ComplaintResponse(c.Id, c.SheetNo, c.State, c.Channel, c.Content, c.CustomerId, c.CustomerName, c.CustomerPhoneMasked,
            c.ProjectId, c.ProjectName, c.Address, c.DepartmentId, c.DepartmentName, c.UrgencyMinutes, c.HandlerName, c.RegisteredAt, c.DispatchedAt,
            c.ContactDueAt, c.ContactedAt, c.ReplyDueAt, c.HandledAt, c.Resolution, c.Reply, c.ClosedAt, c.CloseReason, c.EscalationLevel, c.CurrentDueAt,
            c.MergedIntoSheetNo));
    }

    public static async Task<Results<Ok<TimelineEntry[]>, ProblemHttpResult>> GetTimeline(long id, ClaimsPrincipal user, HttpContext http,
        ComplaintRepository complaints, IStringLocalizer<SharedResource> l, CancellationToken ct)
    {
        // Read through GetAsync first: it checks that the key may read this complaint.
        if (await complaints.GetAsync(ApiInput.Actor(user, http), id, ct) is null) return ApiProblems.Problem(l, StatusCodes.Status404NotFound, "Api.NotFound");
        return TypedResults.Ok((await complaints.TimelineAsync(ApiInput.Actor(user, http), id, ct))
            .Select(e => new TimelineEntry(e.Id, e.At, e.ActorName, e.Kind, e.Details, e.DeadlineBefore, e.DeadlineAfter)).ToArray());
    }

    public static async Task<NoContent> ConfirmContact(long id, ContactConfirmation body, ClaimsPrincipal user, HttpContext http, ComplaintLifecycle lifecycle, CancellationToken ct)
    {
        ApiInput.Bound(("Method", body.Method, ApiLimits.Short), ("Note", body.Note, ApiLimits.Short));
        await lifecycle.ConfirmContactAsync(ApiInput.Actor(user, http), id, body.ContactedAt, body.Method ?? "", body.Note, ct);
        return TypedResults.NoContent();
    }

    public static async Task<NoContent> Reply(long id, ReplyRequest body, ClaimsPrincipal user, HttpContext http, ComplaintLifecycle lifecycle, CancellationToken ct)
    {
        ApiInput.Bound(("Resolution", body.Resolution, ApiLimits.Text), ("Reply", body.Reply, ApiLimits.Text));
        await lifecycle.HandleAsync(ApiInput.Actor(user, http), id, body.Resolution ?? "", body.Reply ?? "", body.AcceptForbiddenPhrases, ct);
        return TypedResults.NoContent();
    }

    public static async Task<NoContent> Extend(long id, ExtensionRequest body, ClaimsPrincipal user, HttpContext http, ComplaintLifecycle lifecycle, CancellationToken ct)
    {
        ApiInput.Bound(("Reason", body.Reason, ApiLimits.Short));
        await lifecycle.ExtendAsync(ApiInput.Actor(user, http), id, body.NewDue, body.Reason ?? "", ct);
        return TypedResults.NoContent();
    }
}

public static class DepartmentsApi
{
    public const int MaxTake = 200;

    public static RouteGroupBuilder MapDepartmentsApi(this RouteGroupBuilder api)
    {
        api.MapGet("/departments/{id:int}/queue", GetQueue).RequireAuthorization(ApiServiceCollectionExtensions.ScopePolicy(ApiScopes.ComplaintsRead))
            .WithName("GetDepartmentQueue").WithTags("Complaints")
            .WithSummary("A department's queue")
            .WithDescription("The department's open complaints, nearest deadline first, paged (skip, take ≤ 200). A department's key reads its own " +
                             "queue; the call centre's roles read every queue. Scope: complaints.read.")
            .ProducesValidationProblem();
        return api;
    }

    public static async Task<Ok<QueuePage>> GetQueue(int id, ClaimsPrincipal user, HttpContext http, ComplaintRepository complaints, CancellationToken ct,
        int skip = 0, int take = 50)
    {
        if (skip < 0 || take is < 1 or > MaxTake)
            throw new ValidationFailedException(new Dictionary<string, FieldError> { [skip < 0 ? "skip" : "take"] = new("Api.PageRange", MaxTake) });
        var page = await complaints.QueueAsync(ApiInput.Actor(user, http), new QueueFilter(id), skip, take, ct);
        return TypedResults.Ok(new QueuePage(page.Items.Select(q => new QueueEntry(q.Id, q.SheetNo, q.State, q.CustomerName, q.ProjectName, q.Content,
            q.UrgencyMinutes, q.RegisteredAt, q.CurrentDueAt, q.EscalationLevel, q.HandlerName)).ToList(), page.Total));
    }
}

public static class EmergenciesApi
{
    public static RouteGroupBuilder MapEmergenciesApi(this RouteGroupBuilder api)
    {
        api.MapPost("/emergencies", Report).RequireAuthorization(ApiServiceCollectionExtensions.ScopePolicy(ApiScopes.Emergencies))
            .WithName("ReportEmergency").WithTags("Emergencies")
            .WithSummary("Report a first-class emergency")
            .WithDescription("As the emergency page does: the responsible department's manager, the supervising vice-president and leadership are " +
                             "alerted at once (in the app and on their channels), the two hours on site run from occurredAt, reminders follow at 60 " +
                             "and 90 minutes. Attempted theft and losses under 5,000 yuan are not first-class. Scope: emergencies.")
            .ProducesValidationProblem();
        return api;
    }

    public static async Task<Created<EmergencyCreated>> Report(EmergencyRequest body, ClaimsPrincipal user, HttpContext http, EmergencyRepository emergencies, CancellationToken ct)
    {
        ApiInput.Bound(("Kind", body.Kind, 40), ("KindDetail", body.KindDetail, ApiLimits.Short), ("Location", body.Location, ApiLimits.Short),
            ("Description", body.Description, ApiLimits.Text));
        var id = await emergencies.ReportAsync(ApiInput.Actor(user, http), new EmergencyReport
        {
            Kind = body.Kind ?? "", KindDetail = body.KindDetail ?? "", Attempted = body.Attempted, AmountYuan = body.AmountYuan, ProjectId = body.ProjectId,
            BuildingId = body.BuildingId, Location = body.Location ?? "", OccurredAt = body.OccurredAt, Description = body.Description ?? "",
            ResponsibleDepartmentId = body.ResponsibleDepartmentId,
        }, ct);
        return TypedResults.Created((string?)null, new EmergencyCreated(id));
    }
}

public static class KpisApi
{
    public static RouteGroupBuilder MapKpisApi(this RouteGroupBuilder api)
    {
        api.MapGet("/kpis/{month}", GetMonth).RequireAuthorization(ApiServiceCollectionExtensions.ScopePolicy(ApiScopes.Kpis))
            .WithName("GetKpis").WithTags("Reports")
            .WithSummary("A month's KPI figures")
            .WithDescription("The dashboard's figures of a calendar month in Beijing time (yyyy-MM): counted complaints, consultation satisfaction " +
                             "(target ≥ 90%), replies within 48 h, first contacts in time, escalations, closure rate, repeats, emergencies and arrivals " +
                             "within two hours. departmentId narrows to one department (a department manager's key sees its own only). Scope: kpis.")
            .ProducesValidationProblem();
        return api;
    }

    public static async Task<Ok<KpiResponse>> GetMonth(string month, ClaimsPrincipal user, HttpContext http, KpiService kpis, CancellationToken ct, int? departmentId = null)
    {
        if (!Month.TryParse(month, out var m))
            throw new ValidationFailedException(new Dictionary<string, FieldError> { ["month"] = new("Api.MonthFormat") });
        var f = await kpis.FiguresAsync(ApiInput.Actor(user, http), KpiQuery.Of(m, departmentId), ct);
        static Rate R(KpiRate r) => new(r.Numerator, r.Denominator, r.Percent);
        return TypedResults.Ok(new KpiResponse(m.ToString(), departmentId, f.Complaints, f.ConsultationSatisfaction is { } s ? R(s) : null, R(f.ReplyOnTime),
            R(f.ContactOnTime), f.Escalated, f.Closed, R(f.ClosureRate), f.Repeat, f.Emergencies, R(f.EmergencyOnTime)));
    }
}

public static class CustomersApi
{
    public static RouteGroupBuilder MapCustomersApi(this RouteGroupBuilder api)
    {
        api.MapGet("/customers", FindByPhone).RequireAuthorization(ApiServiceCollectionExtensions.ScopePolicy(ApiScopes.Customers))
            .WithName("FindCustomersByPhone").WithTags("Customers")
            .WithSummary("Customers with this full phone number")
            .WithDescription("The customers whose phone or second phone is exactly phone (a full mainland mobile or landline with area code; a part " +
                             "of a number is refused, so the API cannot list customers). Phones come back masked; every look-up is written to the " +
                             "audit log. Scope: customers.")
            .ProducesValidationProblem();
        return api;
    }

    public static async Task<Ok<CustomerResponse[]>> FindByPhone([FromQuery] string? phone, ClaimsPrincipal user, HttpContext http, CustomerPhones customers, CancellationToken ct) =>
        TypedResults.Ok((await customers.FindAsync(ApiInput.Actor(user, http), phone, ct))
            .Select(c => new CustomerResponse(c.Id, c.Name, c.PhoneMasked, c.Address, c.OpenComplaints)).ToArray());
}

public static class CallsApi
{
    public static RouteGroupBuilder MapCallsApi(this RouteGroupBuilder api)
    {
        api.MapPost("/calls", AnnounceCall).RequireAuthorization(ApiServiceCollectionExtensions.ScopePolicy(ApiScopes.Cti))
            .WithName("AnnounceCall").WithTags("Telephony")
            .WithSummary("A call rings at an agent's extension (screen pop)")
            .WithDescription("The telephone system announces a call: the agent signed in with that extension sees at once, on any page, the caller's " +
                             "dossier (name, house, open complaints, last contacts, pending return visits) or 'new caller', and opens the intake " +
                             "form pre-filled from it; the call's start time is kept on the contact. Announcing the same callId again changes " +
                             "nothing. Scope: cti.")
            .ProducesValidationProblem();
        return api;
    }

    public static async Task<Ok<CallAccepted>> AnnounceCall(CallRequest body, ClaimsPrincipal user, HttpContext http, CallRepository calls,
        AlertsPush push, CancellationToken ct)
    {
        var call = await calls.RecordAsync(ApiInput.Actor(user, http), new CallReport
        {
            CallerNumber = body.CallerNumber ?? "", Extension = body.Extension ?? "", StartedAt = body.StartedAt, CallId = body.CallId,
        }, ct);
        if (call.AgentId is { } agent)
            await push.ScreenPopAsync(agent, new ScreenPopMessage(call.CallId, call.CallerPhoneMasked, call.StartedAt, call.CustomerId, call.CustomerName));
        return TypedResults.Ok(new CallAccepted(call.CallId, call.AgentId is not null, call.CustomerId));
    }
}

/// <summary>What every endpoint does with its input: the key's <see cref="Actor"/>, and each text's length limit.</summary>
public static class ApiInput
{
    public static Actor Actor(ClaimsPrincipal user, HttpContext http) =>
        user.ToActor(http.Connection.RemoteIpAddress?.ToString()) ?? throw new ForbiddenException("anonymous", []);

    /// <summary>Refuses, at their fields, texts longer than their limits (nothing is written).</summary>
    public static void Bound(params (string Field, string? Value, int Max)[] texts)
    {
        var errors = texts.Where(t => t.Value is { } v && v.Length > t.Max).ToDictionary(t => t.Field, t => new FieldError("Validation.TooLong", t.Max));
        if (errors.Count > 0) throw new ValidationFailedException(errors);
    }
}
