using Portal.Tests.TestSupport;

namespace Portal.Tests.Content;

/// <summary>
/// Content mistakes found in review: each is reported as a problem naming the file, never a
/// crash of the loader, and never a silent misbehaviour at scoring time.
/// </summary>
public sealed class ContentRobustnessTests
{
    private const string Capacity = "questionnaire/capacity.yaml";

    [Theory]
    [InlineData("NaN")]
    [InlineData("Infinity")]
    [InlineData("1e400")]
    public void NonFiniteNumber_IsAProblem(string value)
    {
        using var copy = TestContent.Copy().Replace("model.yaml", "    threshold: 40", $"    threshold: {value}");

        var problems = copy.Load().Problems;

        Assert.Contains(problems, p => p.File == "model.yaml" && p.Message.Contains("'threshold' must be a number (NaN and infinity are not)", StringComparison.Ordinal));
    }

    [Fact]
    public void UnclosedBracket_IsAProblemNotACrash()
    {
        using var copy = TestContent.Copy().Write("rules/zz-bracket.yaml", "rules:\n  - id: x\n    explain: [unclosed\n    when: y\n");

        var problems = copy.Load().Problems;

        Assert.Contains(problems, p => p.File == "rules/zz-bracket.yaml" && p.Message.StartsWith("is not valid YAML", StringComparison.Ordinal));
    }

    [Fact]
    public void SelfReferencingAlias_IsAProblemNotAStackOverflow()
    {
        using var copy = TestContent.Copy().Write("rules/zz-alias.yaml", """
            rules:
              - id: zz-alias
                explain: Refers to itself.
                when: &w { not: *w }
                then: { triage: 1 }
            """);

        var problems = copy.Load().Problems;

        Assert.Contains(problems, p => p.File == "rules/zz-alias.yaml");
    }

    [Fact]
    public void EmptyAdviceFile_IsAProblem()
    {
        using var copy = TestContent.Copy().Write("advice/zz-empty.md", "");

        var problems = copy.Load().Problems;

        Assert.Contains(problems, p => p.File == "advice/zz-empty.md" && p.Message.Contains("front matter", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("[]", "must be a JSON object")]
    [InlineData("""{"id": "zz-p", "assessment-year": "2005"}""", "'assessment-year' must be a whole number")]
    [InlineData("""{"id": "zz-p", "source": {"id": 5}}""", "'source' must be")]
    public void MalformedPersona_IsAProblem(string json, string message)
    {
        using var copy = TestContent.Copy().Write("personas/zz-p.json", json);

        var problems = copy.Load().Problems;

        Assert.Contains(problems, p => p.File == "personas/zz-p.json" && p.Message.Contains(message, StringComparison.Ordinal));
    }

    [Fact]
    public void SingleChoiceWithMoreThan64Options_IsAProblem()
    {
        var options = string.Join("\n", Enumerable.Range(0, 60).Select(i => $"      - {{ id: extra-{i}, label: \"Extra {i}\" }}"));
        using var copy = TestContent.Copy().Replace("questionnaire/profile.yaml", "      - { id: other, label: \"Another sector\" }", "      - { id: other, label: \"Another sector\" }\n" + options);

        var problems = copy.Load().Problems;

        Assert.Contains(problems, p => p.Message.Contains("a choice question may have at most 64", StringComparison.Ordinal));
    }

    [Fact]
    public void MaxPointsNoAnswerCanReach_IsAProblem()
    {
        const string file = "questionnaire/networks.yaml";
        var text = File.ReadAllText(Path.Combine(RepoPaths.Content, file));
        var at = text.IndexOf("max-points:", text.IndexOf("- id: nw.joint-activities", StringComparison.Ordinal), StringComparison.Ordinal);
        var end = text.IndexOf('\n', at);
        using var copy = TestContent.Copy().Write(file, text[..at] + "max-points: 99" + text[end..]);

        var problems = copy.Load().Problems;

        Assert.Contains(problems, p => p.File == file && p.Message.Contains("max-points 99 is more than all the options together can earn", StringComparison.Ordinal));
    }

    [Fact]
    public void ThresholdBeyondTheRange_IsAProblem()
    {
        const string file = "questionnaire/timing.yaml";
        using var copy = TestContent.Copy().Replace(file, "    number: { min: 1800, max: 2100, integer: true, unit: \"year\" }",
            "    number: { min: 1800, max: 2100, integer: true, unit: \"year\" }\n    thresholds:\n      - { at-least: 1800, points: 0 }\n      - { at-least: 2500, points: 4 }");

        var problems = copy.Load().Problems;

        Assert.Contains(problems, p => p.File == file && p.Message.Contains("the threshold at 2500 can never be reached: the answer is at most 2100", StringComparison.Ordinal));
    }

    [Fact]
    public void OneMistakeInModelYaml_DoesNotBuryItselfUnderFalseProblems()
    {
        using var copy = TestContent.Copy().Replace("model.yaml", "default-stage: not-considering", "default-stage: not-considerng");

        var problems = copy.Load().Problems;

        Assert.True(problems.Count <= 3, string.Join("\n", problems));
        Assert.Contains(problems, p => p.File == "model.yaml" && p.Message.Contains("default-stage 'not-considerng'", StringComparison.Ordinal));
    }

    [Fact]
    public void TwoTestsInOneCondition_AreOneProblem()
    {
        using var copy = TestContent.Copy().Write("rules/zz-two.yaml", """
            rules:
              - id: zz-two
                explain: Two tests.
                when: { answer: cs.activity, is: agents, in: [none] }
                then: { triage: 1 }
            """);

        var problems = copy.Load().Problems.Where(p => p.File == "rules/zz-two.yaml").ToList();

        var problem = Assert.Single(problems);
        Assert.Contains("has more than one test", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ShowIfOnFirmAgeOrOptionCounts_IsReachable()
    {
        using var copy = TestContent.Copy()
            .Replace(Capacity, "  - id: cp.region-staff\n", "  - id: cp.region-staff\n    show-if: { profile: firm-age, at-least: 5 }\n")
            .Replace(Capacity, "  - id: cp.training\n", "  - id: cp.training\n    show-if: { all: [ { answer: nw.joint-activities, at-least: 2 }, { answer: nw.joint-activities, at-most: 3 } ] }\n");

        var result = copy.Load();

        Assert.True(result.Succeeded, string.Join("\n", result.Problems));
    }

    [Fact]
    public void CorruptedFiles_AlwaysNameTheFile()
    {
        // A small fuzz: cut every content file short at several points; the loader never throws
        // and every problem names a file of the content folder.
        var files = Directory.GetFiles(RepoPaths.Content, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(RepoPaths.Content, f).Replace('\\', '/'))
            .Where(f => f != "README.md")
            .ToList();
        var random = new Random(20261122);
        foreach (var file in files.OrderBy(_ => random.Next()).Take(25))
        {
            var text = File.ReadAllText(Path.Combine(RepoPaths.Content, file));
            using var copy = TestContent.Copy().Write(file, text[..random.Next(0, Math.Max(1, text.Length))] + (random.Next(2) == 0 ? "\n  - {[" : "\u0000\"'"));

            var result = copy.Load();

            Assert.All(result.Problems, p => Assert.False(string.IsNullOrWhiteSpace(p.File), $"{file}: a problem without a file: {p.Message}"));
        }
    }
}
