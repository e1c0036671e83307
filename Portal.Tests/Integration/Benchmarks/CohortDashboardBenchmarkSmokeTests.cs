using System.Diagnostics;
using Microsoft.Data.Sqlite;
using Portal.Tests.TestSupport;

namespace Portal.Tests.Integration.Benchmarks;

/// <summary>
/// The aggregation benchmark (Portal.Benchmarks cohort-dashboard) starts, seeds its database
/// through seed-synthetic, and times every query of both cohorts' dashboards. Not a
/// measurement: 30 firms, one round.
/// </summary>
[Trait("Database", "SqliteOnly")] // SQLite's file and tools only: test.sh runs it once, not again on PostgreSQL
public sealed class CohortDashboardBenchmarkSmokeTests : IDisposable
{
    private readonly DirectoryInfo folder = Directory.CreateTempSubdirectory("portal-cohort-benchmark-");

    private static string Dll => Path.Combine(RepoPaths.Root, "Portal.Benchmarks", "bin", RepoPaths.Configuration, "net10.0", "Portal.Benchmarks.dll");

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        folder.Delete(recursive: true);
    }

    [Fact]
    public async Task ATinyRun_SeedsOnce_AndTimesEveryDashboardQuery_OfBothCohorts()
    {
        var data = Path.Combine(folder.FullName, "db");

        var (exitCode, output) = await RunAsync("cohort-dashboard", "--firms", "30", "--assessments-per-firm", "2", "--rounds", "1", "--data", data);

        Assert.True(exitCode == 0, output);
        Assert.Contains("seeded in", output, StringComparison.Ordinal);
        var lines = output.Split('\n');
        Assert.Equal(2, lines.Count(l => l.StartsWith("Cohort dashboard, ", StringComparison.Ordinal)));
        Assert.Equal(2, lines.Count(l => l.Contains("the whole dashboard (GetAsync)", StringComparison.Ordinal)));
        // Query rows: the funnel's counts come first, whatever the cohort's size.
        Assert.True(lines.Count(l => l.StartsWith("| 1 | count: Enrolments", StringComparison.Ordinal)) == 2, output);
        Assert.Contains("Every query under 300 ms", output, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(data, "cohort-dashboard-queries.sql")));

        // A second run reuses the database it seeded.
        var (again, reused) = await RunAsync("cohort-dashboard", "--firms", "30", "--assessments-per-firm", "2", "--rounds", "1", "--data", data);
        Assert.True(again == 0, reused);
        Assert.Contains(", reused;", reused, StringComparison.Ordinal);
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(params string[] arguments)
    {
        Assert.True(File.Exists(Dll), $"Build Portal.Benchmarks first: {Dll} is missing.");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Dll);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var error = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3)); // seeding and two dashboards, on a busy machine
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"The benchmark did not finish in time:\n{await output}{await error}");
        }

        return (process.ExitCode, await output + await error);
    }
}
