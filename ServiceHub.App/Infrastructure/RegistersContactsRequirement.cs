using Microsoft.AspNetCore.Authorization;
using ServiceHub.Data.Admin;
using ServiceHub.Data.Intake;

namespace ServiceHub.App.Infrastructure;

/// <summary>The intake page and its menu entry: whoever registers contacts, as the Data layer decides (<see cref="IntakeAccess"/>).</summary>
public sealed class RegistersContactsRequirement : IAuthorizationRequirement;

/// <summary>
/// The call centre always; on-site staff when their department's switch is on, read from the database through the intake repository
/// (resolved when needed, so the policies also build where there is no database, as in the access-map tests: there on-site staff are
/// refused).
/// </summary>
public sealed class RegistersContactsHandler(IServiceProvider services) : AuthorizationHandler<RegistersContactsRequirement>
{
    protected override async Task HandleRequirementAsync(AuthorizationHandlerContext context, RegistersContactsRequirement requirement)
    {
        if (context.User.ToActor() is not { } actor) return;
        if (actor.IsIn(Access.Intake)
            || (services.GetService<IntakeRepository>() is { } intake && (await intake.AccessAsync(actor)).MayRegister))
            context.Succeed(requirement);
    }
}
