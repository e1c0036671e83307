using Hangfire;
using Hangfire.AspNetCore;
using Hangfire.InMemory;
using Microsoft.Extensions.Options;
using Portal.Web.Configuration;
using Portal.Web.Features.Accounts;

namespace Portal.Web.Jobs;

public static class JobsServiceCollectionExtensions
{
    public const string DashboardPath = "/admin/jobs";

    public static WebApplicationBuilder AddPortalJobs(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddValidatedOptions<JobsOptions>(JobsOptions.SectionName);

        // The storage is this host's own singleton. Hangfire also keeps a process-wide
        // JobStorage.Current; the portal never uses it, so two hosts in one process (tests)
        // never run each other's jobs. The outbox table, not this storage, holds durable state.
        services.AddSingleton<JobStorage>(_ => new InMemoryStorage(new InMemoryStorageOptions()));
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
