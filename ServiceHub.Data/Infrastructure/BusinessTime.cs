namespace ServiceHub.Data.Infrastructure;

/// <summary>Business time is Asia/Shanghai; everything is stored in UTC (timestamptz).</summary>
public static class BusinessTime
{
    /// <summary>The IANA id of business time, for SQL (<c>AT TIME ZONE</c>) as well as .NET.</summary>
    public const string ZoneId = "Asia/Shanghai";

    public static readonly TimeZoneInfo Zone = TimeZoneInfo.FindSystemTimeZoneById(ZoneId);

    public static DateTimeOffset ToLocal(DateTimeOffset utc) => TimeZoneInfo.ConvertTime(utc, Zone);

    public static DateTimeOffset ToLocal(DateTime utc) =>
        TimeZoneInfo.ConvertTime(new DateTimeOffset(DateTime.SpecifyKind(utc, DateTimeKind.Utc)), Zone);

    /// <summary>A wall-clock time in Beijing as an absolute instant (in UTC, as PostgreSQL stores it).</summary>
    public static DateTimeOffset FromLocal(DateTime local)
    {
        var unspecified = DateTime.SpecifyKind(local, DateTimeKind.Unspecified);
        return new DateTimeOffset(unspecified, Zone.GetUtcOffset(unspecified)).ToUniversalTime();
    }

    public static DateOnly Today(TimeProvider clock) => DateOnly.FromDateTime(ToLocal(clock.GetUtcNow()).DateTime);

    public static string Format(DateTimeOffset? utc, string format = "yyyy-MM-dd HH:mm") =>
        utc is null ? "" : ToLocal(utc.Value).ToString(format, System.Globalization.CultureInfo.InvariantCulture);
}
