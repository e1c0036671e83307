using MimeKit;

namespace Portal.Web.Email;

/// <summary>
/// The one way a message leaves the portal: account emails, advice follow-ups, invitations.
/// A seam because the transport is chosen by configuration (SMTP or a pickup folder).
/// </summary>
public interface IEmailDelivery
{
    /// <summary>Delivers the message or throws; callers decide whether to retry.</summary>
    Task SendAsync(MimeMessage message, CancellationToken cancellationToken);
}
