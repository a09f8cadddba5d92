using ServiceHub.Data.Admin;

namespace Microsoft.Extensions.DependencyInjection;

public static class AdminServiceCollectionExtensions
{
    /// <summary>Master data and accounts (DOMAIN.md §1–2): users and sign-in, departments, projects, customers, the audit log.</summary>
    public static IServiceCollection AddServiceHubAdmin(this IServiceCollection services)
    {
        services.AddSingleton<AuditLog>();
        services.AddSingleton<UserRepository>();
        services.AddSingleton<SessionRepository>();
        services.AddSingleton<SignInService>();
        services.AddSingleton<DepartmentRepository>();
        services.AddSingleton<ProjectRepository>();
        services.AddOptions<CustomerSearchOptions>().BindConfiguration("Customers:Search");
        services.AddSingleton<CustomerSearchLimiter>();
        services.AddSingleton<CustomerRepository>();
        services.AddSingleton<JobFailures>();
        return services;
    }
}
