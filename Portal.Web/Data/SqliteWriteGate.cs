using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Portal.Web.Data;

/// <summary>
/// Lets the portal's writers take SQLite's write lock one at a time and in turn, waiting
/// asynchronously. SQLite itself has no queue: a writer that finds the database locked
/// blocks its thread in the busy handler and polls, every 100 ms at worst, so under a stream
/// of writers a waiting one can lose every race until its busy timeout ends in "database is
/// locked", and every waiter holds a thread-pool thread meanwhile. Here a writer waits for
/// its turn before it begins (a transaction, or a write statement outside one), without a
/// thread, and releases the turn when it commits or rolls back. Readers never wait (WAL).
/// Within this process only: another process writing to the same file is still met by
/// SQLite's busy timeout, as is a writer that has waited its turn for longer than that.
/// </summary>
internal sealed class SqliteWriteGate : DbConnectionInterceptor, IDbTransactionInterceptor, IDbCommandInterceptor
{
    private static readonly TimeSpan MaxWait = TimeSpan.FromMilliseconds(SqliteWriting.BusyTimeoutMilliseconds);

    private readonly SemaphoreSlim turn = new(1, 1);

    // A connection is used by one operation at a time (as its DbContext), so its entry needs no lock.
    private readonly ConditionalWeakTable<DbConnection, Holding> holdings = new();

    // The connection of each transaction, to end its turn: a committed SqliteTransaction no longer knows its connection.
    private readonly ConditionalWeakTable<DbTransaction, DbConnection> connections = new();

    private sealed class Holding
    {
        public bool Held;

        public bool ForCommand;
    }

    // Transactions, whether begun by the portal's code or by SaveChanges around its batch.
    public async ValueTask<InterceptionResult<DbTransaction>> TransactionStartingAsync(
        DbConnection connection, TransactionStartingEventData eventData, InterceptionResult<DbTransaction> result, CancellationToken cancellationToken = default)
    {
        await EnterAsync(connection, forCommand: false, cancellationToken);
        return result;
    }

    public InterceptionResult<DbTransaction> TransactionStarting(DbConnection connection, TransactionStartingEventData eventData, InterceptionResult<DbTransaction> result)
    {
        Enter(connection, forCommand: false);
        return result;
    }

    public DbTransaction TransactionStarted(DbConnection connection, TransactionEndEventData eventData, DbTransaction result)
    {
        connections.AddOrUpdate(result, connection);
        return result;
    }

    public ValueTask<DbTransaction> TransactionStartedAsync(DbConnection connection, TransactionEndEventData eventData, DbTransaction result, CancellationToken cancellationToken = default)
    {
        connections.AddOrUpdate(result, connection);
        return ValueTask.FromResult(result);
    }

    public void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData) => Exit(transaction);

    public Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Exit(transaction);
        return Task.CompletedTask;
    }

    public void TransactionRolledBack(DbTransaction transaction, TransactionEndEventData eventData) => Exit(transaction);

    public Task TransactionRolledBackAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Exit(transaction);
        return Task.CompletedTask;
    }

    public void TransactionFailed(DbTransaction transaction, TransactionErrorEventData eventData) => ExitIfEnded(transaction, eventData);

    public Task TransactionFailedAsync(DbTransaction transaction, TransactionErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        ExitIfEnded(transaction, eventData);
        return Task.CompletedTask;
    }

    // Write statements outside a transaction (a single-row SaveChanges, ExecuteUpdate, ExecuteDelete).
    public async ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(
        DbCommand command, CommandEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        if (IsAutocommitWrite(command))
        {
            await EnterAsync(command.Connection!, forCommand: true, cancellationToken);
        }

        return result;
    }

    public InterceptionResult<int> NonQueryExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<int> result)
    {
        if (IsAutocommitWrite(command))
        {
            Enter(command.Connection!, forCommand: true);
        }

        return result;
    }

    public int NonQueryExecuted(DbCommand command, CommandExecutedEventData eventData, int result)
    {
        ExitCommand(command.Connection);
        return result;
    }

    public ValueTask<int> NonQueryExecutedAsync(DbCommand command, CommandExecutedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        ExitCommand(command.Connection);
        return ValueTask.FromResult(result);
    }

    // An INSERT with RETURNING (how SaveChanges reads generated values) runs as a reader; SQLite
    // commits it when the reader is done with.
    public async ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(
        DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
    {
        if (IsAutocommitWrite(command))
        {
            await EnterAsync(command.Connection!, forCommand: true, cancellationToken);
        }

        return result;
    }

    public InterceptionResult<DbDataReader> ReaderExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result)
    {
        if (IsAutocommitWrite(command))
        {
            Enter(command.Connection!, forCommand: true);
        }

        return result;
    }

    public InterceptionResult DataReaderDisposing(DbCommand command, DataReaderDisposingEventData eventData, InterceptionResult result)
    {
        ExitCommand(command.Connection);
        return result;
    }

    public void CommandFailed(DbCommand command, CommandErrorEventData eventData) => ExitCommand(command.Connection);

    public Task CommandFailedAsync(DbCommand command, CommandErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        ExitCommand(command.Connection);
        return Task.CompletedTask;
    }

    public void CommandCanceled(DbCommand command, CommandEndEventData eventData) => ExitCommand(command.Connection);

    public Task CommandCanceledAsync(DbCommand command, CommandEndEventData eventData, CancellationToken cancellationToken = default)
    {
        ExitCommand(command.Connection);
        return Task.CompletedTask;
    }

    // Whatever else happened (a transaction disposed without commit or rollback), the turn ends with the connection.
    public override InterceptionResult ConnectionClosing(DbConnection connection, ConnectionEventData eventData, InterceptionResult result)
    {
        Exit(connection);
        return result;
    }

    public override ValueTask<InterceptionResult> ConnectionClosingAsync(DbConnection connection, ConnectionEventData eventData, InterceptionResult result)
    {
        Exit(connection);
        return ValueTask.FromResult(result);
    }

    public override InterceptionResult ConnectionDisposing(DbConnection connection, ConnectionEventData eventData, InterceptionResult result)
    {
        Exit(connection);
        return result;
    }

    public override ValueTask<InterceptionResult> ConnectionDisposingAsync(DbConnection connection, ConnectionEventData eventData, InterceptionResult result)
    {
        Exit(connection);
        return ValueTask.FromResult(result);
    }

    private static bool IsAutocommitWrite(DbCommand command)
    {
        if (command.Transaction is not null || command.Connection is null)
        {
            return false; // inside a transaction, which has its turn already
        }

        var sql = command.CommandText.AsSpan().TrimStart();
        return sql.StartsWith("INSERT", StringComparison.OrdinalIgnoreCase)
            || sql.StartsWith("UPDATE", StringComparison.OrdinalIgnoreCase)
            || sql.StartsWith("DELETE", StringComparison.OrdinalIgnoreCase)
            || sql.StartsWith("REPLACE", StringComparison.OrdinalIgnoreCase);
    }

    private async Task EnterAsync(DbConnection connection, bool forCommand, CancellationToken cancellationToken)
    {
        var holding = holdings.GetOrCreateValue(connection);
        if (holding.Held)
        {
            return;
        }

        // A writer that waited this long goes ahead and meets SQLite's busy timeout: never worse than no queue at all.
        if (await turn.WaitAsync(MaxWait, cancellationToken))
        {
            holding.Held = true;
            holding.ForCommand = forCommand;
        }
    }

    private void Enter(DbConnection connection, bool forCommand)
    {
        var holding = holdings.GetOrCreateValue(connection);
        if (!holding.Held && turn.Wait(MaxWait))
        {
            holding.Held = true;
            holding.ForCommand = forCommand;
        }
    }

    private void ExitCommand(DbConnection? connection)
    {
        if (connection is not null && holdings.TryGetValue(connection, out var holding) && holding is { Held: true, ForCommand: true })
        {
            Exit(connection);
        }
    }

    private void ExitIfEnded(DbTransaction transaction, TransactionErrorEventData eventData)
    {
        // A failed savepoint leaves the transaction open; a failed commit or rollback ends it.
        if (eventData.Action is "Commit" or "Rollback")
        {
            Exit(transaction);
        }
    }

    private void Exit(DbTransaction transaction)
    {
        if (connections.TryGetValue(transaction, out var connection))
        {
            connections.Remove(transaction);
            Exit(connection);
        }
    }

    private void Exit(DbConnection connection)
    {
        if (holdings.TryGetValue(connection, out var holding) && holding.Held)
        {
            holding.Held = false;
            holding.ForCommand = false;
            turn.Release();
        }
    }
}
