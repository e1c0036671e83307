using System.Security.Cryptography;
using Microsoft.AspNetCore.WebUtilities;

namespace Portal.Web.Features.Programmes;

/// <summary>
/// The secret in an invitation link: 32 random bytes, base64url. Only its SHA-256 is stored
/// (Enrolment.TokenHash), so the database alone cannot be used to accept an invitation.
/// </summary>
public static class InvitationTokens
{
    private const int Bytes = 32;

    public static (string Token, string Hash) Create()
    {
        var bytes = RandomNumberGenerator.GetBytes(Bytes);
        return (WebEncoders.Base64UrlEncode(bytes), Convert.ToHexStringLower(SHA256.HashData(bytes)));
    }

    /// <summary>The hash to look the token up by, or null for anything that cannot be a token the portal made.</summary>
    public static string? Hash(string? token)
    {
        if (string.IsNullOrWhiteSpace(token) || token.Length > 64)
        {
            return null;
        }

        byte[] bytes;
        try
        {
            bytes = WebEncoders.Base64UrlDecode(token.Trim());
        }
        catch (FormatException)
        {
            return null;
        }

        return bytes.Length == Bytes ? Convert.ToHexStringLower(SHA256.HashData(bytes)) : null;
    }
}
