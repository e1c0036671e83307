using System.Diagnostics;
using System.Globalization;
using Portal.Web.Features.Programmes;

namespace Portal.Benchmarks.Cohorts;

/// <summary>
/// Issue 9's aggregation figure: each query of the cohort dashboard, as the portal runs it
/// (<see cref="CohortDashboardService.GetAsync"/>, the same call the page makes), over a
/// database of 10,000 synthetic firms with 10 assessments each. Goal: each query under 300 ms.
///
///   dotnet run -c Release --project Portal.Benchmarks -- cohort-dashboard [--firms 10000] [--assessments-per-firm 10] [--seed 1] [--rounds 10] [--data DIR]
///
/// The database is seeded once into artifacts/benchmarks/ (or DIR) and reused. Each round
/// loads the whole dashboard; the table gives each query's median and slowest time over
/// the rounds (after two rounds of warm-up), with the full SQL written beside the database.
/// </summary>
public static class CohortDashboardBenchmark
{
    public static readonly TimeSpan Goal = TimeSpan.FromMilliseconds(300);

    public static async Task<int> RunAsync(string[] args, TextWriter output)
    {
        var firms = IntArg(args, "--firms", 10_000);
        var assessmentsPerFirm = IntArg(args, "--assessments-per-firm", 10);
        var seed = IntArg(args, "--seed", 1);
        var rounds = IntArg(args, "--rounds", 10);
        var folder = Arg(args, "--data") is { } data ? Path.GetFullPath(data) : CohortDashboardSetup.DefaultFolder(firms, assessmentsPerFirm, seed);

        await using var setup = await CohortDashboardSetup.OpenAsync(folder, firms, assessmentsPerFirm, seed, output);
        var inv = CultureInfo.InvariantCulture;
        var seeded = setup.Seeding > TimeSpan.Zero ? string.Create(inv, $"seeded in {setup.Seeding.TotalSeconds:0.0} s") : "reused";
        output.WriteLine(string.Create(inv, $"Database {setup.Database}: {new FileInfo(setup.Database).Length / (1024.0 * 1024):N0} MB, {seeded}; migrations checked or applied in {setup.Migrating.TotalSeconds:0.0} s."));
        var scenarios = await setup.ScenariosAsync();
        var missed = 0;
        var sql = new List<string>();
        using var clock = new QueryClock();
        foreach (var scenario in scenarios)
        {
            for (var i = 0; i < 2; i++)
            {
                await setup.Dashboards.GetAsync(scenario.Scope);
            }

            clock.Take();
            var totals = new List<TimeSpan>();
            var byQuery = new List<IReadOnlyList<TimedQuery>>();
            for (var round = 0; round < rounds; round++)
            {
                var watch = Stopwatch.StartNew();
                await setup.Dashboards.GetAsync(scenario.Scope);
                totals.Add(watch.Elapsed);
                byQuery.Add(clock.Take());
            }

            output.WriteLine();
            output.WriteLine(string.Create(inv, $"Cohort dashboard, {scenario.Name}: {scenario.Firms:N0} firms enrolled and sharing, {scenario.Assessments:N0} of their assessments; {rounds} rounds"));
            output.WriteLine();
            output.WriteLine("| # | Query | Median ms | Slowest ms |");
            output.WriteLine("|---|---|---|---|");
            // Rounds run the same queries in the same order; a round that ran fewer (a suppressed breakdown) is left out of the per-query figures.
            var queries = byQuery.Max(r => r.Count);
            var complete = byQuery.Where(r => r.Count == queries).ToList();
            for (var q = 0; q < queries; q++)
            {
                var times = complete.Select(r => r[q].Duration).Order().ToList();
                var slowest = times[^1];
                missed += slowest > Goal ? 1 : 0;
                output.WriteLine(string.Create(inv, $"| {q + 1} | {complete[0][q].Label} | {Median(times).TotalMilliseconds:0.0} | {slowest.TotalMilliseconds:0.0}{(slowest > Goal ? " (over the goal)" : "")} |"));
                sql.Add($"-- {scenario.Name}, query {q + 1}\n{complete[0][q].Sql};\n");
            }

            output.WriteLine(string.Create(inv, $"| | the whole dashboard (GetAsync), {queries} queries | {Median(totals.Order().ToList()).TotalMilliseconds:0.0} | {totals.Max().TotalMilliseconds:0.0} |"));
        }

        var queriesFile = Path.Combine(folder, "cohort-dashboard-queries.sql");
        await File.WriteAllLinesAsync(queriesFile, sql);
        output.WriteLine();
        output.WriteLine(missed == 0
            ? $"Every query under {Goal.TotalMilliseconds:0} ms. The SQL: {queriesFile}"
            : $"{missed} quer{(missed == 1 ? "y" : "ies")} over {Goal.TotalMilliseconds:0} ms. The SQL: {queriesFile}");
        return 0;
    }

    private static TimeSpan Median(IReadOnlyList<TimeSpan> sorted) =>
        sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;

    private static string? Arg(string[] args, string name) => Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : null;

    private static int IntArg(string[] args, string name, int fallback) => Arg(args, name) is { } value ? int.Parse(value, CultureInfo.InvariantCulture) : fallback;
}
