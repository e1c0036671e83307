using System.Data;
using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Portal.Web.Data;

/// <summary>
/// How the portal writes to SQLite, which lets one connection write at a time (WAL lets
/// readers go on meanwhile).
/// </summary>
public static class SqliteWriting
{
    /// <summary>
    /// How long a statement waits for another connection's write to finish before SQLite
    /// gives up with "database is locked". The same as Microsoft.Data.Sqlite's command timeout.
    /// </summary>
    public const int BusyTimeoutMilliseconds = 30_000;

    /// <summary>The advisory lock key of <see cref="InWriteTransactionAsync"/> on PostgreSQL (any constant the portal uses for nothing else).</summary>
    private const long PostgresWriteLockKey = 0x506F7274616C0001; // "Portal" 1

    /// <summary>
    /// Runs a read-then-write unit of work in a transaction that holds SQLite's write lock
    /// from its first statement (Microsoft.Data.Sqlite begins a Serializable transaction with
    /// <c>BEGIN IMMEDIATE</c>). What it reads cannot change before it writes: two requests of
    /// one owner at once (two tabs, a double click) cannot both insert the row the other is
    /// about to insert, and the second sees what the first did. A deferred transaction would
    /// not do: it reads from a snapshot, and if another connection commits before it writes,
    /// SQLite refuses the write (SQLITE_BUSY_SNAPSHOT) however long it waits. Inside a
    /// transaction already begun, the work joins it.
    /// On PostgreSQL the same guarantee comes from a transaction-scoped advisory lock taken
    /// first (one lock for every such unit of work, as SQLite has one write lock), held by one
    /// transaction at a time across every node on the database: a Serializable transaction
    /// there would not wait but fail one of the two with a serialization error. Under Read
    /// Committed each statement sees what was committed before it, so after the lock the work
    /// reads what the previous holder wrote.
    /// </summary>
    public static async Task<T> InWriteTransactionAsync<T>(this PortalDbContext db, Func<Task<T>> work, CancellationToken ct)
    {
        if (db.Database.CurrentTransaction is not null)
        {
            return await work();
        }

        var postgres = db.Database.IsNpgsql();
        await using var transaction = await db.Database.BeginTransactionAsync(postgres ? IsolationLevel.ReadCommitted : IsolationLevel.Serializable, ct);
        if (postgres)
        {
            await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock({PostgresWriteLockKey})", ct);
        }

        var result = await work();
        await transaction.CommitAsync(ct);
        return result;
    }
}

/// <summary>
/// Sets SQLite's own busy timeout on every connection the portal opens. Without it,
/// Microsoft.Data.Sqlite retries a statement that finds the database locked every 150 ms,
/// blocking its thread meanwhile; SQLite's busy handler waits in steps of a few
/// milliseconds, so a writer gets the lock soon after the other one commits.
/// </summary>
internal sealed class SqliteBusyTimeoutInterceptor : DbConnectionInterceptor
{
    private static readonly string Pragma = $"PRAGMA busy_timeout = {SqliteWriting.BusyTimeoutMilliseconds};";

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData) => Apply(connection);

    public override Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Apply(connection); // Microsoft.Data.Sqlite runs commands synchronously whatever the API
        return Task.CompletedTask;
    }

    private static void Apply(DbConnection connection)
    {
        if (connection is SqliteConnection)
        {
            using var command = connection.CreateCommand();
            command.CommandText = Pragma;
            command.ExecuteNonQuery();
        }
    }
}
