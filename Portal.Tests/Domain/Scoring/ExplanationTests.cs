using System.Globalization;
using System.Text.RegularExpressions;
using Portal.Domain.Content;
using Portal.Domain.Scoring;
using Portal.Tests.TestSupport;

namespace Portal.Tests.Domain.Scoring;

/// <summary>
/// The sentences that explain a score test never contradict the test: a score just below a
/// threshold is not shown rounded up to it ("45 (the test is below 45)").
/// </summary>
public sealed partial class ExplanationTests
{
    private static PortalContent Content => TestContent.Real;

    [Theory]
    [InlineData(44.6, 45, "44.6")]
    [InlineData(44.96, 45, "44.96")]
    [InlineData(44.996, 45, "44.996")]
    [InlineData(45.0, 45, "45.0")]
    [InlineData(45.04, 45, "45.0")]
    [InlineData(64.99, 65, "64.99")]
    [InlineData(70.25, 65, "70.3")]
    [InlineData(0, 40, "0.0")]
    [InlineData(100, 75, "100.0")]
    public void ScoreNextToAThreshold_KeepsItsSideOfTheThreshold(double score, double threshold, string expected)
    {
        Assert.Equal(expected, Explanations.ScoreAgainst(score, threshold));
    }

    [Theory]
    [InlineData(45, "45")]
    [InlineData(37.5, "37.5")]
    public void Threshold_IsShownAsWritten(double threshold, string expected)
    {
        Assert.Equal(expected, Explanations.Threshold(threshold));
    }

    [Fact]
    public void ScoreEvidence_AgreesWithTheScoreItDescribes_AcrossGeneratedAnswers()
    {
        var targets = Content.Model.Factors.Select(f => (f.Name, Score: (Func<AssessmentResult, double?>)(r => r.Factor(f.Id).Score)))
            .Concat(Content.Model.Pillars.Select(p => (p.Name, Score: (Func<AssessmentResult, double?>)(r => r.Pillars[p.Index].Score))))
            .Append(("overall", r => r.OverallScore))
            .ToList();
        var checkedSentences = 0;
        var nearThreshold = 0;
        for (var seed = 1; seed <= 1000; seed++)
        {
            var result = RandomAnswers.Generate(Content, seed).Assess();
            foreach (var evidence in result.Trace.SelectMany(t => t.Evidence))
            {
                if (ScoreSentence().Match(evidence.Text) is not { Success: true } match)
                {
                    continue;
                }

                var (_, score) = targets.Single(t => string.Equals(t.Name, match.Groups["target"].Value, StringComparison.OrdinalIgnoreCase));
                var actual = score(result)!.Value;
                var shown = double.Parse(match.Groups["score"].Value, CultureInfo.InvariantCulture);
                var threshold = double.Parse(match.Groups["threshold"].Value, CultureInfo.InvariantCulture);
                Assert.True(shown < threshold == actual < threshold, $"seed {seed}: “{evidence.Text}” but the score is {actual:R}");
                Assert.True(Math.Abs(shown - actual) <= 0.05 + 1e-9, $"seed {seed}: “{evidence.Text}” is far from {actual:R}");
                checkedSentences++;
                if (Math.Round(actual, 1, MidpointRounding.AwayFromZero) < threshold != actual < threshold)
                {
                    nearThreshold++;
                }
            }
        }

        Assert.True(checkedSentences > 100, $"only {checkedSentences} score sentences seen");
        // Scores such as 44.96 against 45, which even one decimal would show on the wrong side,
        // must have been met, or the test proves nothing about them.
        Assert.True(nearThreshold > 0, "no score fell close enough to a threshold");
    }

    [GeneratedRegex(@"^Your (?:(?<target>overall) score|(?<target>.+) score) is (?<score>[0-9.]+) \(the test is (?:below|at least) (?<threshold>[0-9.]+)\)\.$")]
    private static partial Regex ScoreSentence();
}
