using System.Globalization;

namespace ServiceHub.Data.Notifications;

/// <summary>
/// A message's text for a channel outside the app: a short title (e-mail subject, robot heading, the SMS template's title), the body
/// (with the link that opens the record and the message's reference), and the two apart for channels that place them themselves.
/// </summary>
public sealed record RenderedMessage(string Title, string Body, string Link, string Reference);

/// <summary>
/// Turns an outbox message's resource key and arguments into text in a language (the app's resources:
/// <c>ServiceHub.App/Notifications/LocalizedNotificationText</c>). Without the app the key and arguments are written as they are.
/// </summary>
public interface INotificationText
{
    RenderedMessage Render(string eventKind, string messageKey, IReadOnlyList<string> args, string absoluteLink, string reference, CultureInfo culture);
}

public sealed class PlainNotificationText : INotificationText
{
    public RenderedMessage Render(string eventKind, string messageKey, IReadOnlyList<string> args, string absoluteLink, string reference, CultureInfo culture) =>
        new($"ServiceHub: {eventKind}", $"{messageKey} {string.Join(" | ", args)}\n{absoluteLink}\n[{reference}]", absoluteLink, reference);
}
