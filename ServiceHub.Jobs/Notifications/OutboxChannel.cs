using ServiceHub.Data.Notifications;

namespace ServiceHub.Jobs.Notifications;

/// <summary>
/// Sends one outbox message on one channel (<c>outbox_messages.channel</c>): e-mail, robot, SMS — and the integration webhooks of
/// issue #13 point 8, which plug in as one more implementation registered with <c>AddSingleton&lt;IOutboxChannel, …&gt;</c>. The
/// delivery job calls <see cref="SendAsync"/> per try (with retries, back-off and a timeout around it) and records the result; a
/// channel only sends, and passes the message's idempotency key (<see cref="OutboxMessage.IdempotencyKey"/>) to the receiver where
/// it has a place for it, so a resend after a crash shows once.
/// </summary>
public interface IOutboxChannel
{
    /// <summary>The channel it sends, as stored in <c>outbox_messages.channel</c>.</summary>
    string Channel { get; }

    /// <summary>Sends; returns the provider's reference (message id, request id) when it gives one. Throws on failure.</summary>
    Task<string?> SendAsync(OutboxMessage message, RenderedMessage text, CancellationToken ct);
}

/// <summary>A failure that another try cannot mend (the channel is not configured, the robot is gone): no retry, failed at once.</summary>
public sealed class PermanentSendException(string message) : Exception(message);

/// <summary>The receiver refused the message (an error code in its answer); tried again with back-off.</summary>
public sealed class ProviderRefusedException(string message) : Exception(message);
