using Microsoft.AspNetCore.Authorization;
using ServiceHub.Data.Intake;

namespace ServiceHub.App.Infrastructure;

/// <summary>The intake page and its menu entry: whoever registers contacts, as the Data layer decides (<see cref="IntakeAccess"/>).</summary>
public sealed class RegistersContactsRequirement : IAuthorizationRequirement;

public sealed class RegistersContactsHandler(IntakeRepository intake) : AuthorizationHandler<RegistersContactsRequirement>
{
    protected override async Task HandleRequirementAsync(AuthorizationHandlerContext context, RegistersContactsRequirement requirement)
    {
        if (context.User.ToActor() is { } actor && (await intake.AccessAsync(actor)).MayRegister) context.Succeed(requirement);
    }
}
