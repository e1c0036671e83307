using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;

namespace Portal.Web.Configuration;

/// <summary>
/// Absolute links for emails sent by background jobs, which have no request to take the host
/// from: <c>Portal:PublicBaseUrl</c>, or else the address this server listens on.
/// </summary>
public sealed class PublicLinks(IOptions<PortalOptions> options, IServer server)
{
    public string BaseUrl
    {
        get
        {
            if (!string.IsNullOrWhiteSpace(options.Value.PublicBaseUrl))
            {
                return options.Value.PublicBaseUrl.TrimEnd('/');
            }

            var addresses = server.Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
            var address = addresses.FirstOrDefault(a => a.StartsWith("https:", StringComparison.Ordinal)) ?? addresses.FirstOrDefault() ?? "http://localhost";
            return address.Replace("://0.0.0.0", "://localhost", StringComparison.Ordinal)
                .Replace("://[::]", "://localhost", StringComparison.Ordinal)
                .Replace("://+", "://localhost", StringComparison.Ordinal)
                .TrimEnd('/');
        }
    }

    /// <summary>The absolute address of a path of the portal ("results/..." or "/results/...").</summary>
    public string To(string path) => $"{BaseUrl}/{path.TrimStart('/')}";
}
