using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Portal.Web.Data;

/// <summary>Healthy when the database answers and its schema has every migration applied.</summary>
internal sealed class DatabaseHealthCheck(IDbContextFactory<PortalDbContext> dbFactory) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var provider = "unknown";
        try
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            provider = db.Database.IsSqlite() ? "SQLite" : db.Database.IsNpgsql() ? "PostgreSQL" : db.Database.ProviderName ?? provider;
            if (!await db.Database.CanConnectAsync(cancellationToken))
            {
                return HealthCheckResult.Unhealthy($"{provider}: cannot connect");
            }

            var pending = (await db.Database.GetPendingMigrationsAsync(cancellationToken)).Count();
            var applied = (await db.Database.GetAppliedMigrationsAsync(cancellationToken)).Count();
            return pending == 0
                ? HealthCheckResult.Healthy($"{provider}: reachable, schema up to date ({applied} migrations applied)")
                : HealthCheckResult.Unhealthy($"{provider}: reachable, {pending} migrations not applied");
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The exception text can hold a connection string: report its type only.
            return HealthCheckResult.Unhealthy($"{provider}: {e.GetType().Name}");
        }
    }
}
