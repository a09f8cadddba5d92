using Microsoft.AspNetCore.Authorization;
using ServiceHub.App.Infrastructure;
using ServiceHub.Data.Admin;

namespace Microsoft.Extensions.DependencyInjection;

public static class AuthorizationServiceCollectionExtensions
{
    /// <summary>
    /// One authorisation policy per capability of the access map (<see cref="Access.ByPolicy"/>), each requiring one of its roles;
    /// every other request needs a signed-in user. Pages, the navigation menu and endpoints name these policies.
    /// </summary>
    public static IServiceCollection AddServiceHubAuthorization(this IServiceCollection services)
    {
        var authorization = services.AddAuthorizationBuilder()
            .SetFallbackPolicy(new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build());
        foreach (var (policy, roles) in Access.ByPolicy)
            authorization.AddPolicy(policy, p => p.RequireRole(roles));
        // The intake page: besides the roles, on-site staff need their department's switch (read on the server, as RegisterAsync does).
        authorization.AddPolicy(Policies.Intake, p => p.RequireRole(Access.ByPolicy[Policies.Intake]).AddRequirements(new RegistersContactsRequirement()));
        services.AddSingleton<IAuthorizationHandler, RegistersContactsHandler>();
        return services;
    }
}
