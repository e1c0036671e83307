using System.Diagnostics;
using Portal.Tests.TestSupport;

namespace Portal.Tests.Integration.Reliability;

/// <summary>
/// The load generator (Portal.Benchmarks load|writers, what scripts/load-test.sh runs) works
/// against a real portal: it signs in through the sign-in form, runs its mix, and reports
/// every kind of request without errors. Not a measurement: two clients for two seconds.
/// </summary>
public sealed class LoadGeneratorSmokeTests : IAsyncDisposable
{
    private const string Password = "Load-owner-2026";

    // The demo data as a developer gets it, plus an owner with a submitted case firm (DemoData:Users:N:Persona), as the script sets up.
    private readonly PortalApp app = new(o =>
    {
        o.RealServer = true;
        o.Settings["DemoData:Enabled"] = "true";
        o.Settings["DemoData:Users:4:Email"] = "load-owner@demo.test";
        o.Settings["DemoData:Users:4:Role"] = "Owner";
        o.Settings["DemoData:Users:4:Password"] = Password;
        o.Settings["DemoData:Users:4:Persona"] = "lew-b";
    });

    private static string Dll => Path.Combine(RepoPaths.Root, "Portal.Benchmarks", "bin", RepoPaths.Configuration, "net10.0", "Portal.Benchmarks.dll");

    public ValueTask DisposeAsync() => app.DisposeAsync();

    [Theory]
    [InlineData("load", "owner: ", "advisor: ")]
    [InlineData("writers", "owner: save answers (API)", null)]
    public async Task TwoClientsForTwoSeconds_ReportTheirRequests_WithNoErrors(string verb, string ownerRow, string? advisorRow)
    {
        var accounts = Path.Combine(app.DataDirectory, "accounts.txt");
        await File.WriteAllLinesAsync(accounts, ["# role email password", $"owner load-owner@demo.test {Password}", "advisor advisor@demo.test Demo-advisor-2026"], TestContext.Current.CancellationToken);

        var (exitCode, output) = await RunAsync(verb, "--url", app.BaseAddress.ToString(), "--accounts", accounts, "--clients", "2", "--seconds", "2", "--warmup", "0");

        Assert.True(exitCode == 0, output);
        Assert.Contains("; errors: 0", output, StringComparison.Ordinal);
        var rows = output.Split('\n');
        Assert.Contains(rows, r => r.StartsWith(ownerRow, StringComparison.Ordinal));
        Assert.Equal(advisorRow is not null, rows.Any(r => r.StartsWith("advisor: ", StringComparison.Ordinal)));
        var all = Assert.Single(rows, r => r.StartsWith("all ", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(int.Parse(all[1], System.Globalization.CultureInfo.InvariantCulture) > 0, output); // requests measured
        Assert.Equal("0", all[2]); // errors
    }

    [Fact]
    public async Task AnAddressOtherThanLoopback_IsRefused()
    {
        var accounts = Path.Combine(app.DataDirectory, "accounts.txt");
        await File.WriteAllLinesAsync(accounts, ["owner someone@example.org x"], TestContext.Current.CancellationToken);

        var (exitCode, output) = await RunAsync("load", "--url", "http://192.0.2.10:5266", "--accounts", accounts);

        Assert.Equal(2, exitCode);
        Assert.Contains("--url must be a loopback address", output, StringComparison.Ordinal);
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
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2)); // sign-ins and two seconds of load, on a busy machine
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"The load generator did not finish in time:\n{await output}{await error}");
        }

        return (process.ExitCode, await output + await error);
    }
}
