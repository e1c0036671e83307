using System.Globalization;

namespace Portal.Benchmarks.Load;

/// <summary>
/// Every outcome: latencies of the requests started within the measured window, per kind;
/// errors whenever they happen (setup and warm-up included), with their status.
/// </summary>
public sealed class LoadRecorder
{
    private static readonly string[] Order = [LoadTest.ResultsPage, LoadTest.SaveAnswers, LoadTest.Queue, LoadTest.FilteredQueue, LoadTest.FirmFile];

    private readonly object gate = new();
    private readonly Dictionary<string, List<double>> latencies = [];
    private readonly Dictionary<string, Dictionary<string, int>> errors = [];
    private readonly List<string> examples = [];
    private DateTime from = DateTime.MaxValue;
    private DateTime until = DateTime.MaxValue;

    public int Errors { get; private set; }

    public int Measured { get; private set; }

    public void Measure(DateTime measureFrom, DateTime measureUntil)
    {
        lock (gate)
        {
            from = measureFrom;
            until = measureUntil;
        }
    }

    public void Record(Outcome outcome)
    {
        lock (gate)
        {
            if (!IsSuccess(outcome.Status))
            {
                AddError(outcome, null);
            }
            else if (outcome.StartedAt >= from && outcome.StartedAt < until)
            {
                if (!latencies.TryGetValue(outcome.Kind, out var list))
                {
                    latencies[outcome.Kind] = list = [];
                }

                list.Add(outcome.Milliseconds);
                Measured++;
            }
        }
    }

    /// <summary>A setup request (sign-in, opening the pages): true when it succeeded, else an error.</summary>
    public bool Setup(Outcome outcome) => IsSuccess(outcome.Status) || Failed(outcome, null);

    /// <summary>Records the outcome as an error, even with a successful status (a refused sign-in shows the form again); false.</summary>
    public bool Failed(Outcome outcome, string? why)
    {
        lock (gate)
        {
            AddError(outcome, why);
        }

        return false;
    }

    private static bool IsSuccess(int status) => status is >= 200 and < 400;

    private void AddError(Outcome outcome, string? why)
    {
        Errors++;
        if (!errors.TryGetValue(outcome.Kind, out var byStatus))
        {
            errors[outcome.Kind] = byStatus = [];
        }

        var status = outcome.Status == 0 ? "no answer" : outcome.Status.ToString(CultureInfo.InvariantCulture);
        byStatus[status] = byStatus.GetValueOrDefault(status) + 1;
        if (examples.Count < 20)
        {
            var body = outcome.Body is { } text ? " " + text.ReplaceLineEndings(" ")[..Math.Min(200, text.Length)] : "";
            examples.Add($"  {outcome.Kind} {outcome.Url}: {status}{(why is null ? "" : $" ({why})")}{body}");
        }
    }

    public async Task PrintAsync(TextWriter output, TimeSpan duration)
    {
        var kinds = Order.Where(latencies.ContainsKey).Concat(latencies.Keys.Except(Order).Order(StringComparer.Ordinal))
            .Concat(errors.Keys.Except(latencies.Keys).Order(StringComparer.Ordinal))
            .ToList();
        await output.WriteLineAsync();
        await output.WriteLineAsync($"{"Kind",-28} {"Requests",9} {"Errors",7} {"req/s",7} {"p50 ms",8} {"p90 ms",8} {"p95 ms",8} {"p99 ms",8} {"max ms",8}");
        foreach (var kind in kinds)
        {
            await output.WriteLineAsync(Row(kind, latencies.GetValueOrDefault(kind) ?? [], errors.GetValueOrDefault(kind)?.Values.Sum() ?? 0, duration));
        }

        await output.WriteLineAsync(Row("all", latencies.Values.SelectMany(l => l).ToList(), Errors, duration));
        await output.WriteLineAsync();
        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"Throughput: {Measured / duration.TotalSeconds:0.0} requests/s ({Measured} requests in {duration.TotalSeconds:0} s); errors: {Errors}"));
        if (Errors > 0)
        {
            foreach (var (kind, byStatus) in errors)
            {
                await output.WriteLineAsync($"Errors of {kind}: {string.Join(", ", byStatus.Select(s => $"{s.Value} x {s.Key}"))}");
            }

            await output.WriteLineAsync("First errors:");
            foreach (var example in examples)
            {
                await output.WriteLineAsync(example);
            }
        }
    }

    private static string Row(string kind, List<double> values, int errorCount, TimeSpan duration)
    {
        values.Sort();
        return string.Create(CultureInfo.InvariantCulture,
            $"{kind,-28} {values.Count,9} {errorCount,7} {values.Count / duration.TotalSeconds,7:0.0} {P(values, 0.50),8:0.0} {P(values, 0.90),8:0.0} {P(values, 0.95),8:0.0} {P(values, 0.99),8:0.0} {(values.Count == 0 ? 0 : values[^1]),8:0.0}");
    }

    /// <summary>The nearest-rank percentile of sorted values.</summary>
    private static double P(List<double> sorted, double q) =>
        sorted.Count == 0 ? 0 : sorted[Math.Clamp((int)Math.Ceiling(q * sorted.Count) - 1, 0, sorted.Count - 1)];
}
