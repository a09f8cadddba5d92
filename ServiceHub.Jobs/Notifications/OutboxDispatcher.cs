using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Retry;
using Polly.Timeout;
using ServiceHub.Data.Notifications;

namespace ServiceHub.Jobs.Notifications;

/// <summary>
/// The outbox's worker (eShop's integration-event publisher): claims due messages (<see cref="OutboxStore.ClaimAsync"/>, a lease),
/// renders each in the configured language, sends it on its channel with Polly — a timeout per try and quick retries with
/// exponential back-off — and records every try and the result. A run whose tries all fail leaves the message to a later run after
/// a growing delay (<see cref="OutboxRules.NextAttemptAt"/>), until its attempts are spent. Stopped or killed mid-way, it loses
/// nothing: the claimed rows come back when their lease expires and go out with the same idempotency key.
/// </summary>
public sealed class OutboxDispatcher(
    OutboxStore store, IEnumerable<IOutboxChannel> channels, INotificationText text, PublicLinks links, TimeProvider clock,
    IOptions<OutboxOptions> options, ILogger<OutboxDispatcher> log)
{
    /// <summary>At most this many messages per run; the next run (a minute later, or at the next commit) goes on.</summary>
    public const int MaxPerRun = 500;

    private readonly Dictionary<string, IOutboxChannel> _channels = channels.ToDictionary(c => c.Channel);

    /// <summary>Delivers every due message (up to <see cref="MaxPerRun"/>). Returns how many were sent.</summary>
    public async Task<int> RunAsync(CancellationToken ct = default)
    {
        var handled = 0;
        var sent = 0;
        while (handled < MaxPerRun)
        {
            var batch = await store.ClaimAsync(ct);
            if (batch.Count == 0) break;
            var results = await Task.WhenAll(batch.Select(m => DeliverAsync(m, ct)));
            sent += results.Count(ok => ok);
            handled += batch.Count;
        }
        return sent;
    }

    private async Task<bool> DeliverAsync(OutboxMessage claimed, CancellationToken ct)
    {
        var o = options.Value;
        var current = claimed;
        try
        {
            if (!_channels.TryGetValue(claimed.Channel, out var channel)) throw new PermanentSendException($"no sender for channel '{claimed.Channel}'");
            var rendered = text.Render(claimed.EventKind, claimed.MessageKey, claimed.Args, links.For(claimed.Link),
                OutboxRules.Reference(claimed.IdempotencyKey), CultureInfo.GetCultureInfo(o.Culture));
            var reference = await Pipeline(o, async error => current = await store.NextTryAsync(current, error, CancellationToken.None))
                .ExecuteAsync(async token => await channel.SendAsync(current, rendered, token), ct);
            await store.SentAsync(current, reference, CancellationToken.None);
            return true;
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Stopped: the row stays claimed until its lease expires, then it is claimed again (its attempt recorded as abandoned).
            throw;
        }
        catch (Exception ex)
        {
            log.LogWarning("Outbox message {Id} ({Channel}) not delivered on attempt {Attempt}: {Error}", current.Id, current.Channel, current.Attempts, Describe(ex));
            await store.FailedAsync(current, Describe(ex), ex is PermanentSendException, CancellationToken.None);
            return false;
        }
    }

    /// <summary>A timeout per try inside quick retries (exponential back-off, on the injected clock); a permanent failure is not retried.</summary>
    private ResiliencePipeline<string?> Pipeline(OutboxOptions o, Func<string, Task> onRetry)
    {
        var builder = new ResiliencePipelineBuilder<string?> { TimeProvider = clock };
        if (o.TriesPerRun > 1)
            builder.AddRetry(new RetryStrategyOptions<string?>
            {
                MaxRetryAttempts = o.TriesPerRun - 1,
                BackoffType = DelayBackoffType.Exponential,
                Delay = o.FirstRetryDelay,
                UseJitter = false,
                ShouldHandle = new PredicateBuilder<string?>().Handle<Exception>(ex => ex is not PermanentSendException and not OperationCanceledException || ex is TimeoutRejectedException),
                OnRetry = args => new ValueTask(onRetry(Describe(args.Outcome.Exception))),
            });
        return builder.AddTimeout(o.Timeout).Build();
    }

    private static string Describe(Exception? ex) => ex switch
    {
        null => "unknown failure",
        TimeoutRejectedException => "timed out",
        _ => $"{ex.GetType().Name}: {ex.Message}",
    };
}
