using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Localization;
using ServiceHub.App;

namespace ServiceHub.Tests.Infrastructure;

/// <summary>The app's real strings outside a page (PDF, Excel), in the culture asked for (set on the current thread).</summary>
public static class TestLocalizer
{
    public static IStringLocalizer Create(string culture = "zh-CN")
    {
        CultureInfo.CurrentCulture = CultureInfo.CurrentUICulture = new CultureInfo(culture);
        var services = new ServiceCollection().AddLogging().AddLocalization(o => o.ResourcesPath = "Resources").BuildServiceProvider();
        return services.GetRequiredService<IStringLocalizer<SharedResource>>();
    }
}
