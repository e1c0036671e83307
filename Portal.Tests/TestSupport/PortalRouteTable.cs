using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Components.Endpoints;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.StaticAssets;
using Microsoft.Extensions.DependencyInjection;

namespace Portal.Tests.TestSupport;

/// <summary>
/// One route of the portal as its own route table has it. <see cref="Methods"/> is empty when
/// the endpoint takes any method (health checks, the Hangfire dashboard, Blazor's circuit).
/// </summary>
public sealed record PortalRoute(string Template, IReadOnlyList<string> Methods, Endpoint Endpoint)
{
    public bool IsPage => Endpoint.Metadata.GetMetadata<ComponentTypeMetadata>() is not null;

    public bool Accepts(string method) => Methods.Count == 0 || Methods.Contains(method, StringComparer.OrdinalIgnoreCase);

    /// <summary>True for a route a browser form or a script can change something with.</summary>
    public bool AcceptsWrites => Methods.Count == 0 || Methods.Any(m => m is "POST" or "PUT" or "PATCH" or "DELETE");

    /// <summary>What the endpoint's metadata asks of the antiforgery middleware (null: nothing said).</summary>
    public bool? RequiresAntiforgery => Endpoint.Metadata.GetMetadata<IAntiforgeryMetadata>()?.RequiresValidation;

    public override string ToString() => $"{(Methods.Count == 0 ? "*" : string.Join(",", Methods))} {Template}";
}

/// <summary>Every route of a running portal, read from the host's own <see cref="EndpointDataSource"/>.</summary>
public static class PortalRouteTable
{
    public static IReadOnlyList<PortalRoute> Of(IServiceProvider services) =>
        services.GetRequiredService<EndpointDataSource>().Endpoints
            .OfType<RouteEndpoint>()
            .Where(e => !IsStaticAsset(e))
            .Select(e => new PortalRoute(
                Normalise(e.RoutePattern.RawText ?? ""),
                e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods.ToList() ?? [],
                e))
            .ToList();

    /// <summary>
    /// Static assets are left out: they are the build's files (CSS, JavaScript, the Blazor
    /// framework script), the same bytes for everyone, with no access rule to check, and there
    /// are hundreds of them (each with compressed and fingerprinted variants). They are known by
    /// <c>StaticAssetDescriptor</c>, the metadata MapStaticAssets puts on every endpoint it makes
    /// from the build's static-asset manifest. In Development MapStaticAssets also adds one
    /// fallback, <c>{**path:file}</c> (marked with routing's internal FallbackMetadata, so known by its type name), that serves files added to
    /// wwwroot after the build: it is the same static-file server, so it is left out too.
    /// </summary>
    public static bool IsStaticAsset(Endpoint endpoint) =>
        endpoint.Metadata.GetMetadata<StaticAssetDescriptor>() is not null
        || (endpoint is RouteEndpoint { RoutePattern.RawText: "{**path:file}" } && endpoint.Metadata.Any(m => m.GetType().Name == "FallbackMetadata"));

    /// <summary>Templates as the table writes them: with a leading slash (Blazor's own endpoints have none).</summary>
    private static string Normalise(string template) => template.StartsWith('/') ? template : "/" + template;
}
