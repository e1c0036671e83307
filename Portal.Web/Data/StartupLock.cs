using Microsoft.Extensions.Options;
using Npgsql;

namespace Portal.Web.Data;

/// <summary>
/// On PostgreSQL, the start-up work that must happen once per database rather than once per
/// node runs on one node at a time: migrations, the roles, Development's demo data, Hangfire's
/// schema and the first Data Protection key. Two nodes started together would otherwise race:
/// EF's own migration lock (Npgsql's LOCK TABLE on the history table) is taken only after the
/// history table is created, two `CREATE TABLE IF NOT EXISTS` at once can still collide, and
/// roles, demo users, Hangfire's install scripts and the key ring have no lock at all.
/// A session-level advisory lock on a connection of its own: the next node waits, then finds
/// the work done. A node that dies while holding it closes the connection, which releases it.
/// On SQLite (one node by design) this does nothing.
/// </summary>
internal sealed class StartupLock(IOptions<DatabaseOptions> database, ILogger<StartupLock> logger) : IAsyncDisposable
{
    /// <summary>Any constant the portal uses for nothing else ("Portal" 2; 1 is InWriteTransactionAsync's).</summary>
    internal const long Key = 0x506F7274616C0002;

    private NpgsqlConnection? held;

    /// <summary>Taken by <see cref="DatabaseStartup"/>, the first start-up step.</summary>
    public async Task AcquireAsync(CancellationToken ct)
    {
        if (database.Value.Provider != DatabaseProvider.Postgres || held is not null)
        {
            return;
        }

        // Not pooled: the lock belongs to this session, which must end when it is released.
        var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(database.Value.ConnectionString) { Pooling = false }.ToString());
        await connection.OpenAsync(ct);
        await using (var command = new NpgsqlCommand($"SELECT pg_try_advisory_lock({Key})", connection))
        {
            if (await command.ExecuteScalarAsync(ct) is not true)
            {
                logger.LogInformation("Another node is starting on this database; waiting for it to finish its start-up work");
                await using var wait = new NpgsqlCommand($"SELECT pg_advisory_lock({Key})", connection) { CommandTimeout = 0 };
                await wait.ExecuteNonQueryAsync(ct);
            }
        }

        held = connection;
    }

    /// <summary>Released once the once-only work is done (before the job server starts).</summary>
    public async Task ReleaseAsync()
    {
        if (held is null)
        {
            return;
        }

        var connection = held;
        held = null;
        await using (connection)
        {
            await using var command = new NpgsqlCommand($"SELECT pg_advisory_unlock({Key})", connection);
            await command.ExecuteNonQueryAsync();
        }
    }

    public ValueTask DisposeAsync() => held is null ? ValueTask.CompletedTask : new(ReleaseAsync());
}
