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
    /// <summary>Any constant the portal uses for nothing else ("Portal" 2).</summary>
    internal const long Key = 0x506F7274616C0002;

    private NpgsqlConnection? held;

    /// <summary>How long one wait lasts before the node says again that it is waiting.</summary>
    private static readonly TimeSpan WaitReport = TimeSpan.FromMinutes(1);

    /// <summary>Taken by <see cref="DatabaseStartup"/>, the first start-up step.</summary>
    public async Task AcquireAsync(CancellationToken ct)
    {
        if (database.Value.Provider != DatabaseProvider.Postgres || held is not null)
        {
            return;
        }

        var connection = new NpgsqlConnection(LockConnectionString(database.Value.ConnectionString!));
        try
        {
            await connection.OpenAsync(ct);
            await using (var command = new NpgsqlCommand($"SELECT pg_try_advisory_lock({Key})", connection))
            {
                if (await command.ExecuteScalarAsync(ct) is not true)
                {
                    logger.LogInformation("Another node is starting on this database; waiting for it to finish its start-up work");
                    await WaitAsync(connection, ct);
                }
            }

            held = connection;
        }
        catch
        {
            // Closing the session releases the lock too if it was granted as the wait was cancelled.
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Waits in rounds of a minute (PostgreSQL's lock_timeout ends each), saying so each time,
    /// so a node held up by another that will not finish does not wait in silence.
    /// </summary>
    private async Task WaitAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        await using (var timeout = new NpgsqlCommand($"SET lock_timeout = {(int)WaitReport.TotalMilliseconds}", connection))
        {
            await timeout.ExecuteNonQueryAsync(ct);
        }

        for (var waited = TimeSpan.Zero; ; waited += WaitReport)
        {
            try
            {
                await using var wait = new NpgsqlCommand($"SELECT pg_advisory_lock({Key})", connection) { CommandTimeout = 0 };
                await wait.ExecuteNonQueryAsync(ct);
                break;
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.LockNotAvailable)
            {
                logger.LogWarning("Still waiting, after {Minutes} min, for another node's start-up work on this database (a node whose machine is lost holds it until PostgreSQL drops its connection, within a minute)",
                    (waited + WaitReport).TotalMinutes);
            }
        }

        await using var reset = new NpgsqlCommand("RESET lock_timeout", connection);
        await reset.ExecuteNonQueryAsync(ct);
    }

    /// <summary>
    /// Not pooled: the lock belongs to this session, which must end when it is released.
    /// TCP keepalives on the server's side of this session: if the machine holding the lock is
    /// lost (power, network) rather than its process, PostgreSQL would otherwise keep the session,
    /// and the lock, for the operating system's default of about two hours.
    /// </summary>
    internal static string LockConnectionString(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false, ApplicationName = "portal start-up" };
        builder.Options = $"{builder.Options} -c tcp_keepalives_idle=15 -c tcp_keepalives_interval=5 -c tcp_keepalives_count=3".Trim();
        return builder.ToString();
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
