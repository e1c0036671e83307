using Microsoft.Extensions.Options;
using MimeKit;

namespace Portal.Web.Email;

/// <summary>Builds messages with the portal as sender and both an HTML and a plain-text part.</summary>
public sealed class EmailComposer(IOptions<EmailOptions> options, TimeProvider clock)
{
    public MimeMessage Compose(string toAddress, string subject, string htmlBody, string textBody)
    {
        var settings = options.Value;
        var message = new MimeMessage
        {
            Subject = subject,
            Date = clock.GetUtcNow(),
        };
        message.From.Add(new MailboxAddress(settings.FromName, settings.FromAddress));
        message.To.Add(MailboxAddress.Parse(toAddress));
        message.MessageId = MimeKit.Utils.MimeUtils.GenerateMessageId(MailboxAddress.Parse(settings.FromAddress).Domain);
        message.Body = new BodyBuilder { HtmlBody = htmlBody, TextBody = textBody }.ToMessageBody();
        return message;
    }
}
