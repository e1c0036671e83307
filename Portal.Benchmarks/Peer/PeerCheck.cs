using Portal.Domain.Content;
using Portal.Domain.Scoring;
using RulesEngine.Models;

namespace Portal.Benchmarks.Peer;

/// <summary>Scores assessments with both engines and lists where they disagree.</summary>
public static class PeerCheck
{
    public static IReadOnlyList<string> Differences(PortalContent content, PeerScorer peer, IReadOnlyList<AnswerSet> assessments, IReadOnlyList<RuleParameter> inputs)
    {
        var differences = new List<string>();
        for (var i = 0; i < assessments.Count; i++)
        {
            var ours = ScoringOutcome.From(content, Assessor.Assess(content, assessments[i]));
            var theirs = peer.Score(inputs[i]);
            differences.AddRange(ours.Differences(theirs, content).Select(d => $"assessment {i}: {d}"));
        }

        return differences;
    }

    public static void ThrowIfDifferent(PortalContent content, PeerScorer peer, IReadOnlyList<AnswerSet> assessments, IReadOnlyList<RuleParameter> inputs)
    {
        var differences = Differences(content, peer, assessments, inputs);
        if (differences.Count > 0)
        {
            throw new InvalidOperationException($"The RulesEngine peer and the portal disagree ({differences.Count} differences; portal first, peer second):\n"
                + string.Join("\n", differences.Take(20)));
        }
    }
}
