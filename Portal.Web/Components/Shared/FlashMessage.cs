using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;

namespace Portal.Web.Components.Shared;

/// <summary>
/// Post, redirect, get for server-rendered forms: a change answers with a redirect to the page
/// and its confirmation travels in a short-lived cookie. Reloading the page then repeats a
/// harmless GET, never the post (which would add a second note or send a second message).
/// The cookie is protected so a page only ever shows a confirmation the portal wrote.
/// </summary>
public sealed class FlashMessage(IDataProtectionProvider protection)
{
    private const string CookieName = "portal-flash";
    private readonly IDataProtector protector = protection.CreateProtector("Portal.FlashMessage.v1");

    public void Set(HttpContext http, string message) =>
        http.Response.Cookies.Append(CookieName, protector.Protect(message), new CookieOptions
        {
            HttpOnly = true,
            IsEssential = true,
            SameSite = SameSiteMode.Lax,
            Secure = http.Request.IsHttps,
            Path = "/",
            MaxAge = TimeSpan.FromMinutes(2),
        });

    /// <summary>The confirmation left by the post that led here, once: it is deleted as it is read.</summary>
    public string? Take(HttpContext? http)
    {
        if (http is null || !http.Request.Cookies.TryGetValue(CookieName, out var value))
        {
            return null;
        }

        http.Response.Cookies.Delete(CookieName, new CookieOptions { Path = "/" });
        try
        {
            return protector.Unprotect(value);
        }
        catch (CryptographicException)
        {
            return null; // from another key ring or tampered with: show nothing rather than fail the page
        }
    }
}
