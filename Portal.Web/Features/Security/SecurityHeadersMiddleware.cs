using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Components;

namespace Portal.Web.Features.Security;

/// <summary>
/// The browser-side defences sent with every response (pages, the API, errors, static files):
/// a Content-Security-Policy, no MIME sniffing, no referrer to other sites, no framing.
/// </summary>
/// <remarks>
/// The headers are written as the response starts, not as the request comes in: the exception
/// handler clears a failed response's headers before it renders the error page, and Blazor and
/// antiforgery write their own frame headers while rendering. Whatever ran before, the response
/// leaves with these.
/// </remarks>
public sealed class SecurityHeadersMiddleware(RequestDelegate next)
{
    /// <summary>
    /// Pages keep to their own origin. Scripts: the portal's files, plus the one inline script
    /// Blazor writes, the import map (module name to fingerprinted file), allowed by its hash.
    /// Styles: style sheets from the portal only (style-src-elem), but style attributes are
    /// allowed (style-src-attr): charts carry the geometry computed from a firm's scores
    /// (bar widths, tick positions) in style attributes, which no fixed hash can cover. A style
    /// attribute cannot load anything (img-src and font-src are the portal's own), so what it
    /// leaves open is looks, not data. 'unsafe-inline' in style-src is only for browsers without
    /// CSP level 3, which ignore the two -elem/-attr directives; browsers that know them ignore it.
    /// connect-src 'self' covers Blazor's WebSocket to the same host (ws: and wss: included).
    /// img-src data: is Bootstrap's form icons (inline SVG in its CSS).
    /// </summary>
    private const string PagePolicyFormat =
        "default-src 'self'; script-src 'self'{0}; style-src 'self' 'unsafe-inline'; style-src-elem 'self'; style-src-attr 'unsafe-inline'; " +
        "img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

    /// <summary>
    /// The Hangfire dashboard (Admins only): its Chart.js writes one fixed style element (the
    /// size monitor that makes the charts follow the window), allowed by its hash; the rest as
    /// for pages. A Hangfire upgrade that changes it shows in the browser test of the policy.
    /// </summary>
    private const string JobsDashboardPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; style-src-elem 'self' 'sha256-z7zcnw/4WalZqx+PrNaRnoeLz/G9WXuFqV1WCJ129sg='; style-src-attr 'unsafe-inline'; " +
        "img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

    private static readonly ConditionalWeakTable<ImportMapDefinition, string> ImportMapHashes = new();

    public Task InvokeAsync(HttpContext context)
    {
        // Decided now: the dashboard's middleware moves its prefix into PathBase as it runs.
        var jobsDashboard = context.Request.Path.StartsWithSegments(Jobs.JobsServiceCollectionExtensions.DashboardPath, StringComparison.OrdinalIgnoreCase);
        context.Response.OnStarting(() =>
        {
            Apply(context, jobsDashboard);
            return Task.CompletedTask;
        });
        return next(context);
    }

    private static void Apply(HttpContext context, bool jobsDashboard)
    {
        var headers = context.Response.Headers;

        // Replaces Blazor's own "frame-ancestors 'self'" (one policy, not two to intersect).
        headers.ContentSecurityPolicy = jobsDashboard ? JobsDashboardPolicy : PagePolicy(context);
        headers.XContentTypeOptions = "nosniff";

        // Tokens travel in some URLs (unsubscribe, invitations, email confirmation, password
        // reset, print links): the full address goes to the portal's own pages only, and
        // nothing at all, not even the origin, to another site (the sources an advice item links to).
        headers["Referrer-Policy"] = "same-origin";

        // frame-ancestors 'none' for browsers that predate it.
        headers.XFrameOptions = "DENY";
    }

    private static string PagePolicy(HttpContext context)
    {
        // Only a page carries the import map (a Razor component endpoint, answering with HTML).
        var importMap = context.Response.ContentType?.StartsWith("text/html", StringComparison.OrdinalIgnoreCase) == true
            ? context.GetEndpoint()?.Metadata.GetMetadata<ImportMapDefinition>()
            : null;
        var hash = importMap is null ? "" : ImportMapHashes.GetValue(importMap, Hash);
        return string.Format(System.Globalization.CultureInfo.InvariantCulture, PagePolicyFormat, hash);
    }

    /// <summary>The CSP source of the import map script as the ImportMap component writes it: its JSON, hashed.</summary>
    private static string Hash(ImportMapDefinition importMap) =>
        $" 'sha256-{Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(importMap.ToString())))}'";
}

public static class SecurityHeadersExtensions
{
    public static IApplicationBuilder UsePortalSecurityHeaders(this IApplicationBuilder app) =>
        app.UseMiddleware<SecurityHeadersMiddleware>();
}
