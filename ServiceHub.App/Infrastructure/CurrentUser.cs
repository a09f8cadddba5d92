using Microsoft.AspNetCore.Components.Authorization;
using ServiceHub.Data.Infrastructure;

namespace ServiceHub.App.Infrastructure;

/// <summary>The signed-in user of this circuit as an <see cref="Actor"/>, for repository calls.</summary>
public sealed class CurrentUser(AuthenticationStateProvider auth)
{
    public async Task<Actor> GetAsync()
    {
        var state = await auth.GetAuthenticationStateAsync();
        return state.User.ToActor() ?? throw new ForbiddenException("anonymous", []);
    }
}
