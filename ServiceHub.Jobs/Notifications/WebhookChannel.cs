using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using ServiceHub.Data.Integrations;
using ServiceHub.Data.Notifications;

namespace ServiceHub.Jobs.Notifications;

/// <summary>
/// Outgoing integration webhooks (issue #13 point 8), one more sender of the outbox: posts the queued JSON body to the subscription's
/// URL, signed (<see cref="WebhookSignature"/>: HMAC-SHA256 with the subscription's secret over "{timestamp}.{body}"), with the
/// message's idempotency key as <c>X-ServiceHub-Delivery</c> and <c>Idempotency-Key</c>, so a resend after a crash is recognisably the
/// same delivery. A 2xx answer is delivered; anything else is tried again with the outbox's back-off; a removed or paused
/// subscription fails the message at once.
/// </summary>
public sealed class WebhookChannel(WebhookRepository webhooks, IHttpClientFactory http, TimeProvider clock) : IOutboxChannel
{
    public const string HttpClientName = "webhooks";

    public string Channel => NotificationChannels.Webhook;

    public async Task<string?> SendAsync(OutboxMessage message, RenderedMessage text, CancellationToken ct)
    {
        var endpoint = await webhooks.ForSendingAsync(message.EndpointId ?? 0, ct);
        if (endpoint is null || !endpoint.IsActive) throw new PermanentSendException($"webhook {message.EndpointId} is gone or paused");
        var body = Encoding.UTF8.GetBytes(message.Payload ?? "{}");
        var timestamp = clock.GetUtcNow().ToUnixTimeSeconds();
        using var request = new HttpRequestMessage(HttpMethod.Post, endpoint.Url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        request.Headers.Add(WebhookSignature.TimestampHeader, timestamp.ToString(CultureInfo.InvariantCulture));
        request.Headers.Add(WebhookSignature.SignatureHeader, WebhookSignature.Sign(endpoint.Secret, timestamp, body));
        request.Headers.Add(WebhookSignature.EventHeader, message.EventKind.StartsWith("webhook:", StringComparison.Ordinal) ? message.EventKind[8..] : message.EventKind);
        request.Headers.Add(WebhookSignature.IdHeader, message.IdempotencyKey);
        request.Headers.Add("Idempotency-Key", message.IdempotencyKey);
        using var response = await http.CreateClient(HttpClientName).SendAsync(request, ct);
        if (!response.IsSuccessStatusCode)
        {
            var answer = await response.Content.ReadAsStringAsync(ct);
            throw new HttpRequestException($"HTTP {(int)response.StatusCode}: {(answer.Length <= 300 ? answer : answer[..300])}");
        }
        return $"HTTP {(int)response.StatusCode}";
    }
}
