using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;
using ServiceHub.Data.Admin;

namespace ServiceHub.App.Infrastructure;

/// <summary>
/// Production's console log (issue #16 point 12): one JSON object a line — timestamp, level, category, event id, message, exception,
/// the message's named values and the scopes (the trace and span ids, the signed-in user's id) — in the shape of the built-in JSON
/// formatter, with every mainland mobile number and resident ID number masked wherever it appears (a query string in a request
/// log, an exception's message), so the log never carries a customer's phone or ID number whatever the log levels are set to.
/// </summary>
public sealed partial class RedactingJsonFormatter(IOptionsMonitor<JsonConsoleFormatterOptions> options) : ConsoleFormatter(Name)
{
    public new const string Name = "servicehub-json";

    [GeneratedRegex(@"(?<![0-9])(?:1[3-9][0-9]{9}|[1-9][0-9]{16}[0-9Xx]|[1-9][0-9]{14})(?![0-9])")]
    private static partial Regex Sensitive();

    /// <summary>Masks mobile numbers (138****5678) and ID numbers (first six and last two digits kept).</summary>
    public static string Redact(string? text) => string.IsNullOrEmpty(text) ? text ?? "" :
        Sensitive().Replace(text, m => m.Length == 11 ? Masking.Phone(m.Value) : m.Value[..6] + new string('*', m.Length - 8) + m.Value[^2..]);

    public override void Write<TState>(in LogEntry<TState> logEntry, IExternalScopeProvider? scopeProvider, TextWriter textWriter)
    {
        var message = logEntry.Formatter(logEntry.State, logEntry.Exception);
        if (logEntry.Exception is null && message is null) return;
        var o = options.CurrentValue;
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, o.JsonWriterOptions))
        {
            json.WriteStartObject();
            var now = o.UseUtcTimestamp ? DateTimeOffset.UtcNow : DateTimeOffset.Now;
            json.WriteString("Timestamp", now.ToString(o.TimestampFormat ?? "O", System.Globalization.CultureInfo.InvariantCulture));
            json.WriteNumber("EventId", logEntry.EventId.Id);
            json.WriteString("LogLevel", logEntry.LogLevel.ToString());
            json.WriteString("Category", logEntry.Category);
            json.WriteString("Message", Redact(message));
            if (logEntry.Exception is { } ex) json.WriteString("Exception", Redact(ex.ToString()));
            if (logEntry.State is IReadOnlyList<KeyValuePair<string, object?>> values)
            {
                json.WriteStartObject("State");
                foreach (var (k, v) in values) json.WriteString(k, Redact(Convert.ToString(v, System.Globalization.CultureInfo.InvariantCulture)));
                json.WriteEndObject();
            }
            if (o.IncludeScopes && scopeProvider is not null)
            {
                json.WriteStartArray("Scopes");
                scopeProvider.ForEachScope((scope, w) =>
                {
                    if (scope is IEnumerable<KeyValuePair<string, object?>> pairs)
                    {
                        w.WriteStartObject();
                        foreach (var (k, v) in pairs) w.WriteString(k, Redact(Convert.ToString(v, System.Globalization.CultureInfo.InvariantCulture)));
                        w.WriteEndObject();
                    }
                    else if (scope is IEnumerable<KeyValuePair<string, object>> objects)
                    {
                        w.WriteStartObject();
                        foreach (var (k, v) in objects) w.WriteString(k, Redact(Convert.ToString(v, System.Globalization.CultureInfo.InvariantCulture)));
                        w.WriteEndObject();
                    }
                    else w.WriteStringValue(Redact(Convert.ToString(scope, System.Globalization.CultureInfo.InvariantCulture)));
                }, json);
                json.WriteEndArray();
            }
            json.WriteEndObject();
        }
        textWriter.Write(Encoding.UTF8.GetString(buffer.ToArray()));
        textWriter.Write(Environment.NewLine);
    }
}
