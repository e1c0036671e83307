using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.Extensions.Options;
using Npgsql;
using Portal.Web.Configuration;

namespace Portal.Web.Data;

/// <summary>
/// Creates the data folder and applies migrations before the portal takes requests.
/// Runs as a hosted service (not code in Program.cs) so the test host runs it too.
/// </summary>
internal sealed class DatabaseStartup(
    IDbContextFactory<PortalDbContext> dbFactory, IOptions<PortalOptions> portal, StartupLock startupLock, ILogger<DatabaseStartup> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(portal.Value.DataPath());

        // PostgreSQL: one node at a time from here until the job server starts (see StartupLock).
        await startupLock.AcquireAsync(cancellationToken);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        if (db.Database.IsSqlite()
            && new SqliteConnectionStringBuilder(db.Database.GetConnectionString()).DataSource is { Length: > 0 } file
            && file != ":memory:")
        {
            // A connection string may point at a folder of its own; SQLite creates the file, not the folder.
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(file))!);
        }

        if (db.Database.IsNpgsql())
        {
            await CreateHistoryTableAsync(db, cancellationToken);
        }

        var pending = (await db.Database.GetPendingMigrationsAsync(cancellationToken)).ToList();
        if (pending.Count > 0)
        {
            logger.LogInformation("Applying {Count} database migration(s): {Migrations}", pending.Count, string.Join(", ", pending));
            await db.Database.MigrateAsync(cancellationToken);
        }

        if (db.Database.IsSqlite())
        {
            // WAL lets readers (pages) and the writer (autosave, jobs) work at the same time.
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken);

            // Statistics for SQLite's query planner (ANALYZE on a sample, for tables that have
            // none or have grown many times since), as SQLite advises when a long-lived
            // application opens a database. Without them it guesses: over 100,000 assessments it
            // looked up a cohort's consents by organisation, one query of the cohort dashboard
            // taking 10 s instead of 30 ms (docs/benchmarks.md). An empty database gets none.
            await db.Database.ExecuteSqlRawAsync("PRAGMA optimize=0x10002;", cancellationToken);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// Npgsql learns whether the migrations history table exists by reading it, and EF logs the
    /// failed read as an Error on every first start of a new database (npgsql/efcore.pg#3407).
    /// Making the table first (its own IF NOT EXISTS script) keeps that start's log free of errors.
    /// </summary>
    private static async Task CreateHistoryTableAsync(PortalDbContext db, CancellationToken cancellationToken)
    {
        try
        {
            await db.Database.ExecuteSqlRawAsync(db.GetService<IHistoryRepository>().GetCreateIfNotExistsScript(), cancellationToken);
        }
        catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.UniqueViolation or PostgresErrorCodes.DuplicateTable)
        {
            // Another node starting at the same moment made it between the check and the create.
        }
    }
}
