using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using ServiceHub.Data.Admin;
using ServiceHub.Data.Notifications;

namespace ServiceHub.Jobs.Notifications;

/// <summary>What an SMS says: an approved template filled with the message's short title, its reference and its link.</summary>
public sealed record SmsContent(string Title, string Reference, string Link)
{
    /// <summary>Aliyun limits a template variable's length; longer titles are cut.</summary>
    public const int TitleMax = 35;

    public string TemplateParam => JsonSerializer.Serialize(new Dictionary<string, string>
    {
        ["title"] = Title.Length <= TitleMax ? Title : Title[..(TitleMax - 1)] + "…",
        ["ref"] = Reference,
        ["link"] = Link,
    });
}

/// <summary>An SMS provider (<see cref="SmsSettings.Provider"/>). <paramref name="outId"/> is the message's idempotency key.</summary>
public interface ISmsProvider
{
    string Name { get; }
    Task<string?> SendAsync(SmsSettings settings, string mobile, SmsContent content, string outId, CancellationToken ct);
}

/// <summary>SMS through the configured provider.</summary>
public sealed class SmsChannel(ChannelSettings settings, IEnumerable<ISmsProvider> providers) : IOutboxChannel
{
    public string Channel => NotificationChannels.Sms;

    public async Task<string?> SendAsync(OutboxMessage message, RenderedMessage text, CancellationToken ct)
    {
        var s = await settings.SmsForSendingAsync(ct);
        var provider = providers.FirstOrDefault(p => p.Name == s.Provider) ?? throw new PermanentSendException($"no SMS provider '{s.Provider}'");
        return await provider.SendAsync(s, message.Address!, new SmsContent(text.Title, text.Reference, text.Link), message.IdempotencyKey, ct);
    }
}

/// <summary>Development: the SMS is written to the log (the mobile masked) and counted as sent.</summary>
public sealed class LogOnlySmsProvider(ILogger<LogOnlySmsProvider> log) : ISmsProvider
{
    public string Name => SmsProviders.LogOnly;

    public Task<string?> SendAsync(SmsSettings settings, string mobile, SmsContent content, string outId, CancellationToken ct)
    {
        log.LogInformation("SMS (log only) to {Mobile}: {Title} [{Reference}] {Link}", Masking.Phone(mobile), content.Title, content.Reference, content.Link);
        return Task.FromResult<string?>("log-only");
    }
}

/// <summary>
/// Aliyun SMS (短信服务) <c>SendSms</c>, API version 2017-05-25, by an RPC-style signed GET: the parameters sorted by name,
/// percent-encoded (RFC 3986), <c>StringToSign = "GET&amp;%2F&amp;" + encode(query)</c>, signed with HMAC-SHA1 keyed
/// <c>AccessKeySecret + "&amp;"</c>, Base64. The idempotency key goes as <c>OutId</c>, which Aliyun returns in its delivery receipts.
/// </summary>
public sealed class AliyunSmsProvider(IHttpClientFactory http, TimeProvider clock) : ISmsProvider
{
    public string Name => SmsProviders.Aliyun;

    public async Task<string?> SendAsync(SmsSettings s, string mobile, SmsContent content, string outId, CancellationToken ct)
    {
        var parameters = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["AccessKeyId"] = s.AccessKeyId,
            ["Action"] = "SendSms",
            ["Format"] = "JSON",
            ["OutId"] = outId,
            ["PhoneNumbers"] = mobile,
            ["RegionId"] = s.RegionId,
            ["SignName"] = s.SignName,
            ["SignatureMethod"] = "HMAC-SHA1",
            ["SignatureNonce"] = Guid.NewGuid().ToString("N"),
            ["SignatureVersion"] = "1.0",
            ["TemplateCode"] = s.TemplateCode,
            ["TemplateParam"] = content.TemplateParam,
            ["Timestamp"] = clock.GetUtcNow().UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
            ["Version"] = "2017-05-25",
        };
        var url = SignedUrl(s.Endpoint, parameters, s.AccessKeySecret);
        using var response = await http.CreateClient(RobotChannel.HttpClientName).GetAsync(url, ct);
        var answer = await response.Content.ReadAsStringAsync(ct);
        string? code = null, bizId = null, error = null;
        try
        {
            using var doc = JsonDocument.Parse(answer);
            code = doc.RootElement.TryGetProperty("Code", out var c) ? c.GetString() : null;
            bizId = doc.RootElement.TryGetProperty("BizId", out var b) ? b.GetString() : null;
            error = doc.RootElement.TryGetProperty("Message", out var m) ? m.GetString() : null;
        }
        catch (JsonException) { }
        if (!response.IsSuccessStatusCode && code is null) throw new HttpRequestException($"HTTP {(int)response.StatusCode}");
        if (code != "OK") throw new ProviderRefusedException($"{code ?? "no code"}: {error}");
        return bizId;
    }

    /// <summary>The request address with its signature (public for the tests' known values).</summary>
    public static string SignedUrl(string endpoint, IReadOnlyDictionary<string, string> parameters, string accessKeySecret)
    {
        var query = string.Join("&", parameters.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{Encode(p.Key)}={Encode(p.Value)}"));
        var signature = Signature(query, accessKeySecret);
        return $"{endpoint.TrimEnd('/')}/?Signature={Encode(signature)}&{query}";
    }

    public static string Signature(string canonicalQuery, string accessKeySecret) =>
        Convert.ToBase64String(HMACSHA1.HashData(Encoding.UTF8.GetBytes(accessKeySecret + "&"), Encoding.UTF8.GetBytes("GET&%2F&" + Encode(canonicalQuery))));

    /// <summary>RFC 3986 percent-encoding of UTF-8: letters, digits and <c>-_.~</c> as they are, everything else %XY (upper case).</summary>
    public static string Encode(string value)
    {
        var sb = new StringBuilder();
        foreach (var b in Encoding.UTF8.GetBytes(value))
        {
            var c = (char)b;
            if (c is (>= 'A' and <= 'Z') or (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-' or '_' or '.' or '~') sb.Append(c);
            else sb.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
        }
        return sb.ToString();
    }
}
