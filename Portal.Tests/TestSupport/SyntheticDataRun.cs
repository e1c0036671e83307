using Portal.Web.Commands;

namespace Portal.Tests.TestSupport;

/// <summary>What a run of the <c>seed-synthetic</c> command printed, and how it ended.</summary>
public sealed record SeedRun(int ExitCode, string Output, string Error)
{
    public override string ToString() => $"exit code {ExitCode}\n{Output}\n{Error}";
}

/// <summary>Runs <c>seed-synthetic</c> in the test process, against a data folder, as the command line would.</summary>
public static class SyntheticDataRun
{
    public static async Task<SeedRun> SeedAsync(string dataDirectory, TimeProvider? clock = null, string environment = "Development", params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exitCode = await PortalCommands.TryRunAsync(
            ["seed-synthetic", .. args, $"--Portal:DataDirectory={dataDirectory}", $"--environment={environment}", "--Logging:LogLevel:Default=Warning"],
            output, error, clock ?? TimeProvider.System);
        return new SeedRun(exitCode ?? -1, output.ToString(), error.ToString());
    }
}
