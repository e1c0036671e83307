using System.Net;
using System.Security.Cryptography;
using System.Text;
using AngleSharp.Html.Parser;
using Portal.Tests.TestSupport;
using Portal.Web.Features.Accounts;

namespace Portal.Tests.Integration.Security;

/// <summary>
/// Every kind of response carries the browser-side defences: pages, redirects, the JSON API,
/// error pages (403, 404, 429, 500), static files and the Hangfire dashboard. One
/// Content-Security-Policy each (Blazor's own frame-ancestors header is replaced, not added to),
/// whose only inline script is the import map, allowed by the hash of what the page carries.
/// </summary>
public sealed class SecurityHeadersTests : IAsyncLifetime
{
    private const string Password = "Headers-test-2026";

    private const string Policy =
        "default-src 'self'; script-src 'self'{0}; style-src 'self' 'unsafe-inline'; style-src-elem 'self'; style-src-attr 'unsafe-inline'; " +
        "img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

    /// <summary>The Hangfire dashboard's: the same but for the one style element its Chart.js writes.</summary>
    private const string JobsDashboardPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; style-src-elem 'self' 'sha256-z7zcnw/4WalZqx+PrNaRnoeLz/G9WXuFqV1WCJ129sg='; style-src-attr 'unsafe-inline'; " +
        "img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

    private readonly PortalApp app = new();
    private string ownerId = "";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        ownerId = (await app.CreateUserAsync("owner@example.org", Password, PortalRoles.Owner)).Id;
        await app.CreateUserAsync("admin@example.org", Password, PortalRoles.Admin);
    }

    public ValueTask DisposeAsync() => app.DisposeAsync();

    public static TheoryData<string, string, int> Responses => new()
    {
        { "anonymous", "/", 200 },
        { "anonymous", "/Account/Login", 200 },
        { "anonymous", "/Account/Register", 200 },
        { "anonymous", "/no-such-page", 404 },
        { "anonymous", "/error/429", 429 },
        { "anonymous", "/assessment", 302 },
        { "anonymous", "/api/v1/questionnaire", 200 },
        { "anonymous", "/app.css", 200 },
        { "anonymous", "/favicon.png", 200 },
        { "anonymous", "/portal.js", 200 },
        { "anonymous", "/_framework/blazor.web.js", 200 },
        { "anonymous", "/health", 200 },
        { "owner", "/assessment", 200 },
        { "owner", "/admin/users", 403 },
        { "admin", "/admin/users", 200 },
        { "admin", "/admin/jobs", 200 },
        { "admin", "/admin/jobs/recurring", 200 },
    };

    [Theory]
    [MemberData(nameof(Responses))]
    public async Task EveryResponse_CarriesThePolicyAndTheHeaders(string who, string url, int status)
    {
        var client = who == "anonymous" ? app.CreateBrowserlikeClient() : await app.SignedInClientAsync($"{who}@example.org", Password);

        var response = await client.GetAsync(url, Ct);

        Assert.Equal(status, (int)response.StatusCode);
        AssertHeaders(response, url.StartsWith("/admin/jobs", StringComparison.Ordinal) ? JobsDashboardPolicy : await ExpectedPolicyAsync(response));
    }

    [Fact]
    public async Task TheApi_ItsRefusals_AndA429_CarryTheHeaders()
    {
        var client = app.CreateClient();
        var bad = await client.PostAsync("/api/v1/score", new StringContent("not json", Encoding.UTF8, "application/json"), Ct);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        AssertHeaders(bad, string.Format(Policy, ""));

        await using var limited = new PortalApp(o => o.Settings["ScoringApi:PermitsPerMinute"] = "1");
        var limitedClient = limited.CreateClient();
        await limitedClient.PostAsync("/api/v1/score", new StringContent("{}", Encoding.UTF8, "application/json"), Ct);
        var refused = await limitedClient.PostAsync("/api/v1/score", new StringContent("{}", Encoding.UTF8, "application/json"), Ct);
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        AssertHeaders(refused, string.Format(Policy, ""));
    }

    [Fact]
    public async Task AFailure_InProduction_TheErrorPageCarriesTheHeaders()
    {
        // The exception handler clears the failed response's headers before it renders the error page.
        await using var production = new PortalApp(o =>
        {
            o.Environment = "Production";
            o.Settings["Pdf:ChromiumPath"] = "/bin/false";
        });
        var owner = await production.CreateUserAsync("owner@example.org", Password, PortalRoles.Owner);
        var results = await production.SubmitPersonaAsync(owner.Id, "lew-b", "Wenzhou Shoes Co");
        var client = await production.SignedInClientAsync("owner@example.org", Password);

        var response = await client.GetAsync($"/results/{results}/report.pdf", Ct);

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        AssertHeaders(response, await ExpectedPolicyAsync(response));
    }

    [Fact]
    public async Task Pages_HaveNoInlineScriptButTheImportMap_AndNoStyleElements()
    {
        var client = await app.SignedInClientAsync("owner@example.org", Password);
        var results = await app.SubmitPersonaAsync(ownerId, "lew-a", "Headers Ltd");
        var advice = TestContent.Real.AdviceList[0].Id;
        foreach (var url in new[] { "/", "/assessment", "/assessment/section/profile", "/settings/emails", $"/results/{results}", $"/advice/{advice}", "/firm/sharing" })
        {
            var page = new HtmlParser().ParseDocument(await client.GetStringAsync(url, Ct));
            var inline = page.QuerySelectorAll("script:not([src])").Select(s => s.GetAttribute("type") ?? "classic").ToList();
            Assert.Equal(["importmap"], inline);
            Assert.Empty(page.QuerySelectorAll("style"));
            Assert.Empty(page.QuerySelectorAll("[onclick], [onload], [onsubmit], [onchange], a[href^='javascript:']"));
        }
    }

    /// <summary>The policy with the hash of the import map the page itself carries (none for a response without one).</summary>
    private static async Task<string> ExpectedPolicyAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync(Ct);
        var importMap = response.Content.Headers.ContentType?.MediaType == "text/html"
            ? new HtmlParser().ParseDocument(body).QuerySelector("script[type=importmap]")?.TextContent
            : null;
        return string.Format(Policy, importMap is null ? "" : $" 'sha256-{Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(importMap)))}'");
    }

    private static void AssertHeaders(HttpResponseMessage response, string policy)
    {
        var csp = response.Headers.TryGetValues("Content-Security-Policy", out var values) ? values.ToList() : [];
        Assert.Equal([policy], csp);
        Assert.Equal(["nosniff"], response.Headers.GetValues("X-Content-Type-Options"));
        Assert.Equal(["same-origin"], response.Headers.GetValues("Referrer-Policy"));
        Assert.Equal(["DENY"], response.Headers.GetValues("X-Frame-Options"));
    }
}
