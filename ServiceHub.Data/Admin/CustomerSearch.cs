using System.Collections.Concurrent;
using ServiceHub.Data.Infrastructure;

namespace ServiceHub.Data.Admin;

/// <summary>The customer search's limits (configuration section <c>Customers:Search</c>, issue #12 point 5).</summary>
public sealed class CustomerSearchOptions
{
    /// <summary>Searches one user may run within <see cref="Window"/> (60 by default: the intake form searches as the agent types); more are refused until the window moves on.</summary>
    public int PermitLimit { get; set; } = 60;

    /// <summary>The sliding window of <see cref="PermitLimit"/> (one minute by default).</summary>
    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(1);
}

/// <summary>
/// What a customer search may match and show for an actor (issue #12 point 5). Roles that may see private data
/// (<see cref="Access.PrivateData"/>) find a customer by the start of a phone number (three digits or more) or its last four digits;
/// everyone else only by the full number — so a masked number (138****1234) cannot be recovered by searching digit by digit — and
/// sees no address beyond project and building.
/// </summary>
public static class CustomerSearchRules
{
    /// <summary>The digits to compare with the start of a phone: at least 3 for those who may see private data; otherwise a full, valid number.</summary>
    public static string? PhoneDigits(Actor actor, string? text)
    {
        if (text is null) return null;
        if (actor.IsIn(Access.PrivateData)) return text.All(char.IsAsciiDigit) && text.Length >= 3 ? text : null;
        return PhoneNumbers.IsValid(text) ? PhoneNumbers.Normalize(text) : null;
    }

    /// <summary>Whether the last four digits alone find a customer for <paramref name="actor"/>.</summary>
    public static bool MatchesLastFour(Actor actor) => actor.IsIn(Access.PrivateData);

    /// <summary>Whether the address shows the unit; otherwise only project and building.</summary>
    public static bool ShowsUnit(Actor actor) => actor.IsIn(Access.PrivateData);
}

/// <summary>
/// Per-user limit of customer searches: a Blazor Server page searches inside its circuit, not with an HTTP request per search, so the
/// limit lives here, in front of the query, rather than in ASP.NET Core's request rate limiter. A sliding window per user id.
/// </summary>
public sealed class CustomerSearchLimiter(TimeProvider clock, Microsoft.Extensions.Options.IOptions<CustomerSearchOptions> options)
{
    private readonly ConcurrentDictionary<int, Queue<DateTimeOffset>> _searches = new();

    /// <summary>Counts one search of <paramref name="actor"/>; refuses it (<c>Customer.SearchLimited</c>) when over the limit.</summary>
    public void Take(Actor actor)
    {
        var now = clock.GetUtcNow();
        var o = options.Value;
        var window = _searches.GetOrAdd(actor.Id, _ => new Queue<DateTimeOffset>());
        lock (window)
        {
            while (window.Count > 0 && window.Peek() <= now - o.Window) window.Dequeue();
            if (window.Count >= o.PermitLimit) throw new DomainException("Customer.SearchLimited", (int)Math.Ceiling(o.Window.TotalSeconds));
            window.Enqueue(now);
        }
    }
}
