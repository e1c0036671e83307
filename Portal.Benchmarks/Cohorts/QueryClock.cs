using System.Diagnostics;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Portal.Benchmarks.Cohorts;

/// <summary>One SQL command the portal ran, and how long from sending it to closing its reader (the rows read included).</summary>
public sealed record TimedQuery(string Sql, TimeSpan Duration)
{
    /// <summary>A short name for a table of figures: what it computes and over which tables, e.g. "count: Enrolments, FirmShares".</summary>
    public string Label
    {
        get
        {
            var tables = Regex.Matches(Sql, "(?:FROM|JOIN) \"(\\w+)\"").Select(m => m.Groups[1].Value).Distinct().ToList();
            var head = Sql.TrimStart();
            var kind = head.StartsWith("SELECT COUNT(*)", StringComparison.Ordinal) ? "count"
                : Regex.IsMatch(head, @"^SELECT\s[^;]*?\b(AVG|MIN|MAX)\(") ? "stats"
                : Regex.IsMatch(head, @"\bGROUP BY\b") ? "group"
                : head.Contains("ORDER BY", StringComparison.Ordinal) ? "sorted rows"
                : "rows";
            return $"{kind}: {string.Join(", ", tables)}";
        }
    }
}

/// <summary>
/// Listens to EF Core's diagnostic events in this process and times every command, so a
/// benchmark can call the portal's own services and still see each query they run.
/// </summary>
public sealed class QueryClock : IObserver<DiagnosticListener>, IObserver<KeyValuePair<string, object?>>, IDisposable
{
    private readonly IDisposable allListeners;
    private readonly List<IDisposable> subscriptions = [];
    private readonly Dictionary<Guid, (string Sql, long Started, long Ended)> commands = [];
    private readonly List<Guid> order = [];
    private readonly Lock gate = new();

    public QueryClock() => allListeners = DiagnosticListener.AllListeners.Subscribe(this);

    /// <summary>The commands run since the last call, in the order they were sent.</summary>
    public IReadOnlyList<TimedQuery> Take()
    {
        lock (gate)
        {
            var taken = order.Select(id => commands[id]).Select(c => new TimedQuery(c.Sql, Stopwatch.GetElapsedTime(c.Started, c.Ended))).ToList();
            order.Clear();
            commands.Clear();
            return taken;
        }
    }

    public void OnNext(DiagnosticListener value)
    {
        if (value.Name == DbLoggerCategory.Name)
        {
            lock (gate)
            {
                subscriptions.Add(value.Subscribe(this));
            }
        }
    }

    public void OnNext(KeyValuePair<string, object?> value)
    {
        var now = Stopwatch.GetTimestamp();
        lock (gate)
        {
            switch (value.Value)
            {
                case CommandEventData { } started when value.Key == RelationalEventId.CommandExecuting.Name:
                    commands[started.CommandId] = (started.Command.CommandText, now, now);
                    order.Add(started.CommandId);
                    break;
                // The reader closes after the last row is read: a query's time includes sending its rows.
                case CommandExecutedEventData { } executed when commands.TryGetValue(executed.CommandId, out var command):
                    commands[executed.CommandId] = command with { Ended = now };
                    break;
                case DataReaderDisposingEventData { } disposing when commands.TryGetValue(disposing.CommandId, out var command):
                    commands[disposing.CommandId] = command with { Ended = now };
                    break;
            }
        }
    }

    public void OnCompleted()
    {
    }

    public void OnError(Exception error)
    {
    }

    public void Dispose()
    {
        allListeners.Dispose();
        lock (gate)
        {
            foreach (var subscription in subscriptions)
            {
                subscription.Dispose();
            }
        }
    }
}
