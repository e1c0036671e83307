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
    [InlineData("Portal__PublicBaseUrl", "", "Portal:PublicBaseUrl must be set outside Development")]
    [InlineData("FollowUps__MaxAttempts", "0", "FollowUps:MaxAttempts must be between 1 and 100")]
    [InlineData("Jobs__WorkerCount", "0", "Jobs:WorkerCount must be between 1 and 64")]
    [InlineData("Email__Smtp__Security", "Sometimes", "Email:Smtp:Security")]
    [InlineData("DemoData__Users__0__Role", "Boss", "DemoData:Users:0:Role must be one of Owner, Advisor, ProgrammeStaff, Admin")]
    public async Task InvalidSetting_StopsThePortalWithAMessageNamingIt(string variable, string value, string expected)
    {
        var data = Directory.CreateTempSubdirectory("portal-settings-").FullName;
        try
        {
            var outcome = await PortalProcess.RunAsync([], new Dictionary<string, string>
            {
                ["Portal__DataDirectory"] = data,
                ["Email__Smtp__Host"] = "127.0.0.1",
                [variable] = value,
            });

            Assert.Equal(1, outcome.ExitCode);
            Assert.Contains("The portal cannot start", outcome.All, StringComparison.Ordinal);
            Assert.Contains(expected, outcome.All, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    [Fact]
    public async Task UnknownDemoRole_InDevelopment_StopsThePortalBeforeAnyUserIsCreated()
    {
        // The other demo users come from appsettings.Development.json, as when a developer runs the portal.
        var data = Directory.CreateTempSubdirectory("portal-settings-").FullName;
        try
        {
            var outcome = await PortalProcess.RunAsync([], new Dictionary<string, string>
            {
                ["ASPNETCORE_ENVIRONMENT"] = "Development",
                ["Portal__DataDirectory"] = data,
                ["DemoData__Users__0__Role"] = "Boss",
            });

            Assert.Equal(1, outcome.ExitCode);
            Assert.Contains("- DemoData:Users:0:Role must be one of Owner, Advisor, ProgrammeStaff, Admin", outcome.All, StringComparison.Ordinal);
            Assert.DoesNotContain("Unhandled exception", outcome.All, StringComparison.Ordinal);
            Assert.DoesNotContain("Demo users created", outcome.All, StringComparison.Ordinal);
            Assert.False(File.Exists(Path.Combine(data, "portal.db")), "No database (so no demo user) should be created.");
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }
}
