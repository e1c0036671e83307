using System.Net;
using Microsoft.AspNetCore.Identity;
using Portal.Web.Data;

namespace Portal.Web.Email;

/// <summary>Identity's account emails (confirm address, reset password) through the portal's delivery.</summary>
public sealed class IdentityEmailSender(EmailComposer composer, IEmailDelivery delivery) : IEmailSender<PortalUser>
{
    public Task SendConfirmationLinkAsync(PortalUser user, string email, string confirmationLink) =>
        SendLinkAsync(email, "Confirm your email address",
            "Welcome to the SME internationalization readiness portal.",
            "Confirm your email address to activate your account:", "Confirm my email address", confirmationLink,
            "If you did not create an account, you can ignore this email.");

    public Task SendPasswordResetLinkAsync(PortalUser user, string email, string resetLink) =>
        SendLinkAsync(email, "Reset your password",
            "Someone asked to reset the password of your portal account.",
            "Choose a new password here:", "Reset my password", resetLink,
            "If it was not you, ignore this email: your password stays as it is.");

    public Task SendPasswordResetCodeAsync(PortalUser user, string email, string resetCode)
    {
        var code = WebUtility.HtmlEncode(resetCode);
        var html = $"<p>Your password reset code is:</p><p style=\"font-size:1.4em\"><strong>{code}</strong></p>"
            + "<p>If it was not you, ignore this email: your password stays as it is.</p>";
        var text = $"Your password reset code is: {resetCode}\n\nIf it was not you, ignore this email: your password stays as it is.\n";
        return delivery.SendAsync(composer.Compose(email, "Your password reset code", html, text), CancellationToken.None);
    }

    private Task SendLinkAsync(string email, string subject, string greeting, string lead, string button, string link, string footer)
    {
        var href = WebUtility.HtmlEncode(link);
        var html = $"""
            <p>{WebUtility.HtmlEncode(greeting)}</p>
            <p>{WebUtility.HtmlEncode(lead)}</p>
            <p><a href="{href}">{WebUtility.HtmlEncode(button)}</a></p>
            <p>Or paste this address into your browser:<br>{href}</p>
            <p>{WebUtility.HtmlEncode(footer)}</p>
            """;
        var text = $"{greeting}\n\n{lead}\n{link}\n\n{footer}\n";
        return delivery.SendAsync(composer.Compose(email, subject, html, text), CancellationToken.None);
    }
}
