namespace ServiceHub.Data.Counting;

/// <summary>A day of the business calendar that differs from the week: a holiday, or a make-up working day (调休).</summary>
public sealed record CalendarDay(DateOnly Day, string Kind, string Name);
