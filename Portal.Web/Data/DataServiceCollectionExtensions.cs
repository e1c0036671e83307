using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Portal.Web.Configuration;

namespace Portal.Web.Data;

public static class DataServiceCollectionExtensions
{
    public static WebApplicationBuilder AddPortalData(this WebApplicationBuilder builder)
    {
        builder.Services.AddValidatedOptions<DatabaseOptions>(DatabaseOptions.SectionName);

        // A factory for Blazor components and jobs (a context per operation); it also registers
        // the context as scoped, which Identity's stores and the health check use.
        builder.Services.AddDbContextFactory<PortalDbContext>((services, options) =>
        {
            var connectionString = services.GetRequiredService<IOptions<DatabaseOptions>>().Value.ConnectionString;
            var portal = services.GetRequiredService<IOptions<PortalOptions>>().Value;
            options.UseSqlite(string.IsNullOrWhiteSpace(connectionString) ? DefaultSqlite(portal) : connectionString)
                .AddInterceptors(BusyTimeout, services.GetRequiredService<SqliteWriteGate>());
        });
        builder.Services.AddSingleton<SqliteWriteGate>(); // one queue of writers per database the host uses

        builder.Services.AddHostedService<DatabaseStartup>();
        builder.Services.AddHealthChecks().AddCheck<DatabaseHealthCheck>("database");
        return builder;
    }

    private static readonly SqliteBusyTimeoutInterceptor BusyTimeout = new();

    private static string DefaultSqlite(PortalOptions portal) =>
        new SqliteConnectionStringBuilder { DataSource = portal.DataPath("portal.db"), Pooling = true }.ToString();
}
