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

    /// <summary>Pager texts carry named placeholders ({first_item}) that MudBlazor fills itself: format only real arguments.</summary>
    public override LocalizedString this[string key, params object[] arguments]
    {
        get
        {
            var s = this[key];
            return s.ResourceNotFound || arguments.Length == 0 ? s : new LocalizedString(key, string.Format(System.Globalization.CultureInfo.CurrentCulture, s.Value, arguments));
        }
    }
}
