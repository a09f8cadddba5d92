using ServiceHub.Data.Operations;

namespace Microsoft.Extensions.DependencyInjection;

public static class OperationsServiceCollectionExtensions
{
    /// <summary>What the database is (demo or not), the first administrator, backups (settings <c>Backups:*</c>).</summary>
    public static IServiceCollection AddServiceHubOperations(this IServiceCollection services)
    {
        services.AddSingleton<Installation>();
        services.AddOptions<BackupOptions>().BindConfiguration("Backups");
        services.AddSingleton<BackupService>();
        return services;
    }
}
