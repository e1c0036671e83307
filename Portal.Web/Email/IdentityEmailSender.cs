using Microsoft.AspNetCore.Identity;
using Portal.Domain.Emails;
using Portal.Web.Configuration;
using Portal.Web.Data;
using Portal.Web.Features.FollowUps;

namespace Portal.Web.Email;

/// <summary>
/// Identity's account emails (confirm an address, reset a password) go through the outbox
/// like every other email: the content's templates, retries when the mail server is down,
/// and a line in the delivery log. The link is stored encrypted until it is sent.
/// </summary>
public sealed class IdentityEmailSender(Outbox outbox, PublicLinks links) : IEmailSender<PortalUser>
{
    public Task SendConfirmationLinkAsync(PortalUser user, string email, string confirmationLink) =>
        outbox.SendAccountEmailAsync(user.Id, email, EmailModels.ConfirmEmail, new AccountEmailPayload(Rebase(confirmationLink), null));

    public Task SendPasswordResetLinkAsync(PortalUser user, string email, string resetLink) =>
        outbox.SendAccountEmailAsync(user.Id, email, EmailModels.ResetPassword, new AccountEmailPayload(Rebase(resetLink), null));

    public Task SendPasswordResetCodeAsync(PortalUser user, string email, string resetCode) =>
        outbox.SendAccountEmailAsync(user.Id, email, EmailModels.ResetCode, new AccountEmailPayload(null, resetCode));

    /// <summary>
    /// Identity's pages build links from the request's Host header, which the sender of the
    /// request chooses: the link keeps its path and query and gets the configured address.
    /// </summary>
    private string Rebase(string link) =>
        Uri.TryCreate(link, UriKind.Absolute, out var uri) ? links.To(uri.PathAndQuery) : link;
}
