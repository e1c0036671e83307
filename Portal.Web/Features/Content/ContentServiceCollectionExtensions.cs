using Microsoft.Extensions.Options;
using Portal.Domain.Content;
using Portal.Web.Configuration;

namespace Portal.Web.Features.Content;

public static class ContentServiceCollectionExtensions
{
    public static WebApplicationBuilder AddPortalContent(this WebApplicationBuilder builder)
    {
        builder.Services.AddValidatedOptions<ContentOptions>(ContentOptions.SectionName);
        builder.Services.AddSingleton(sp => ContentCatalog.Load(sp.GetRequiredService<IOptions<ContentOptions>>().Value.ResolvedDirectory));
        builder.Services.AddHostedService<ContentStartup>();
        return builder;
    }

    /// <summary>
    /// Loads and checks content/ before the portal takes requests. Problems stop the start with
    /// one line each, naming file and line (exit code 1).
    /// </summary>
    public static bool HasValidContent(this WebApplication app)
    {
        try
        {
            var catalog = app.Services.GetRequiredService<ContentCatalog>();
            app.Logger.LogInformation("Content {Version} loaded from {Directory}", catalog.Current.Version, catalog.Directory);
            return true;
        }
        catch (ContentValidationException e)
        {
            Console.Error.WriteLine("The portal cannot start: its content has problems.");
            foreach (var problem in e.Problems)
            {
                Console.Error.WriteLine($"  - {problem}");
            }

            Console.Error.WriteLine("Fix them (check with: dotnet run --project Portal.Web -- validate-content), then start it again.");
            return false;
        }
    }
}

/// <summary>Loads the content when the host starts (also under the test host, which skips Program's checks).</summary>
internal sealed class ContentStartup(ContentCatalog catalog) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        _ = catalog.Current;
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
