namespace ServiceHub.Data.Counting;

/// <summary>The kinds of <see cref="CalendarDay"/>.</summary>
public static class CalendarDayKinds
{
    public const string Holiday = "holiday";
    public const string Workday = "workday";
}
