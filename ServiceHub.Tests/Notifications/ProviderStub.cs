using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ServiceHub.Tests.Notifications;

/// <summary>What a provider stub accepted: the channel, the message's reference (or SMS OutId), its text and whom it mentions.</summary>
public sealed record StubMessage(string Channel, string Key, string Text, string[] Mentions, JsonNode Body);

/// <summary>
/// A Kestrel server on a loopback port playing the WeCom robot webhook, the DingTalk robot webhook (signed) and Aliyun SMS's
/// <c>SendSms</c> (RPC signature). It checks each request as the real service would — the key or token, DingTalk's
/// <c>timestamp</c>/<c>sign</c> and Aliyun's <c>Signature</c> recomputed here independently of the product's code, the JSON
/// payloads — and answers as they do. For the fault tests it can fail the next requests (HTTP 500) or hold a request it accepted
/// without answering (the provider has it; the sender never learns).
/// </summary>
public sealed partial class ProviderStub : IAsyncDisposable
{
    public const string WeComKey = "wecom-key-0001", DingTalkToken = "ding-token-0001", DingTalkSecret = "SECding0001",
        AliyunKeyId = "LTAI-test", AliyunSecret = "aliyun-secret-0001";

    private readonly WebApplication _app;
    private readonly TimeProvider _clock;
    private int _failNext;
    private TaskCompletionSource? _release;

    public string BaseUrl { get; private set; } = "";
    /// <summary>Every message accepted, in order (a resend appears again).</summary>
    public ConcurrentQueue<StubMessage> Accepted { get; } = new();
    /// <summary>Requests refused for a bad signature, key or payload (a test expects none).</summary>
    public ConcurrentQueue<string> Problems { get; } = new();
    /// <summary>Completed when a held request has been accepted.</summary>
    public TaskCompletionSource HeldArrived { get; private set; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private ProviderStub(WebApplication app, TimeProvider clock)
    {
        _app = app;
        _clock = clock;
    }

    public static async Task<ProviderStub> StartAsync(TimeProvider clock)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var stub = new ProviderStub(app, clock);
        app.MapPost("/cgi-bin/webhook/send", (Delegate)stub.WeComAsync);
        app.MapPost("/robot/send", (Delegate)stub.DingTalkAsync);
        app.MapGet("/sms", (Delegate)stub.AliyunAsync);
        await app.StartAsync();
        stub.BaseUrl = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/');
        return stub;
    }

    /// <summary>The next <paramref name="n"/> requests answer HTTP 500 (nothing accepted).</summary>
    public void FailNext(int n) => Interlocked.Exchange(ref _failNext, n);

    /// <summary>The next request is accepted and then held unanswered until <see cref="Release"/> (or the client goes away).</summary>
    public void HoldNext()
    {
        HeldArrived = new(TaskCreationOptions.RunContinuationsAsynchronously);
        _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    public void Release() => Interlocked.Exchange(ref _release, null)?.TrySetResult();

    public void Reset()
    {
        Accepted.Clear();
        Problems.Clear();
        _failNext = 0;
        Release();
    }

    /// <summary>The messages as the receiver shows them: each reference once however often it was sent.</summary>
    public IReadOnlyList<StubMessage> Distinct => Accepted.DistinctBy(m => (m.Channel, m.Key)).ToList();

    private async Task<IResult> WeComAsync(HttpContext http)
    {
        if (Fail()) return Results.StatusCode(500);
        if (http.Request.Query["key"] != WeComKey) return Refuse("wecom: unknown key", 93000);
        var body = await JsonNode.ParseAsync(http.Request.Body);
        var type = (string?)body?["msgtype"];
        var content = type switch
        {
            "text" => (string?)body!["text"]?["content"],
            "markdown" => (string?)body!["markdown"]?["content"],
            _ => null,
        };
        if (content is null) return Refuse($"wecom: bad payload {body?.ToJsonString()}", 40008);
        var mentions = body!["text"]?["mentioned_mobile_list"]?.AsArray().Select(n => (string)n!).ToArray() ?? [];
        return await AcceptAsync(http, new StubMessage("wecom", Reference(content), content, mentions, body));
    }

    private async Task<IResult> DingTalkAsync(HttpContext http)
    {
        if (Fail()) return Results.StatusCode(500);
        var q = http.Request.Query;
        if (q["access_token"] != DingTalkToken) return Refuse("dingtalk: unknown token", 300001);
        string timestamp = q["timestamp"].ToString(), sign = q["sign"].ToString();
        var expected = Convert.ToBase64String(new HMACSHA256(Encoding.UTF8.GetBytes(DingTalkSecret)).ComputeHash(Encoding.UTF8.GetBytes($"{timestamp}\n{DingTalkSecret}")));
        if (sign != expected) return Refuse($"dingtalk: sign mismatch ({sign})", 310000);
        // DingTalk refuses a timestamp more than an hour from its own clock.
        if (!long.TryParse(timestamp, out var ms) || Math.Abs((_clock.GetUtcNow() - DateTimeOffset.FromUnixTimeMilliseconds(ms)).TotalHours) > 1)
            return Refuse("dingtalk: stale timestamp", 310000);
        var body = await JsonNode.ParseAsync(http.Request.Body);
        var text = (string?)body?["markdown"]?["text"] ?? (string?)body?["text"]?["content"];
        if ((string?)body?["msgtype"] is not ("markdown" or "text") || text is null) return Refuse($"dingtalk: bad payload {body?.ToJsonString()}", 40035);
        var mentions = body!["at"]?["atMobiles"]?.AsArray().Select(n => (string)n!).ToArray() ?? [];
        return await AcceptAsync(http, new StubMessage("dingtalk", Reference(text), text, mentions, body));
    }

    private async Task<IResult> AliyunAsync(HttpContext http)
    {
        if (Fail()) return Results.StatusCode(500);
        var q = http.Request.Query;
        var canonical = string.Join("&", q.Where(p => p.Key != "Signature").OrderBy(p => p.Key, StringComparer.Ordinal)
            .Select(p => $"{Uri.EscapeDataString(p.Key)}={Uri.EscapeDataString(p.Value.ToString())}"));
        var expected = Convert.ToBase64String(new HMACSHA1(Encoding.UTF8.GetBytes(AliyunSecret + "&"))
            .ComputeHash(Encoding.UTF8.GetBytes("GET&%2F&" + Uri.EscapeDataString(canonical))));
        if (q["Signature"] != expected) return Pascal(Problem("aliyun: SignatureDoesNotMatch", new { Code = "SignatureDoesNotMatch", Message = "Specified signature is not matched" }));
        if (q["AccessKeyId"] != AliyunKeyId || q["Action"] != "SendSms" || q["Version"] != "2017-05-25" || q["SignatureMethod"] != "HMAC-SHA1")
            return Pascal(Problem("aliyun: bad common parameters", new { Code = "InvalidParameter" }));
        var param = JsonNode.Parse(q["TemplateParam"].ToString());
        if ((string?)param?["title"] is not { Length: > 0 and <= 35 } || (string?)param?["ref"] is null || (string?)param?["link"] is null)
            return Pascal(Problem("aliyun: template params", new { Code = "isv.TEMPLATE_PARAMS_ILLEGAL" }));
        var message = new StubMessage("sms", q["OutId"].ToString(), $"{param!["title"]} {param["link"]} {q["PhoneNumbers"]}", [q["PhoneNumbers"].ToString()], param);
        return await AcceptAsync(http, message, Pascal(new { Code = "OK", Message = "OK", BizId = $"biz-{Accepted.Count + 1}", RequestId = Guid.NewGuid() }));
    }

    private bool Fail()
    {
        while (true)
        {
            var n = Volatile.Read(ref _failNext);
            if (n <= 0) return false;
            if (Interlocked.CompareExchange(ref _failNext, n - 1, n) == n) return true;
        }
    }

    private async Task<IResult> AcceptAsync(HttpContext http, StubMessage message, IResult? answer = null)
    {
        Accepted.Enqueue(message);
        if (Volatile.Read(ref _release) is { } release)
        {
            HeldArrived.TrySetResult();
            await Task.WhenAny(release.Task, Task.Delay(Timeout.Infinite, http.RequestAborted));
        }
        return answer ?? Results.Json(new { errcode = 0, errmsg = "ok" });
    }

    private IResult Refuse(string problem, int code) => Pascal(Problem(problem, new { errcode = code, errmsg = problem }));

    /// <summary>Aliyun answers in PascalCase (<c>{"Code":"OK","BizId":…}</c>), the robots in snake case; minimal APIs would write camelCase.</summary>
    private static IResult Pascal(object answer) => Results.Json(answer, new System.Text.Json.JsonSerializerOptions());

    private object Problem(string problem, object answer)
    {
        Problems.Enqueue(problem);
        return answer;
    }

    [GeneratedRegex(@"(?:消息编号：|Message reference: )([0-9A-F]{8})")]
    private static partial Regex ReferencePattern();

    private static string Reference(string text) => ReferencePattern().Match(text) is { Success: true } m ? m.Groups[1].Value : "";

    public async ValueTask DisposeAsync()
    {
        Release();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
