namespace ServiceHub.Data.Complaints;

/// <summary>Dispatch urgency: the department must contact the customer within 15 min, 30 min, 1 h or 2 h (DOMAIN.md §4).</summary>
public static class Urgency
{
    public static readonly IReadOnlyList<int> Minutes = [15, 30, 60, 120];

    public static bool IsValid(int minutes) => Minutes.Contains(minutes);
}
