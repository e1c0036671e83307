using System.Security.Claims;

namespace Portal.Web.Features.Accounts;

public static class ClaimsPrincipalExtensions
{
    /// <summary>The signed-in user's id; pages that call this require an authenticated user.</summary>
    public static string UserId(this ClaimsPrincipal user) =>
        user.FindFirstValue(ClaimTypes.NameIdentifier) ?? throw new InvalidOperationException("No signed-in user.");
}
