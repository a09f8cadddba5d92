using Microsoft.Extensions.Localization;
using ServiceHub.Data.Emergencies;

namespace ServiceHub.App.Emergencies;

/// <summary>How the emergency pages word a kind, a countdown and a delay (one place for the list, the page and the alerts).</summary>
public static class EmergencyText
{
    /// <summary>The kind's name; an "other" event with what the reporter said it is.</summary>
    public static string KindName(this IStringLocalizer l, string kind, string? detail) =>
        kind == EmergencyKinds.Other && !string.IsNullOrWhiteSpace(detail)
            ? l["Emergency.Kind.OtherWithDetail", detail].Value
            : l[$"Emergency.Kind.{kind}"].Value;

    /// <summary>Whole seconds as hh:mm:ss: time left rounded up, time overdue rounded down.</summary>
    public static string Hms(TimeSpan t, bool overdue = false)
    {
        var s = (long)(overdue ? Math.Floor(t.TotalSeconds) : Math.Ceiling(t.TotalSeconds));
        return $"{s / 3600:00}:{s / 60 % 60:00}:{s % 60:00}";
    }

    /// <summary>The time left to the two-hour limit, or how far past it.</summary>
    public static string Countdown(this IStringLocalizer l, TimeSpan left) =>
        left >= TimeSpan.Zero ? l["Emergency.Remaining", Hms(left)] : l["Emergency.OverdueBy", Hms(-left, overdue: true)];

    /// <summary>A delay in whole minutes, as "15 min", "1 h 30 min" or "2 d 3 h".</summary>
    public static string Delay(this IStringLocalizer l, TimeSpan t)
    {
        var minutes = (long)Math.Floor(t.TotalMinutes);
        return minutes switch
        {
            >= 24 * 60 => l["Emergency.Delay.DaysHours", minutes / (24 * 60), minutes / 60 % 24],
            >= 60 => l["Emergency.Delay.HoursMinutes", minutes / 60, minutes % 60],
            _ => l["Emergency.Delay.Minutes", minutes],
        };
    }
}
