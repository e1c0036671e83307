using System.Diagnostics;
using Portal.Tests.TestSupport;

namespace Portal.Tests.Integration.Benchmarks;

/// <summary>
/// scripts/bench-pages.sh --smoke on the tests' own build: 30 synthetic firms, one start,
/// signing in through the form, wrk for two seconds against each page and its floor. Not a
/// measurement: it shows the script starts, every request answers 2xx, and it prints each figure.
/// </summary>
[Trait("Database", "SqliteOnly")] // the script seeds SQLite through seed-synthetic: test.sh runs it once, not again on PostgreSQL
public sealed class BenchPagesScriptSmokeTests
{
    private static string Script => Path.Combine(RepoPaths.Root, "scripts", "bench-pages.sh");

    [Fact]
    public async Task SmokeRun_PrintsEveryFigure_WithNoErrors()
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = RepoPaths.Root };
        foreach (var argument in new[] { Script, "--smoke", "--no-build", "--configuration", RepoPaths.Configuration })
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var error = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(4)); // seeding, a start, six short wrk runs, on a busy machine; wrk's install the first time
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"bench-pages.sh --smoke did not finish in time:\n{await output}{await error}");
        }

        var text = await output + await error;
        Assert.True(process.ExitCode == 0, text);
        var lines = text.Split('\n');
        Assert.Contains(lines, l => l.StartsWith("seeded in ", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("start 1: /health ", StringComparison.Ordinal));
        foreach (var target in new[] { "queue", "results", "dashboard" })
        {
            foreach (var kind in new[] { "page", "floor" })
            {
                // target kind round requests non2xx socket-errors p50 p90 p95 p99 req/s
                var run = Assert.Single(lines, l => l.StartsWith($"{target,-10} {kind,-6} 1 ", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries);
                Assert.True(int.Parse(run[3], System.Globalization.CultureInfo.InvariantCulture) > 0, text);
                Assert.Equal("0", run[4]);
                Assert.Equal("0", run[5]);
            }

            Assert.Single(lines, l => l.StartsWith($"{target,-10} ", StringComparison.Ordinal) && l.Contains(" ms ", StringComparison.Ordinal) && l.Contains('x', StringComparison.Ordinal));
        }

        Assert.Contains(lines, l => l.StartsWith("after-wrk ", StringComparison.Ordinal) && l.Contains("GC heap", StringComparison.Ordinal) && !l.Contains("gave nothing", StringComparison.Ordinal));
    }
}
