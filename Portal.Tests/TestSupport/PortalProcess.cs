using System.Diagnostics;

namespace Portal.Tests.TestSupport;

/// <summary>Runs the built portal (Portal.Web.dll) as its own process, as an operator or a content author would.</summary>
public static class PortalProcess
{
    public static string Dll => Path.Combine(RepoPaths.Root, "Portal.Web", "bin", RepoPaths.Configuration, "net10.0", "Portal.Web.dll");

    public sealed record Outcome(int ExitCode, string Output, string Error)
    {
        public string All => Output + Error;
    }

    /// <summary>Runs to completion (or fails the test after the timeout, killing the process).</summary>
    public static async Task<Outcome> RunAsync(IEnumerable<string> arguments, IDictionary<string, string>? environment = null, TimeSpan? timeout = null)
    {
        Assert.True(File.Exists(Dll), $"Build Portal.Web first: {Dll} is missing.");
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = Path.GetDirectoryName(Dll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Dll);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["ASPNETCORE_URLS"] = "http://127.0.0.1:0";
        start.Environment["Portal__PublicBaseUrl"] = "http://127.0.0.1"; // required outside Development
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var error = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"dotnet Portal.Web.dll {string.Join(' ', arguments)} did not finish in time.");
        }

        return new Outcome(process.ExitCode, await output, await error);
    }
}
