using Hangfire;
using Hangfire.AspNetCore;
using Hangfire.InMemory;
using Hangfire.PostgreSql;
using Hangfire.PostgreSql.Factories;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Options;
using Npgsql;
using Portal.Web.Configuration;
using Portal.Web.Data;
using Portal.Web.Features.Accounts;

namespace Portal.Web.Jobs;

public static class JobsServiceCollectionExtensions
{
    public const string DashboardPath = "/admin/jobs";

    /// <summary>Hangfire's tables on PostgreSQL, apart from the portal's (which EF's migrations own).</summary>
    private const string HangfireSchema = "hangfire";

    public static WebApplicationBuilder AddPortalJobs(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddValidatedOptions<JobsOptions>(JobsOptions.SectionName);

        // The storage is this host's own singleton. Hangfire also keeps a process-wide
        // JobStorage.Current; the portal never uses it, so two hosts in one process (tests)
        // never run each other's jobs. The outbox table, not this storage, holds durable state.
        // SQLite (one node): in memory. PostgreSQL (one node or several): Hangfire's PostgreSQL
        // storage in the same database, so every node's workers share one queue and one
        // recurring schedule (its distributed locks make a recurring job fire once, not once a node).
        // Chosen when first resolved, like the database itself, so settings a host adds late choose it.
        services.AddSingleton<JobStorage>(sp =>
            sp.GetRequiredService<IOptions<DatabaseOptions>>().Value is { Provider: DatabaseProvider.Postgres } database
                ? PostgresStorage(database.ConnectionString!, sp.GetRequiredService<IOptions<JobsOptions>>().Value)
                : new InMemoryStorage(new InMemoryStorageOptions()));
        services.AddHostedService<OnceOnlyStartupDone>();
        // Likewise the activator: Hangfire's default is the process-wide JobActivator.Current,
        // which the last host to start overwrites; jobs must be built from this host's services.
        services.AddSingleton<JobActivator>(sp => new AspNetCoreJobActivator(sp.GetRequiredService<IServiceScopeFactory>()));
        services.AddHangfire((sp, config) => config
            .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
            .UseSimpleAssemblyNameTypeSerializer()
            .UseRecommendedSerializerSettings()
            .UseStorage(sp.GetRequiredService<JobStorage>())
            .UseLogProvider(new HostSafeLogProvider(new AspNetCoreLogProvider(sp.GetRequiredService<ILoggerFactory>()))));

        services.AddHangfireServer((sp, server) =>
        {
            var jobs = sp.GetRequiredService<IOptions<JobsOptions>>().Value;
            server.WorkerCount = jobs.WorkerCount;
            server.SchedulePollingInterval = TimeSpan.FromSeconds(jobs.SchedulePollingIntervalSeconds);
            server.ServerName = $"{Environment.MachineName}:{Environment.ProcessId}";
        });
        return builder;
    }

    private static PostgreSqlStorage PostgresStorage(string connectionString, JobsOptions jobs)
    {
        var options = new PostgreSqlStorageOptions
        {
            SchemaName = HangfireSchema, // apart from the portal's tables, which EF's migrations own
            // Not when the storage is made: that happens on every node as the host is built
            // (the dashboard's route and the job server ask for it), before the start-up lock.
            // OnceOnlyStartupDone installs it instead, one node at a time.
            PrepareSchemaIfNecessary = false,
            // A job enqueued on one node (DispatchNow after an account email) wakes the idle
            // workers of every node at once (LISTEN/NOTIFY) instead of at their next poll.
            EnableLongPolling = true,
            QueuePollInterval = TimeSpan.FromSeconds(jobs.SchedulePollingIntervalSeconds),
            // A long dispatcher run keeps its job while its node lives; a dead node's job is
            // fetched again after the timeout. (The outbox's claims, not this, stop double sends.)
            UseSlidingInvisibilityTimeout = true,
        };
        return new PostgreSqlStorage(new NpgsqlConnectionFactory(connectionString, options), options);
    }

    /// <summary>
    /// The last once-only start-up step, before the job server starts: Hangfire's schema is
    /// installed and the Data Protection key ring made (its first key, on an empty database)
    /// while this node still holds the start-up lock, then the lock goes to the next node.
    /// </summary>
    private sealed class OnceOnlyStartupDone(IServiceProvider services, IOptions<DatabaseOptions> database, StartupLock startupLock) : IHostedService
    {
        public async Task StartAsync(CancellationToken cancellationToken)
        {
            if (database.Value.Provider == DatabaseProvider.Postgres)
            {
                // Hangfire's install scripts take no lock of their own: two nodes running them
                // at once on a new (or upgraded) schema can collide.
                await using var connection = new NpgsqlConnection(database.Value.ConnectionString);
                await connection.OpenAsync(cancellationToken);
                PostgreSqlObjectsInstaller.Install(connection, HangfireSchema);
            }

            _ = services.GetRequiredService<IDataProtectionProvider>().CreateProtector("Portal.Startup").Protect([1]);
            await startupLock.ReleaseAsync();
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    /// <summary>The dashboard, for Admins only: anonymous people are sent to sign in, others get 403.</summary>
    public static IEndpointConventionBuilder MapPortalJobsDashboard(this IEndpointRouteBuilder endpoints) =>
        endpoints.MapHangfireDashboard(DashboardPath, new DashboardOptions
        {
            // Hangfire's own filter allows local requests only; the endpoint policy below replaces it.
            Authorization = [],
            AppPath = "/",
            DashboardTitle = "Portal jobs",
            DisplayStorageConnectionString = false,
        }).RequireAuthorization(PortalPolicies.Admin);
}
