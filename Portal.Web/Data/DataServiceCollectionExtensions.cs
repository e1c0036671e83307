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

        // Each engine's context has a factory of its own (a context per operation, for Blazor
        // components and jobs); only the configured one is ever resolved. The engine is read
        // when the first context is asked for, not here, so settings a host adds after this
        // point (tests, command-line verbs) choose it too.
        builder.Services.AddDbContextFactory<SqlitePortalDbContext>((services, options) =>
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
        builder.Services.AddDbContextFactory<PostgresPortalDbContext>((services, options) =>
        {
            // No connection string is only seen by `dotnet ef` (adding or checking PostgreSQL
            // migrations, which never connect) while the settings name SQLite; start-up
            // validation refuses Postgres without one.
            var connectionString = services.GetRequiredService<IOptions<DatabaseOptions>>().Value.ConnectionString;
            if (string.IsNullOrWhiteSpace(connectionString))
            {
                options.UseNpgsql();
            }
            else
            {
                options.UseNpgsql(connectionString);
            }
        });

        // What the rest of the portal asks for: the factory, and the scoped context Identity's stores use.
        builder.Services.AddSingleton<IDbContextFactory<PortalDbContext>>(services =>
            services.GetRequiredService<IOptions<DatabaseOptions>>().Value.Provider switch
            {
                DatabaseProvider.Postgres => new PortalDbContextFactory<PostgresPortalDbContext>(
                    services.GetRequiredService<IDbContextFactory<PostgresPortalDbContext>>()),
                _ => new PortalDbContextFactory<SqlitePortalDbContext>(services.GetRequiredService<IDbContextFactory<SqlitePortalDbContext>>()),
            });
        builder.Services.AddScoped<PortalDbContext>(services => services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContext());

        builder.Services.AddSingleton<StartupLock>();
        builder.Services.AddHostedService<DatabaseStartup>();

        // Data Protection reads its key ring when the host starts (its own hosted service, added
        // with AddDataProtection in AddPortalCore, so before this one). On PostgreSQL the keys are
        // in a table the migrations make: on a new database that read came first, failed and
        // logged an error. Moved after DatabaseStartup; hosted services start in order.
        // Found by name (the type is internal); a framework update that renames it must not
        // silently bring the error back.
        var keyRingWarmUp = builder.Services.SingleOrDefault(d => d.ServiceType == typeof(IHostedService) && d.ImplementationType?.Name == "DataProtectionHostedService")
            ?? throw new InvalidOperationException("Data Protection's start-up service (DataProtectionHostedService) was not found: call AddPortalCore before AddPortalData, or update this for the framework's new name");
        builder.Services.Remove(keyRingWarmUp);
        builder.Services.Add(keyRingWarmUp);
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
