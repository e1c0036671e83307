using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;

namespace Portal.Web.Features.FollowUps;

/// <summary>What an unsubscribe link stops: the advice emails, or the messages from advisors.</summary>
public enum UnsubscribeScope
{
    Advice,
    AdvisorMessages,
}

/// <summary>Who an unsubscribe link is for: one person, for one firm, and what it stops.</summary>
public sealed record UnsubscribeTarget(string UserId, Guid FirmId, UnsubscribeScope Scope);

/// <summary>
/// The token in an email's unsubscribe link. Data Protection signs and encrypts it, so it
/// cannot be forged or altered. It names the person and the firm the email was about: it
/// works only while that person is a member of that firm, and it stops the advice emails of
/// that person (preferences belong to the person). It does not expire: an unsubscribe link
/// in an old email must still work.
/// </summary>
public sealed class UnsubscribeTokens(IDataProtectionProvider protection)
{
    private readonly IDataProtector protector = protection.CreateProtector("Portal.Email.Unsubscribe.v1");

    public string Create(string userId, Guid firmId, UnsubscribeScope scope = UnsubscribeScope.Advice) =>
        protector.Protect($"{firmId:N}|{(int)scope}|{userId}");

    public UnsubscribeTarget? Read(string? token)
    {
        if (string.IsNullOrWhiteSpace(token) || token.Length > 2000)
        {
            return null;
        }

        try
        {
            var parts = protector.Unprotect(token).Split('|', 3);
            return parts.Length == 3 && Guid.TryParseExact(parts[0], "N", out var firmId)
                && int.TryParse(parts[1], System.Globalization.CultureInfo.InvariantCulture, out var scope) && Enum.IsDefined((UnsubscribeScope)scope)
                && parts[2].Length > 0
                ? new UnsubscribeTarget(parts[2], firmId, (UnsubscribeScope)scope)
                : null;
        }
        catch (CryptographicException)
        {
            return null; // forged, altered, or made with keys this portal does not have
        }
    }
}
