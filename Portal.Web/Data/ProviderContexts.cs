using Microsoft.EntityFrameworkCore;

namespace Portal.Web.Data;

/// <summary>The portal's data in SQLite; its migrations are in Data/Migrations (ids as before the PostgreSQL ones existed).</summary>
public sealed class SqlitePortalDbContext(DbContextOptions<SqlitePortalDbContext> options) : PortalDbContext(options);

/// <summary>The portal's data in PostgreSQL; its migrations are in Data/Migrations/Postgres.</summary>
public sealed class PostgresPortalDbContext(DbContextOptions<PostgresPortalDbContext> options) : PortalDbContext(options);

/// <summary>
/// Hands out the configured engine's context as a <see cref="PortalDbContext"/>, so feature code
/// neither knows nor cares which engine it is.
/// </summary>
internal sealed class PortalDbContextFactory<TContext>(IDbContextFactory<TContext> inner) : IDbContextFactory<PortalDbContext>
    where TContext : PortalDbContext
{
    public PortalDbContext CreateDbContext() => inner.CreateDbContext();

    public async Task<PortalDbContext> CreateDbContextAsync(CancellationToken cancellationToken = default) =>
        await inner.CreateDbContextAsync(cancellationToken);
}
