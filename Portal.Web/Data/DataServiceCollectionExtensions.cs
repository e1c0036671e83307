using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
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
            options.UseSqlite(SqliteConnectionString(
                    services.GetRequiredService<IOptions<DatabaseOptions>>().Value, services.GetRequiredService<IOptions<PortalOptions>>().Value))
                .AddInterceptors(BusyTimeout, services.GetRequiredService<SqliteWriteGate>())
                // SQLite table rebuilds (SummaryColumnsFirst) switch foreign keys off outside a
                // transaction; EF warns on every such migration, but ours are written to run
                // again after an interrupted start, so it is information, not a warning.
                .ConfigureWarnings(w => w.Log((RelationalEventId.NonTransactionalMigrationOperationWarning, LogLevel.Information)));
        });
        builder.Services.AddSingleton<SqliteWriteGate>(); // one queue of writers per database the host uses

        builder.Services.AddHostedService<DatabaseStartup>();
        builder.Services.AddHealthChecks().AddCheck<DatabaseHealthCheck>("database");
        return builder;
    }

    /// <summary>The configured database: <c>Database:ConnectionString</c>, or <c>portal.db</c> in the data folder.</summary>
    public static string SqliteConnectionString(DatabaseOptions database, PortalOptions portal) =>
        string.IsNullOrWhiteSpace(database.ConnectionString)
            ? new SqliteConnectionStringBuilder { DataSource = portal.DataPath("portal.db"), Pooling = true }.ToString()
            : database.ConnectionString;

    private static readonly SqliteBusyTimeoutInterceptor BusyTimeout = new();
}
