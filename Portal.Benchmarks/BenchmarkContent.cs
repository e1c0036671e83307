using Portal.Domain.Content;
using Portal.Domain.Scoring;

namespace Portal.Benchmarks;

/// <summary>The repository's content/ and answer sets generated from it.</summary>
public static class BenchmarkContent
{
    public static PortalContent Load()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var content = Path.Combine(dir.FullName, "content");
            if (File.Exists(Path.Combine(content, "model.yaml")))
            {
                return ContentCatalog.Load(content).Current;
            }
        }

        throw new InvalidOperationException("content/ not found above " + AppContext.BaseDirectory);
    }

    /// <summary>
    /// A full assessment: every question answered (a realistic mix of values), routed so that
    /// every section applies (the firm exports), so all show-ifs and all rules are evaluated.
    /// </summary>
    public static AnswerSet FullAssessment(PortalContent content, int seed = 42)
    {
        var json = SyntheticAnswers.Generate(content, new Random(seed), answerRate: 1, dontKnowRate: 0.05);
        json["answers"]!["cs.activity"] = "agents";
        json["answers"]!["cs.intent"] = "part-of-strategy";
        return Parse(content, json.ToJsonString());
    }

    public static AnswerSet Parse(PortalContent content, string json) =>
        AnswerSet.Parse(content.Questionnaire, json, 2026).Answers ?? throw new InvalidOperationException("Generated answers did not parse.");

    /// <summary>Stored assessments as the database keeps them: answers JSON.</summary>
    public static string[] StoredAssessments(PortalContent content, int count, int seed = 7)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ => SyntheticAnswers.Generate(content, random).ToJsonString()).ToArray();
    }

}
