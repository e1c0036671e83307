using System.Diagnostics;
using Portal.Tests.TestSupport;

namespace Portal.Tests.Integration.Foundation;

/// <summary>
/// Runs the built portal as a separate process, as an operator would, and checks that a
/// wrong setting stops it at once with a message naming the setting.
/// </summary>
public sealed class InvalidSettingsStopStartupTests
{
    [Theory]
    [InlineData("Email__Smtp__Port", "0", "Email:Smtp:Port must be a TCP port between 1 and 65535")]
    [InlineData("Portal__PublicBaseUrl", "portal.example.org", "Portal:PublicBaseUrl must be an absolute http or https address")]
    [InlineData("Jobs__WorkerCount", "0", "Jobs:WorkerCount must be between 1 and 64")]
    [InlineData("Email__Smtp__Security", "Sometimes", "Email:Smtp:Security")]
    public async Task InvalidSetting_StopsThePortalWithAMessageNamingIt(string variable, string value, string expected)
    {
        var dll = Path.Combine(RepoPaths.Root, "Portal.Web", "bin", RepoPaths.Configuration, "net10.0", "Portal.Web.dll");
        Assert.True(File.Exists(dll), $"Build Portal.Web first: {dll} is missing.");
        var data = Directory.CreateTempSubdirectory("portal-settings-").FullName;
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { dll },
            WorkingDirectory = Path.GetDirectoryName(dll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            Environment =
            {
                ["ASPNETCORE_ENVIRONMENT"] = "Production",
                ["ASPNETCORE_URLS"] = "http://127.0.0.1:0",
                ["Portal__DataDirectory"] = data,
                ["Email__Smtp__Host"] = "127.0.0.1",
                [variable] = value,
            },
        };

        try
        {
            await RunAndExpectFailureAsync(start, expected);
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    private static async Task RunAndExpectFailureAsync(ProcessStartInfo start, string expected)
    {
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stdout = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail("The portal kept running with an invalid setting.");
        }

        var output = await stderr + await stdout;
        Assert.Equal(1, process.ExitCode);
        Assert.Contains("The portal cannot start", output, StringComparison.Ordinal);
        Assert.Contains(expected, output, StringComparison.Ordinal);
    }
}
