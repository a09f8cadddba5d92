using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Localization;
using ServiceHub.App.Infrastructure;
using ServiceHub.Data.Infrastructure;

namespace ServiceHub.App.Api;

/// <summary>
/// Errors of the API as RFC 7807 problem details, in the language of the request's <c>Accept-Language</c> (zh-CN by default, en):
/// a <see cref="ValidationFailedException"/> is 400 with each field's localised message under <c>errors</c> and its resource key under
/// <c>codes</c> (the same keys and messages the pages show at the field); a refusal of the domain is 409 (404 for "not found"); a
/// refusal of access 403.
/// </summary>
public static class ApiProblems
{
    public const string CodesExtension = "codes";

    public static ValidationProblem Validation(IStringLocalizer l, ValidationFailedException ex) =>
        TypedResults.ValidationProblem(
            ex.Errors.ToDictionary(e => Field(e.Key), e => new[] { l[e.Value.Code, e.Value.Args].Value }),
            detail: l["Api.ValidationFailed"].Value, title: l["Api.ValidationTitle"].Value,
            extensions: new Dictionary<string, object?> { [CodesExtension] = ex.Errors.ToDictionary(e => Field(e.Key), e => e.Value.Code) });

    /// <summary>A field as the API's JSON names it (the Data layer's field keys are the C# property names).</summary>
    public static string Field(string key) => System.Text.Json.JsonNamingPolicy.CamelCase.ConvertName(key);

    public static ProblemHttpResult Problem(IStringLocalizer l, int status, string code, params object[] args) =>
        TypedResults.Problem(detail: l[code, args].Value, statusCode: status, title: l[$"Api.Status.{status}"].Value,
            extensions: new Dictionary<string, object?> { ["code"] = code });

    /// <summary>The endpoint filter of the whole API: the Data layer's refusals become problem details.</summary>
    public static async ValueTask<object?> FilterAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var l = context.HttpContext.RequestServices.GetRequiredService<IStringLocalizer<SharedResource>>();
        try
        {
            return await next(context);
        }
        catch (ValidationFailedException ex)
        {
            return Validation(l, ex);
        }
        catch (DomainException ex) when (ex.Code == "NotFound")
        {
            return Problem(l, StatusCodes.Status404NotFound, "Api.NotFound");
        }
        catch (DomainException ex)
        {
            return TypedResults.Problem(detail: l.Message(ex), statusCode: StatusCodes.Status409Conflict, title: l["Api.Status.409"].Value,
                extensions: new Dictionary<string, object?> { ["code"] = ex.Code });
        }
        catch (ForbiddenException)
        {
            return Problem(l, StatusCodes.Status403Forbidden, "Api.Forbidden");
        }
    }

    /// <summary>Writes a problem outside an endpoint (authentication, rate limiting).</summary>
    public static Task WriteAsync(HttpContext http, int status, string code, params object[] args)
    {
        var l = http.RequestServices.GetRequiredService<IStringLocalizer<SharedResource>>();
        http.Response.StatusCode = status;
        return http.Response.WriteAsJsonAsync(new ProblemDetails
        {
            Status = status, Title = l[$"Api.Status.{status}"], Detail = l[code, args], Extensions = { ["code"] = code },
        }, options: null, contentType: "application/problem+json", cancellationToken: http.RequestAborted);
    }

    /// <summary>The request's language for messages: English when <c>Accept-Language</c> prefers it, otherwise Simplified Chinese.</summary>
    public static CultureInfo CultureOf(HttpRequest request)
    {
        var preferred = request.GetTypedHeaders().AcceptLanguage.OrderByDescending(l => l.Quality ?? 1).FirstOrDefault()?.Value.Value;
        return preferred is not null && preferred.StartsWith("en", StringComparison.OrdinalIgnoreCase)
            ? CultureInfo.GetCultureInfo("en") : CultureInfo.GetCultureInfo("zh-CN");
    }
}
