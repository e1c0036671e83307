using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;

namespace Portal.Web.Data;

/// <summary>The portal's data in SQLite; its migrations are in Data/Migrations (ids as before the PostgreSQL ones existed).</summary>
public sealed class SqlitePortalDbContext(DbContextOptions<SqlitePortalDbContext> options) : PortalDbContext(options);

/// <summary>
/// The portal's data in PostgreSQL; its migrations are in Data/Migrations/Postgres. It also
/// holds the Data Protection keys, so every node signs and reads cookies and emailed tokens
/// with the same keys (SQLite keeps them in the data folder's keys directory, as before).
/// </summary>
public sealed class PostgresPortalDbContext(DbContextOptions<PostgresPortalDbContext> options) : PortalDbContext(options), IDataProtectionKeyContext
{
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();
}

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
