using Microsoft.Extensions.DependencyInjection;
using ServiceHub.Jobs.Complaints;
using ServiceHub.Jobs.ReturnVisits;

namespace ServiceHub.Jobs.Infrastructure;

/// <summary>
/// <c>ServiceHub.App job &lt;id&gt;</c>: runs one recurring job once, in this process, and exits — for an operator who wants the
/// sweep now (after an outage) and for the fault tests, which kill such a process in the middle of its work.
/// </summary>
public static class JobCommand
{
    private static readonly Dictionary<string, Func<IServiceProvider, CancellationToken, Task>> Jobs = new()
    {
        [ClosureJob.Id] = (s, ct) => s.GetRequiredService<ClosureJob>().RunAsync(ct),
        [EscalationJob.Id] = (s, ct) => s.GetRequiredService<EscalationJob>().RunAsync(ct),
    };

    public static IReadOnlyCollection<string> Ids => Jobs.Keys;

    /// <summary>Runs the job <paramref name="id"/>; false when there is no such job.</summary>
    public static async Task<bool> RunOnceAsync(IServiceProvider services, string id, CancellationToken ct)
    {
        if (!Jobs.TryGetValue(id, out var run)) return false;
        await using var scope = services.CreateAsyncScope();
        await run(scope.ServiceProvider, ct);
        return true;
    }
}
