using System.Globalization;
using Microsoft.Extensions.Options;
using ServiceHub.Data.Admin;
using ServiceHub.Data.Infrastructure;
using ServiceHub.Data.Notifications;

namespace ServiceHub.Jobs.Notifications;

/// <summary>
/// The admin page's test buttons: a real test message through a channel with its saved settings, sent at once (not through the
/// outbox) so the page can say whether it arrived at the server and what went wrong; audited.
/// </summary>
public sealed class ChannelTester(
    ChannelSettings settings, IEnumerable<ISmsProvider> smsProviders, IHttpClientFactory http, INotificationText text, PublicLinks links,
    TimeProvider clock, IOptions<OutboxOptions> options, AuditLog audit)
{
    public const string EventKind = "test";

    /// <summary>Sends a test e-mail to <paramref name="to"/>. Returns the server's answer; a failure is a <see cref="DomainException"/> with its reason.</summary>
    public Task<string?> EmailAsync(Actor actor, string to, CancellationToken ct = default) => RunAsync(actor, "email", to, async (key, message) =>
    {
        if (NotificationAddresses.Check(to, null).TryGetValue("Email", out var error) || string.IsNullOrWhiteSpace(to))
            throw new ValidationFailedException(new Dictionary<string, FieldError> { ["TestEmail"] = error ?? new("Validation.Required") });
        var s = await settings.EmailForSendingAsync(ct) ?? throw new DomainException("Notifications.NotConfigured");
        return await EmailChannel.SendAsync(s, to.Trim(), key, message, options.Value.Timeout, ct);
    }, ct);

    /// <summary>Sends a test SMS to <paramref name="mobile"/> with the configured provider.</summary>
    public Task<string?> SmsAsync(Actor actor, string mobile, CancellationToken ct = default) => RunAsync(actor, "sms", Masking.Phone(mobile), async (key, message) =>
    {
        var number = PhoneNumbers.Normalize(mobile);
        if (number.Length == 0 || NotificationAddresses.Check(null, number).TryGetValue("Mobile", out _))
            throw new ValidationFailedException(new Dictionary<string, FieldError> { ["TestMobile"] = new("Notifications.MobileInvalid") });
        var s = await settings.SmsForSendingAsync(ct);
        var provider = smsProviders.FirstOrDefault(p => p.Name == s.Provider) ?? throw new DomainException("Notifications.NotConfigured");
        return await provider.SendAsync(s, number, new SmsContent(message.Title, message.Reference, message.Link), key, ct);
    }, ct);

    /// <summary>Posts a test message to a robot's group.</summary>
    public Task<string?> RobotAsync(Actor actor, int robotId, CancellationToken ct = default) => RunAsync(actor, "robot", robotId.ToString(CultureInfo.InvariantCulture), async (key, message) =>
    {
        var robot = await settings.RobotForSendingAsync(robotId, ct) ?? throw new DomainException("NotFound");
        return await RobotChannel.SendAsync(http.CreateClient(RobotChannel.HttpClientName), robot, message, [], clock.GetUtcNow(), ct);
    }, ct);

    private async Task<string?> RunAsync(Actor actor, string channel, string target, Func<string, RenderedMessage, Task<string?>> send, CancellationToken ct)
    {
        actor.Require(Roles.Admin);
        var key = $"test:{channel}:{Guid.NewGuid():N}";
        var message = text.Render(EventKind, "Outbox.Test", [actor.DisplayName], links.For("/"), OutboxRules.Reference(key),
            CultureInfo.GetCultureInfo(options.Value.Culture));
        string? answer;
        try
        {
            answer = await send(key, message);
        }
        catch (Exception ex) when (ex is not (DomainException or ValidationFailedException or OperationCanceledException))
        {
            await audit.WriteAsync(actor, AuditLog.Actions.Update, "notification_test", channel, $"to {target}: failed: {ex.Message}", ct);
            throw new DomainException("Notifications.TestFailed", ex.Message);
        }
        await audit.WriteAsync(actor, AuditLog.Actions.Update, "notification_test", channel, $"to {target}: sent", ct);
        return answer;
    }
}
