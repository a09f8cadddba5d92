using System.Text.Json.Nodes;
using ServiceHub.Data.Notifications;
using ServiceHub.Jobs.Notifications;

namespace ServiceHub.Tests.Notifications;

/// <summary>The channels' signatures, payloads and the outbox's back-off, without a database.</summary>
public sealed class NotificationRulesTests
{
    [Fact]
    public void The_Aliyun_signature_of_the_documented_request_is_the_documented_one()
    {
        // Aliyun's worked example of SendSms (RPC signature, HMAC-SHA1, "GET&%2F&" + the encoded sorted query); the value was checked
        // with an independent implementation (Python's hmac and urllib.parse.quote).
        var parameters = new Dictionary<string, string>
        {
            ["AccessKeyId"] = "testId", ["Action"] = "SendSms", ["Format"] = "XML", ["OutId"] = "123", ["PhoneNumbers"] = "15300000001",
            ["RegionId"] = "cn-hangzhou", ["SignName"] = "阿里云短信测试专用", ["SignatureMethod"] = "HMAC-SHA1",
            ["SignatureNonce"] = "45e25e9b-0a6f-4070-8c85-2956eda1b466", ["SignatureVersion"] = "1.0", ["TemplateCode"] = "SMS_71390007",
            ["TemplateParam"] = "{\"customer\":\"test\"}", ["Timestamp"] = "2017-07-12T02:42:19Z", ["Version"] = "2017-05-25",
        };
        var url = AliyunSmsProvider.SignedUrl("http://dysmsapi.aliyuncs.com", parameters, "testSecret");
        Assert.StartsWith("http://dysmsapi.aliyuncs.com/?Signature=zJDF%2BLrzhj%2FThnlvIToysFRq6t4%3D&AccessKeyId=testId&Action=SendSms", url);
        Assert.Contains("&SignName=%E9%98%BF%E9%87%8C%E4%BA%91%E7%9F%AD%E4%BF%A1%E6%B5%8B%E8%AF%95%E4%B8%93%E7%94%A8&", url);
    }

    [Theory]
    [InlineData("a b", "a%20b")]
    [InlineData("a*b", "a%2Ab")]
    [InlineData("a~b-_.", "a~b-_.")]
    [InlineData("{\"k\":1}", "%7B%22k%22%3A1%7D")]
    public void Aliyun_percent_encoding_is_RFC_3986(string value, string encoded) => Assert.Equal(encoded, AliyunSmsProvider.Encode(value));

    [Fact]
    public void The_DingTalk_signature_is_base64_of_hmac_sha256_over_timestamp_newline_secret_url_encoded()
    {
        // Checked with Python: base64(hmac.new(b"SECabc123", b"1700000000000\nSECabc123", sha256)).
        Assert.Equal("N5P09a4+p1AMJIJWnIvQd2Yxw9+fu/oEBnPrjCcsLXk=", RobotChannel.DingTalkSign("1700000000000", "SECabc123"));
        var url = RobotChannel.DingTalkUrl("https://oapi.dingtalk.com/robot/send?access_token=T", "SECabc123", DateTimeOffset.FromUnixTimeMilliseconds(1700000000000));
        Assert.Equal("https://oapi.dingtalk.com/robot/send?access_token=T&timestamp=1700000000000&sign=N5P09a4%2Bp1AMJIJWnIvQd2Yxw9%2Bfu%2FoEBnPrjCcsLXk%3D", url);
        Assert.Equal("https://x/robot/send?access_token=T", RobotChannel.DingTalkUrl("https://x/robot/send?access_token=T", null, DateTimeOffset.UnixEpoch));
    }

    [Fact]
    public void WeCom_gets_markdown_and_text_with_the_mobiles_to_mention()
    {
        var text = new RenderedMessage("标题", "正文\n\n打开：http://h/e/1\n消息编号：ABCD1234", "http://h/e/1", "ABCD1234");
        var markdown = RobotChannel.WeComBody(text, []);
        Assert.Equal("markdown", (string?)markdown["msgtype"]);
        Assert.Contains("[http://h/e/1](http://h/e/1)", (string?)markdown["markdown"]!["content"]);
        var mentioning = RobotChannel.WeComBody(text, ["13800000001"]);
        Assert.Equal("text", (string?)mentioning["msgtype"]);
        Assert.Equal(["13800000001"], mentioning["text"]!["mentioned_mobile_list"]!.AsArray().Select(n => (string?)n));
        var ding = RobotChannel.DingTalkBody(text, ["13800000001"]);
        Assert.Equal("markdown", (string?)ding["msgtype"]);
        Assert.EndsWith("@13800000001", (string?)ding["markdown"]!["text"]);
        Assert.Equal(["13800000001"], ding["at"]!["atMobiles"]!.AsArray().Select(n => (string?)n));
        Assert.False((bool)ding["at"]!["isAtAll"]!);
        _ = JsonNode.Parse(ding.ToJsonString());
    }

    [Fact]
    public void A_failed_run_is_retried_after_30_s_then_1_2_4_min_at_most_30_min()
    {
        var o = new OutboxOptions();
        var now = new DateTimeOffset(2026, 11, 26, 2, 0, 0, TimeSpan.Zero);
        Assert.Equal([30, 60, 120, 240, 480, 960, 1800, 1800],
            Enumerable.Range(1, 8).Select(n => (OutboxRules.NextAttemptAt(now, n, o) - now).TotalSeconds));
        Assert.False(OutboxRules.IsExhausted(11, null, o));
        Assert.True(OutboxRules.IsExhausted(12, null, o));
        Assert.False(OutboxRules.IsExhausted(12, 24, o));
    }

    [Fact]
    public void Every_attempt_of_a_message_carries_the_same_message_id_and_reference()
    {
        Assert.Equal(OutboxRules.MessageId("em:7:sms", "example.com"), OutboxRules.MessageId("em:7:sms", "example.com"));
        Assert.NotEqual(OutboxRules.MessageId("em:7:sms", "example.com"), OutboxRules.MessageId("em:8:sms", "example.com"));
        Assert.Matches("^[0-9a-f]{32}@example.com$", OutboxRules.MessageId("em:7:sms", "example.com"));
        Assert.Matches("^[0-9A-F]{8}$", OutboxRules.Reference("em:7:sms"));
    }

    [Theory]
    [InlineData("sms", "13812341234", "138****1234")]
    [InlineData("email", "zhang@example.com", "z***@example.com")]
    public void The_delivery_list_masks_addresses(string channel, string address, string shown) =>
        Assert.Equal(shown, OutboxRules.MaskAddress(channel, address));

    [Fact]
    public void Addresses_are_checked_and_length_limited()
    {
        Assert.Empty(NotificationAddresses.Check("a@b.cn", "138 1234 1234"));
        Assert.Empty(NotificationAddresses.Check("", ""));
        Assert.Equal("Notifications.EmailInvalid", NotificationAddresses.Check("not-an-address", null)["Email"].Code);
        Assert.Equal("Validation.TooLong", NotificationAddresses.Check(new string('a', 195) + "@b.com", null)["Email"].Code);
        Assert.Equal("Notifications.MobileInvalid", NotificationAddresses.Check(null, "010-12345678")["Mobile"].Code);
    }
}
