using System.Text.Json;
using Portal.Tests.TestSupport;
using Portal.Web.Commands;

namespace Portal.Tests.Integration.Content;

/// <summary>validate-content and score, the content author's tools, and bad content stopping the portal.</summary>
public sealed class ContentCommandsTests
{
    private static async Task<(int? Exit, string Output, string Error)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = await PortalCommands.TryRunAsync(args, output, error, TimeProvider.System);
        return (exit, output.ToString(), error.ToString());
    }

    [Fact]
    public async Task ValidateContent_OnTheRealContent_SummarisesAndExits0()
    {
        var (exit, output, _) = await RunAsync("validate-content", RepoPaths.Content);

        Assert.Equal(0, exit);
        Assert.Contains($"Content {TestContent.Real.Version} in {RepoPaths.Content} is valid", output, StringComparison.Ordinal);
        Assert.Contains($"{TestContent.Real.Questionnaire.Questions.Count} questions", output, StringComparison.Ordinal);
        Assert.Contains($"{TestContent.Real.Rules.Count} rules", output, StringComparison.Ordinal);
        Assert.Contains($"{TestContent.Real.Advice.Count} advice items", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ValidateContent_OnBrokenContent_ListsEveryProblemAndExits1()
    {
        using var copy = TestContent.Copy()
            .Replace("model.yaml", "    min: 55", "    min: 30")
            .Replace("questionnaire/current-scenario.yaml", "source: { id: bose, section: \"Results: capacity building\" }", "source: { id: nobody }");

        var (exit, _, error) = await RunAsync("validate-content", copy.Directory);

        Assert.Equal(1, exit);
        Assert.Contains("2 problems", error, StringComparison.Ordinal);
        Assert.Contains($"model.yaml:{copy.LineOf("model.yaml", "min: 30")}: band 'ready' must start above band 'developing'", error, StringComparison.Ordinal);
        Assert.Contains("questionnaire/current-scenario.yaml:", error, StringComparison.Ordinal);
        Assert.Contains("source 'nobody' is not listed in sources.yaml", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Score_PrintsTheResultAsJson()
    {
        var folder = Directory.CreateTempSubdirectory("portal-score-").FullName;
        try
        {
            var file = Path.Combine(folder, "answers.json");
            await File.WriteAllTextAsync(file, Answers.For(TestContent.Real).Set("cs.activity", "production").ToJson().ToJsonString(), TestContext.Current.CancellationToken);

            var (exit, output, _) = await RunAsync("score", file, RepoPaths.Content);

            Assert.Equal(0, exit);
            var result = JsonDocument.Parse(output).RootElement;
            Assert.Equal("production-abroad", result.GetProperty("stage").GetProperty("id").GetString());
            Assert.Equal(TestContent.Real.Version, result.GetProperty("contentVersion").GetString());
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task Score_BadAnswers_ListsThemAndExits1()
    {
        var folder = Directory.CreateTempSubdirectory("portal-score-").FullName;
        try
        {
            var file = Path.Combine(folder, "bad.json");
            await File.WriteAllTextAsync(file, """{"answers": {"cs.activity": "often", "cs.team-collaboration": 7}}""", TestContext.Current.CancellationToken);

            var (exit, _, error) = await RunAsync("score", file, RepoPaths.Content);

            Assert.Equal(1, exit);
            Assert.Contains("answers.cs.activity: 'often' is not an option", error, StringComparison.Ordinal);
            Assert.Contains("answers.cs.team-collaboration: expects a whole number from 1 to 5", error, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task UnknownVerb_IsLeftToThePortal()
    {
        var (exit, _, _) = await RunAsync("--urls", "http://127.0.0.1:0");

        Assert.Null(exit);
    }

    [Fact]
    public async Task ValidateContent_ThroughThePortalExecutable_Exits1OnBrokenContent()
    {
        using var copy = TestContent.Copy().Replace("model.yaml", "    min: 55", "    min: 30");

        var outcome = await PortalProcess.RunAsync(["validate-content", copy.Directory]);

        Assert.Equal(1, outcome.ExitCode);
        Assert.Contains("band 'ready' must start above band 'developing'", outcome.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Portal_WithBrokenContent_StopsAndNamesFileAndLine()
    {
        using var copy = TestContent.Copy().Replace("model.yaml", "    min: 55", "    min: 30");
        var data = Directory.CreateTempSubdirectory("portal-content-start-").FullName;
        try
        {
            var outcome = await PortalProcess.RunAsync([], new Dictionary<string, string>
            {
                ["Portal__DataDirectory"] = data,
                ["Content__Directory"] = copy.Directory,
            });

            Assert.Equal(1, outcome.ExitCode);
            Assert.Contains("The portal cannot start: its content has problems.", outcome.Error, StringComparison.Ordinal);
            Assert.Contains($"model.yaml:{copy.LineOf("model.yaml", "min: 30")}: band 'ready' must start above", outcome.Error, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }
}
