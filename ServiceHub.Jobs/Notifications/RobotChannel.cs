using System.Globalization;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ServiceHub.Data.Notifications;

namespace ServiceHub.Jobs.Notifications;

/// <summary>
/// Group robots: WeCom (企业微信群机器人: the webhook address carries its key; <c>msgtype</c> markdown, or text when people are
/// @mentioned by mobile) and DingTalk (钉钉自定义机器人: markdown with <c>at.atMobiles</c>; with a signing secret the address gets
/// <c>timestamp</c> and <c>sign</c>). Both answer <c>{"errcode":0,"errmsg":"ok"}</c>; another code is a refusal, tried again. The
/// message's reference is in its text, so a resend is recognisably the same message.
/// </summary>
public sealed class RobotChannel(ChannelSettings settings, IHttpClientFactory http, TimeProvider clock) : IOutboxChannel
{
    public const string HttpClientName = "notifications";

    public string Channel => NotificationChannels.Robot;

    public async Task<string?> SendAsync(OutboxMessage message, RenderedMessage text, CancellationToken ct)
    {
        var robot = await settings.RobotForSendingAsync(message.EndpointId ?? 0, ct);
        if (robot is null || !robot.IsActive) throw new PermanentSendException($"robot {message.EndpointId} is gone or inactive");
        return await SendAsync(http.CreateClient(HttpClientName), robot, text, message.Mentions, clock.GetUtcNow(), ct);
    }

    /// <summary>Posts one message to a robot (also the admin page's test message). Returns the robot's answer.</summary>
    public static async Task<string?> SendAsync(HttpClient client, RobotEndpoint robot, RenderedMessage text, IReadOnlyList<string> mentions,
        DateTimeOffset now, CancellationToken ct)
    {
        var (url, body) = robot.Kind == NotificationChannels.DingTalk
            ? (DingTalkUrl(robot.Webhook, robot.Secret, now), DingTalkBody(text, mentions))
            : (robot.Webhook, WeComBody(text, mentions));
        using var response = await client.PostAsJsonAsync(url, body, ct);
        var answer = await response.Content.ReadAsStringAsync(ct);
        if (!response.IsSuccessStatusCode) throw new HttpRequestException($"HTTP {(int)response.StatusCode}: {Short(answer)}");
        var code = ErrorCode(answer);
        if (code != 0) throw new ProviderRefusedException($"errcode {code}: {Short(answer)}");
        return Short(answer);
    }

    public static JsonObject WeComBody(RenderedMessage text, IReadOnlyList<string> mentions) => mentions.Count == 0
        ? new JsonObject { ["msgtype"] = "markdown", ["markdown"] = new JsonObject { ["content"] = Markdown(text) } }
        : new JsonObject
        {
            ["msgtype"] = "text",
            ["text"] = new JsonObject { ["content"] = $"{text.Title}\n{text.Body}", ["mentioned_mobile_list"] = new JsonArray([.. mentions.Select(m => (JsonNode)m)]) },
        };

    public static JsonObject DingTalkBody(RenderedMessage text, IReadOnlyList<string> mentions) => new()
    {
        ["msgtype"] = "markdown",
        // DingTalk highlights an @mention only when the text names the mobile.
        ["markdown"] = new JsonObject { ["title"] = text.Title, ["text"] = Markdown(text) + string.Concat(mentions.Select(m => $" @{m}")) },
        ["at"] = new JsonObject { ["atMobiles"] = new JsonArray([.. mentions.Select(m => (JsonNode)m)]), ["isAtAll"] = false },
    };

    /// <summary>DingTalk's signed address: <c>timestamp</c> (milliseconds) and <c>sign</c> = URL-encoded Base64(HMAC-SHA256(secret, timestamp + "\n" + secret)).</summary>
    public static string DingTalkUrl(string webhook, string? secret, DateTimeOffset now)
    {
        if (string.IsNullOrEmpty(secret)) return webhook;
        var timestamp = now.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
        return $"{webhook}{(webhook.Contains('?') ? '&' : '?')}timestamp={timestamp}&sign={Uri.EscapeDataString(DingTalkSign(timestamp, secret))}";
    }

    public static string DingTalkSign(string timestamp, string secret) =>
        Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"{timestamp}\n{secret}")));

    private static string Markdown(RenderedMessage text) =>
        $"### {text.Title}\n\n{text.Body.Replace(text.Link, $"[{text.Link}]({text.Link})", StringComparison.Ordinal).Replace("\n", "\n\n", StringComparison.Ordinal)}";

    private static int ErrorCode(string answer)
    {
        try
        {
            using var doc = JsonDocument.Parse(answer);
            return doc.RootElement.TryGetProperty("errcode", out var code) && code.TryGetInt32(out var c) ? c : -1;
        }
        catch (JsonException)
        {
            return -1;
        }
    }

    private static string Short(string s) => s.Length <= 300 ? s : s[..300];
}
