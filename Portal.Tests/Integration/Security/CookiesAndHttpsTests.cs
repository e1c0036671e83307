using System.Net;
using Microsoft.AspNetCore.Mvc.Testing;
using Portal.Tests.TestSupport;
using Portal.Web.Features.Accounts;
using static Portal.Tests.Integration.Security.SecuritySteps;

namespace Portal.Tests.Integration.Security;

/// <summary>
/// Every cookie the portal sets (antiforgery, sign-in, the confirmation after a form) is
/// HttpOnly, has SameSite, and is Secure over HTTPS. Outside Development plain HTTP is
/// redirected to HTTPS and HTTPS answers carry Strict-Transport-Security.
/// </summary>
public sealed class CookiesAndHttpsTests
{
    private const string Password = "Cookies-test-2026";
    private const string Host = "portal.example.org"; // HSTS leaves out localhost, as browsers do not need it there

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Production_RedirectsHttpToTheHttpsPort_AndHttpsAnswersCarryHsts()
    {
        await using var app = new PortalApp(o =>
        {
            o.Environment = "Production";
            o.Settings["https_port"] = "8443";
        });
        var http = app.CreateClient(new WebApplicationFactoryClientOptions { BaseAddress = new Uri($"http://{Host}"), AllowAutoRedirect = false });
        var https = app.CreateClient(new WebApplicationFactoryClientOptions { BaseAddress = new Uri($"https://{Host}"), AllowAutoRedirect = false });

        var plain = await http.GetAsync("/Account/Login?ReturnUrl=%2Fassessment", Ct);
        Assert.Equal(HttpStatusCode.TemporaryRedirect, plain.StatusCode);
        Assert.Equal(new Uri($"https://{Host}:8443/Account/Login?ReturnUrl=%2Fassessment"), plain.Headers.Location);
        Assert.False(plain.Headers.Contains("Strict-Transport-Security")); // only over HTTPS, where it can be trusted

        foreach (var url in new[] { "/", "/Account/Login", "/api/v1/questionnaire", "/app.css", "/no-such-page" })
        {
            var secure = await https.GetAsync(url, Ct);
            Assert.Equal(["max-age=2592000"], secure.Headers.GetValues("Strict-Transport-Security"));
        }
    }

    [Fact]
    public async Task Development_NeitherRedirectsNorSendsHsts()
    {
        await using var app = new PortalApp();
        var http = app.CreateClient(new WebApplicationFactoryClientOptions { BaseAddress = new Uri($"http://{Host}"), AllowAutoRedirect = false });

        var page = await http.GetAsync("/", Ct);

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.False(page.Headers.Contains("Strict-Transport-Security"));
    }

    [Fact]
    public async Task OverHttps_EveryCookieIsSecureHttpOnlyAndSameSite()
    {
        await using var app = new PortalApp(o => o.Environment = "Production");
        var cookies = await CookiesOfAJourneyAsync(app, new Uri($"https://{Host}"));

        Assert.Equal(["..AspNetCore.Antiforgery", ".AspNetCore.Identity.Application", "portal-flash"], cookies.Keys.Select(Family).Distinct().Order());
        foreach (var (name, attributes) in cookies)
        {
            Assert.True(attributes.Contains("secure"), $"{name} is not Secure: {attributes}");
            Assert.True(attributes.Contains("httponly"), $"{name} is not HttpOnly: {attributes}");
        }

        Assert.Contains("samesite=strict", cookies.Single(c => Family(c.Key) == "..AspNetCore.Antiforgery").Value);
        Assert.Contains("samesite=lax", cookies[".AspNetCore.Identity.Application"]); // Lax: a link from an email opens the portal signed in
        Assert.Contains("samesite=lax", cookies["portal-flash"]);
    }

    [Fact]
    public async Task OverHttp_CookiesAreHttpOnlyAndSameSite_ButCannotBeSecure()
    {
        await using var app = new PortalApp();
        var cookies = await CookiesOfAJourneyAsync(app, new Uri($"http://{Host}"));

        Assert.Equal(3, cookies.Keys.Select(Family).Distinct().Count());
        Assert.All(cookies, c => Assert.Contains("httponly", c.Value));
        Assert.All(cookies, c => Assert.Matches("samesite=(lax|strict)", c.Value));
        Assert.All(cookies, c => Assert.DoesNotContain("secure", c.Value)); // a browser would drop a Secure cookie sent over HTTP
    }

    /// <summary>
    /// Every cookie set (not deleted) while an admin signs in, opens pages and creates a
    /// programme (a form that leaves a confirmation cookie): name, and its attributes in lower case.
    /// </summary>
    private static async Task<Dictionary<string, string>> CookiesOfAJourneyAsync(PortalApp app, Uri portal)
    {
        await app.CreateUserAsync("admin@example.org", Password, PortalRoles.Admin);
        var organisation = await FirmFileSetup.OrganisationAsync(app, "Cookie Trade Agency");
        var client = app.CreateClient(new WebApplicationFactoryClientOptions { BaseAddress = portal, AllowAutoRedirect = false, HandleCookies = true });
        var responses = new List<HttpResponseMessage>
        {
            await client.GetAsync("/Account/Login", Ct),
            await SignInAsync(client, "admin@example.org", Password),
            await client.GetAsync("/", Ct),
            await client.GetAsync("/admin/programmes", Ct),
        };
        var created = await client.SubmitFormAsync("/admin/programmes", "create-programme", new()
        {
            ["Input.Name"] = "Cookie Programme",
            ["Input.OrganisationId"] = organisation.ToString(),
        });
        Assert.Equal(HttpStatusCode.Redirect, created.StatusCode);
        responses.Add(created);
        responses.Add(await client.GetAsync(LeadsTo(created), Ct));

        var cookies = new Dictionary<string, string>();
        foreach (var header in responses.SelectMany(r => r.Headers.TryGetValues("Set-Cookie", out var values) ? values : []))
        {
            var attributes = header.ToLowerInvariant();
            // A deletion (empty and expired) carries nothing to protect.
            if (header[(header.IndexOf('=', StringComparison.Ordinal) + 1)..].StartsWith(';') || attributes.Contains("expires=thu, 01 jan 1970"))
            {
                continue;
            }

            cookies[header[..header.IndexOf('=', StringComparison.Ordinal)]] = attributes;
        }

        return cookies;
    }

    /// <summary>The antiforgery cookie's name ends with a hash of the application; the rest are fixed.</summary>
    private static string Family(string name) =>
        name.StartsWith(".AspNetCore.Antiforgery.", StringComparison.Ordinal) ? "..AspNetCore.Antiforgery" : name;
}
