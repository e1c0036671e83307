using System.Text.Json.Nodes;
using Portal.Domain.Content;
using Portal.Domain.Questionnaires;
using Portal.Domain.Scoring;

namespace Portal.Tests.TestSupport;

/// <summary>Generates answer sets for property tests: seeded, so a failure names the seed that reproduces it.</summary>
public static class RandomAnswers
{
    public static Answers Generate(PortalContent content, int seed, double answerRate = 0.85, double dontKnowRate = 0.1) =>
        Answers.From(content, SyntheticAnswers.Generate(content, new Random(seed), answerRate, dontKnowRate));

    /// <summary>The JSON values of every answer a question can take that earns a given number of points or more.</summary>
    public static IEnumerable<(JsonNode? Value, double Points)> ScoredValues(Question q) => q.Kind switch
    {
        QuestionKind.Single => q.Options.Select(o => ((JsonNode?)o.Id, o.Points)),
        QuestionKind.Scale => Enumerable.Range(1, 5).Select(v => ((JsonNode?)v, (double)v - 1)),
        _ => [],
    };
}
