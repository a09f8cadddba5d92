using ServiceHub.Data.Complaints;
using ServiceHub.Data.Infrastructure;

namespace ServiceHub.Data.Accountability;

/// <summary>Why a sheet is on HR's list: drawn in a sample, or flagged by the system.</summary>
public static class SpotCheckSources
{
    public const string Sample = "sample";
    /// <summary>A hand-over its recipient did not take up in time (「首问人没有及时将办事人拟办的事项移交」).</summary>
    public const string HandOverOverdue = "handover_overdue";
}

/// <summary>The share of each kind of sheet in HR's draws, in percent (adding up to 100).</summary>
public sealed record KindShares(int Consultation, int Inquiry, int Complaint)
{
    /// <summary>What a draw records when no shares are set: each kind in proportion to the period's sheets of that kind.</summary>
    public const string Proportional = "proportional";

    /// <summary>As the draw records it: "40/20/40" (consultation/inquiry/complaint).</summary>
    public string Code => $"{Consultation}/{Inquiry}/{Complaint}";

    public IReadOnlyDictionary<string, long> Weights => new Dictionary<string, long>
    {
        [ContactKinds.Consultation] = Consultation, [ContactKinds.Inquiry] = Inquiry, [ContactKinds.Complaint] = Complaint,
    };

    /// <summary>Each share from 0 to 100, together 100; the message at each field, or at <c>Shares</c> for the total.</summary>
    public static IReadOnlyDictionary<string, FieldError> Validate(KindShares s)
    {
        var errors = new Dictionary<string, FieldError>();
        foreach (var (field, value) in new[] { (nameof(Consultation), s.Consultation), (nameof(Inquiry), s.Inquiry), (nameof(Complaint), s.Complaint) })
            if (value is < 0 or > 100) errors[field] = new("SpotCheck.ShareRange");
        if (errors.Count == 0 && s.Consultation + s.Inquiry + s.Complaint != 100) errors["Shares"] = new("SpotCheck.SharesTotal");
        return errors;
    }
}

/// <summary>How a sample's size is split over the kinds.</summary>
public static class SampleSplit
{
    /// <summary>
    /// <paramref name="size"/> split in proportion to the weights by the largest remainder (ties to the kinds in
    /// <see cref="ContactKinds.All"/>'s order), so the parts add up to the size; all weights zero gives nothing.
    /// </summary>
    public static IReadOnlyDictionary<string, int> Split(int size, IReadOnlyDictionary<string, long> weights)
    {
        var kinds = ContactKinds.All;
        var total = kinds.Sum(k => Math.Max(0, weights.GetValueOrDefault(k)));
        var parts = kinds.ToDictionary(k => k, _ => 0);
        if (total == 0 || size <= 0) return parts;
        var exact = kinds.ToDictionary(k => k, k => (decimal)size * Math.Max(0, weights.GetValueOrDefault(k)) / total);
        foreach (var k in kinds) parts[k] = (int)Math.Floor(exact[k]);
        var left = size - parts.Values.Sum();
        foreach (var k in kinds.OrderByDescending(k => exact[k] - parts[k]).ThenBy(k => kinds.ToList().IndexOf(k)).Take(left))
            parts[k]++;
        return parts;
    }
}
