using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Options;
using MimeKit;
using ServiceHub.Data.Notifications;

namespace ServiceHub.Jobs.Notifications;

/// <summary>
/// E-mail by SMTP (MailKit). Every attempt of a message carries the same Message-Id (derived from its idempotency key), so a mail
/// client shows a message sent again after a crash once; the key is also in the <c>X-ServiceHub-Key</c> header.
/// </summary>
public sealed class EmailChannel(ChannelSettings settings, IOptions<OutboxOptions> options) : IOutboxChannel
{
    public const string KeyHeader = "X-ServiceHub-Key";

    public string Channel => NotificationChannels.Email;

    public async Task<string?> SendAsync(OutboxMessage message, RenderedMessage text, CancellationToken ct)
    {
        var s = await settings.EmailForSendingAsync(ct) ?? throw new PermanentSendException("e-mail is not configured (no SMTP server)");
        return await SendAsync(s, message.Address!, message.IdempotencyKey, text, options.Value.Timeout, ct);
    }

    /// <summary>Sends one e-mail with these settings (also the admin page's test message). Returns the server's answer.</summary>
    public static async Task<string?> SendAsync(EmailSettings s, string to, string idempotencyKey, RenderedMessage text, TimeSpan timeout, CancellationToken ct)
    {
        var from = new MailboxAddress(s.FromName, s.From);
        var mail = new MimeMessage();
        mail.From.Add(from);
        mail.To.Add(MailboxAddress.Parse(to));
        mail.Subject = text.Title;
        mail.MessageId = OutboxRules.MessageId(idempotencyKey, from.Domain);
        mail.Headers.Add(KeyHeader, idempotencyKey);
        mail.Body = new TextPart("plain") { Text = text.Body };

        using var smtp = new SmtpClient { Timeout = (int)Math.Min(int.MaxValue, timeout.TotalMilliseconds) };
        await smtp.ConnectAsync(s.Host, s.Port, s.Security switch
        {
            EmailSecurity.None => SecureSocketOptions.None,
            EmailSecurity.StartTls => SecureSocketOptions.StartTls,
            EmailSecurity.SslOnConnect => SecureSocketOptions.SslOnConnect,
            _ => SecureSocketOptions.Auto,
        }, ct);
        if (!string.IsNullOrEmpty(s.UserName)) await smtp.AuthenticateAsync(s.UserName, s.Password, ct);
        var answer = await smtp.SendAsync(mail, ct);
        await smtp.DisconnectAsync(true, ct);
        return string.IsNullOrWhiteSpace(answer) ? mail.MessageId : answer.Trim();
    }
}
