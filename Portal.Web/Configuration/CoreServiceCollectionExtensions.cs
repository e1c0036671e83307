using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Portal.Web.Data;

namespace Portal.Web.Configuration;

public static class CoreServiceCollectionExtensions
{
    /// <summary>Settings file, portal-wide options, the clock and data-protection keys.</summary>
    public static WebApplicationBuilder AddPortalCore(this WebApplicationBuilder builder)
    {
        builder.Configuration.UsePortalSettingsFile(builder.Environment);
        var services = builder.Services;
        services.AddValidatedOptions<PortalOptions>(PortalOptions.SectionName);
        services.AddSingleton<IValidateOptions<PortalOptions>>(new PublicAddressRequired(builder.Environment));
        services.AddSingleton<PublicLinks>();
        services.AddSingleton<Components.Shared.FlashMessage>();

        // Everything that depends on time takes TimeProvider, so tests move the clock instead of waiting.
        services.TryAddSingleton(TimeProvider.System);

        // Keys survive a restart, so sign-in cookies and emailed tokens stay valid. SQLite (one
        // node): files in the data folder, as always. PostgreSQL: a table in the database, so a
        // cookie or an unsubscribe link made by one node is read by every other; the same
        // application name on every node makes them use the keys alike. Chosen when the options
        // are first read, like the database, so settings a host adds late choose it.
        services.AddDataProtection().SetApplicationName("Portal");
        services.AddOptions<KeyManagementOptions>()
            .Configure<IOptions<PortalOptions>, IOptions<DatabaseOptions>, IServiceProvider, ILoggerFactory>((keys, portal, database, provider, logs) =>
                keys.XmlRepository = database.Value.Provider == DatabaseProvider.Postgres
                    ? new EntityFrameworkCoreXmlRepository<PostgresPortalDbContext>(provider, logs)
                    : new FileSystemXmlRepository(new DirectoryInfo(portal.Value.DataPath("keys")), logs));
        return builder;
    }

    /// <summary>
    /// Outside Development the links in emails must not come from a request's Host header,
    /// which anyone can set (a password-reset link pointing at another site): the address is
    /// configured instead.
    /// </summary>
    private sealed class PublicAddressRequired(IHostEnvironment environment) : IValidateOptions<PortalOptions>
    {
        public ValidateOptionsResult Validate(string? name, PortalOptions options) =>
            environment.IsDevelopment() || !string.IsNullOrWhiteSpace(options.PublicBaseUrl)
                ? ValidateOptionsResult.Success
                : ValidateOptionsResult.Fail($"{PortalOptions.SectionName}:{nameof(PortalOptions.PublicBaseUrl)} must be set outside Development: it is the address in every link the portal emails, such as https://portal.example.org");
    }
}
