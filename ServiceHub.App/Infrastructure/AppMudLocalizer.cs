using Microsoft.Extensions.Localization;
using MudBlazor;

namespace ServiceHub.App.Infrastructure;

/// <summary>MudBlazor's own texts (pager, loading, close…) from our resources under the key <c>Mud.{key}</c>.</summary>
public sealed class AppMudLocalizer(IStringLocalizer<SharedResource> localizer) : MudLocalizer
{
    public override LocalizedString this[string key]
    {
        get
        {
            var s = localizer["Mud." + key];
            return s.ResourceNotFound ? new LocalizedString(key, key, resourceNotFound: true) : new LocalizedString(key, s.Value);
        }
    }
}
