using System.Data;
using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Storage;

namespace Portal.Web.Data;

/// <summary>
/// How the portal writes to SQLite, which lets one connection write at a time (WAL lets
/// readers go on meanwhile), and the same read-then-write guarantee on PostgreSQL, where many
/// write at once (locks per firm or account instead of one for the database).
/// </summary>
public static class SqliteWriting
{
    /// <summary>
    /// How long a statement waits for another connection's write to finish before SQLite
    /// gives up with "database is locked". The same as Microsoft.Data.Sqlite's command timeout.
    /// </summary>
    public const int BusyTimeoutMilliseconds = 30_000;

    /// <summary>
    /// Runs a read-then-write unit of work in a transaction that holds SQLite's write lock
    /// from its first statement (Microsoft.Data.Sqlite begins a Serializable transaction with
    /// <c>BEGIN IMMEDIATE</c>). What it reads cannot change before it writes: two requests of
    /// one owner at once (two tabs, a double click) cannot both insert the row the other is
    /// about to insert, and the second sees what the first did. A deferred transaction would
    /// not do: it reads from a snapshot, and if another connection commits before it writes,
    /// SQLite refuses the write (SQLITE_BUSY_SNAPSHOT) however long it waits. Inside a
    /// transaction already begun, the work joins it (and takes its key's lock on PostgreSQL).
    /// On PostgreSQL the same guarantee comes from <paramref name="lockKey"/>'s lock, see
    /// <see cref="BeginWriteTransactionAsync"/>.
    /// </summary>
    public static async Task<T> InWriteTransactionAsync<T>(this PortalDbContext db, string lockKey, Func<Task<T>> work, CancellationToken ct)
    {
        if (db.Database.CurrentTransaction is not null)
        {
            await db.LockForWritingAsync(lockKey, ct);
            return await work();
        }

        await using var transaction = await db.BeginWriteTransactionAsync(lockKey, ct);
        var result = await work();
        await transaction.CommitAsync(ct);
        return result;
    }

    /// <summary>
    /// A transaction for read-then-write work. On SQLite it holds the database's one write lock
    /// from the start (see <see cref="InWriteTransactionAsync"/>). On PostgreSQL it first takes a
    /// transaction-scoped advisory lock on <paramref name="lockKey"/> (what the work reads and
    /// writes: <see cref="WriteLocks"/>), held until it ends, across every node on the database:
    /// work on the same firm or account waits its turn, work on others goes on meanwhile.
    /// Under Read Committed each statement sees what was committed before it, so after the lock
    /// the work reads what the previous holder wrote. (A Serializable transaction there would not
    /// wait but fail one of the two with a serialization error.)
    /// </summary>
    public static async Task<IDbContextTransaction> BeginWriteTransactionAsync(this PortalDbContext db, string lockKey, CancellationToken ct)
    {
        var postgres = db.Database.IsNpgsql();
        var transaction = await db.Database.BeginTransactionAsync(postgres ? IsolationLevel.ReadCommitted : IsolationLevel.Serializable, ct);
        try
        {
            await db.LockForWritingAsync(lockKey, ct);
            return transaction;
        }
        catch
        {
            await transaction.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Inside a write transaction, waits for <paramref name="lockKey"/> as well (PostgreSQL; on
    /// SQLite the transaction holds the only write lock already). Keys are taken in one order,
    /// an account's before its firm's, so two units of work never wait for each other.
    /// </summary>
    public static async Task LockForWritingAsync(this PortalDbContext db, string lockKey, CancellationToken ct)
    {
        if (db.Database.IsNpgsql())
        {
            await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock(hashtextextended({lockKey}, 0))", ct);
        }
    }
}

/// <summary>The keys of <see cref="SqliteWriting.BeginWriteTransactionAsync"/>'s locks: what a unit of work reads and then writes.</summary>
public static class WriteLocks
{
    /// <summary>An account's own rows (its firm before there is one, its memberships).</summary>
    public static string Account(string userId) => $"account:{userId}";

    /// <summary>A firm's rows: its drafts, answers, submissions and enrolments.</summary>
    public static string Firm(Guid firmId) => $"firm:{firmId}";

    /// <summary>A cohort's stored results, as they are re-scored.</summary>
    public static string Cohort(Guid cohortId) => $"cohort:{cohortId}";
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
