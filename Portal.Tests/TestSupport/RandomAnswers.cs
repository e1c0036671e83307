using Portal.Domain.Content;
using Portal.Domain.Scoring;

namespace Portal.Tests.TestSupport;

/// <summary>Generates answer sets for property tests: seeded, so a failure names the seed that reproduces it.</summary>
public static class RandomAnswers
{
    public static Answers Generate(PortalContent content, int seed, double answerRate = 0.85, double dontKnowRate = 0.1) =>
        Answers.From(content, SyntheticAnswers.Generate(content, new Random(seed), answerRate, dontKnowRate));
}
