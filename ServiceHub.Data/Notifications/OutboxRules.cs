using System.Security.Cryptography;
using System.Text;

namespace ServiceHub.Data.Notifications;

/// <summary>How the outbox delivers: its settings (<c>Notifications:Delivery</c>) with their defaults.</summary>
public sealed class OutboxOptions
{
    /// <summary>Rows claimed at once; they are sent in parallel.</summary>
    public int BatchSize { get; set; } = 8;
    /// <summary>How long a claimed row is the worker's: a worker that dies leaves it to be claimed again after this.</summary>
    public TimeSpan Lease { get; set; } = TimeSpan.FromMinutes(2);
    /// <summary>Tries within one run (the first and the quick retries), with exponential back-off from <see cref="FirstRetryDelay"/>.</summary>
    public int TriesPerRun { get; set; } = 3;
    public TimeSpan FirstRetryDelay { get; set; } = TimeSpan.FromSeconds(2);
    /// <summary>One try's limit (connect, send, answer).</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(15);
    /// <summary>After a run whose tries all failed, the next run waits this long, doubled each time, at most <see cref="MaxRetryDelay"/>.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(30);
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromMinutes(30);
    /// <summary>After this many attempts a message fails for good (an administrator may retry it).</summary>
    public int MaxAttempts { get; set; } = 12;
    /// <summary>The language of the messages sent (the staff are in Beijing).</summary>
    public string Culture { get; set; } = "zh-CN";
}

/// <summary>The outbox's rules: back-off, when a message has failed for good, and the identifiers a provider sees.</summary>
public static class OutboxRules
{
    /// <summary>
    /// When a message whose run failed is tried again: <c>RetryDelay × 2^(runs failed − 1)</c>, at most <c>MaxRetryDelay</c>
    /// (30 s, 1 min, 2 min … 30 min with the defaults).
    /// </summary>
    public static DateTimeOffset NextAttemptAt(DateTimeOffset now, int failedRuns, OutboxOptions o)
    {
        var exponent = Math.Clamp(failedRuns - 1, 0, 20);
        var delay = TimeSpan.FromTicks(Math.Min(o.RetryDelay.Ticks * (1L << exponent), o.MaxRetryDelay.Ticks));
        return now + delay;
    }

    /// <summary>Whether a message with this many attempts has no more: the setting, or its allowance after an administrator's retry.</summary>
    public static bool IsExhausted(int attempts, int? failAfter, OutboxOptions o) => attempts >= (failAfter ?? o.MaxAttempts);

    /// <summary>A short reference of a message shown in its text (robots, SMS) so a resend is recognisably the same message.</summary>
    public static string Reference(string idempotencyKey) => Hash(idempotencyKey)[..8].ToUpperInvariant();

    /// <summary>The e-mail Message-Id of a message (the same for every attempt, so a mail client shows a resend once).</summary>
    public static string MessageId(string idempotencyKey, string domain) => $"{Hash(idempotencyKey)[..32]}@{domain}";

    private static string Hash(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    /// <summary>An address as the delivery list shows it: a mobile masked (private data), an e-mail address partly.</summary>
    public static string MaskAddress(string channel, string? address) => channel switch
    {
        _ when string.IsNullOrEmpty(address) => "",
        NotificationChannels.Sms => Admin.Masking.Phone(address),
        NotificationChannels.Email when address!.IndexOf('@') is > 0 and var at => address[..1] + "***" + address[at..],
        _ => address!,
    };
}
