using Microsoft.Extensions.Configuration.Json;
using Microsoft.Extensions.FileProviders;

namespace Portal.Web.Configuration;

public static class PortalSettingsFile
{
    /// <summary>
    /// Makes the repository-root <c>appsettings.json</c> (copied beside the binaries by the
    /// project file) the configuration file, in place of the template's per-project one.
    /// Environment variables and the command line still override it, in that order.
    /// </summary>
    /// <remarks>
    /// <c>dotnet run --project Portal.Web</c> uses Portal.Web/ as the content root, where no
    /// settings file lives; loading from the output folder works the same for <c>dotnet run</c>,
    /// the published app and the test host.
    /// </remarks>
    public static IConfigurationManager UsePortalSettingsFile(this IConfigurationManager configuration, IHostEnvironment environment)
    {
        var provider = new PhysicalFileProvider(AppContext.BaseDirectory);
        var sources = configuration.Sources;
        var defaults = sources.OfType<JsonConfigurationSource>()
            .Where(s => s.Path is not null && s.Path.StartsWith("appsettings.", StringComparison.OrdinalIgnoreCase))
            .ToList();
        var insertAt = defaults.Count > 0 ? sources.IndexOf(defaults[0]) : 0;
        foreach (var source in defaults)
        {
            sources.Remove(source);
        }

        sources.Insert(insertAt, Json(provider, "appsettings.json", optional: false));
        sources.Insert(insertAt + 1, Json(provider, $"appsettings.{environment.EnvironmentName}.json", optional: true));
        configuration["Portal:ContentRoot"] ??= environment.ContentRootPath;
        return configuration;
    }

    private static JsonConfigurationSource Json(IFileProvider provider, string path, bool optional)
    {
        var source = new JsonConfigurationSource { FileProvider = provider, Path = path, Optional = optional, ReloadOnChange = false };
        source.ResolveFileProvider();
        return source;
    }
}
