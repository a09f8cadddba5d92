using System.Globalization;
using Microsoft.Extensions.Localization;
using ServiceHub.App.Emergencies;
using ServiceHub.Data.Notifications;

namespace ServiceHub.App.Notifications;

/// <summary>
/// The text of a message sent outside the app, from the app's resources in the configured language (<c>Notifications:Delivery:Culture</c>):
/// a title per event kind (e-mail subject, robot heading, SMS), the notification's own sentence (or the emergency's), then the link
/// that opens the record after sign-in and the message's reference.
/// </summary>
public sealed class LocalizedNotificationText(IStringLocalizer<SharedResource> l) : INotificationText
{
    public RenderedMessage Render(string eventKind, string messageKey, IReadOnlyList<string> args, string absoluteLink, string reference, CultureInfo culture)
    {
        var previous = CultureInfo.CurrentUICulture;
        CultureInfo.CurrentUICulture = culture;
        try
        {
            var values = messageKey.StartsWith("Outbox.Emergency.", StringComparison.Ordinal) ? EmergencyArgs(args, culture) : NotificationArgs.Translate(l, messageKey, args);
            var title = l[$"Outbox.Title.{eventKind}", values].Value;
            var sentence = l[messageKey, values].Value;
            var body = $"{sentence}\n\n{l["Outbox.Open", absoluteLink].Value}\n{l["Outbox.Reference", reference].Value}";
            return new RenderedMessage(title, body, absoluteLink, reference);
        }
        finally
        {
            CultureInfo.CurrentUICulture = previous;
        }
    }

    /// <summary>
    /// An emergency's arguments (kind, its detail, project, building, location, occurred, due, department, department in English) as the
    /// sentences use them: {0} the kind in words, {1} the place, {2} when it happened, {3} the on-site deadline, {4} the department, {5} the project.
    /// </summary>
    private object[] EmergencyArgs(IReadOnlyList<string> a, CultureInfo culture)
    {
        string At(int i) => i < a.Count ? a[i] : "";
        var place = string.Join(" ", new[] { At(2), At(3), At(4) }.Where(s => s.Length > 0));
        var department = culture.TwoLetterISOLanguageName == "en" && At(8).Length > 0 ? At(8) : At(7);
        return [l.KindName(At(0), At(1)), place, At(5), At(6), department, At(2)];
    }
}
