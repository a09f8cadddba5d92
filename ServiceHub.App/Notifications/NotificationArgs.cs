using Microsoft.Extensions.Localization;

namespace ServiceHub.App.Notifications;

/// <summary>Codes among a notification's arguments (a deadline kind, a breach) in words: the bell and the messages sent outside the app alike.</summary>
public static class NotificationArgs
{
    public static object[] Translate(IStringLocalizer l, string messageKey, IReadOnlyList<string> args) =>
        args.Select((a, i) => (messageKey, i) switch
        {
            (_, 1) when messageKey.StartsWith("Notify.Deadline.", StringComparison.Ordinal) => (object)l[$"DeadlineKind.{a}"].Value,
            ("Notify.Penalty", 0) => l[$"Breach.{a}"].Value,
            _ => a,
        }).ToArray();
}
