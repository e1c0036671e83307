using Portal.Domain.Content;
using Portal.Domain.Rules;
using Portal.Domain.Scoring;

namespace Portal.Benchmarks.Peer;

/// <summary>A ranked action plan item as both engines are compared on it.</summary>
public readonly record struct PlanEntry(string Advice, Priority Priority, bool InFocus)
{
    public override string ToString() => $"{Advice} ({Priority}{(InFocus ? "" : ", later")})";
}

/// <summary>A follow-up email as both engines are compared on it.</summary>
public readonly record struct FollowUpEntry(string Advice, int AfterDays, string Because)
{
    public override string ToString() => $"{Advice} (day {AfterDays}, {Because})";
}

/// <summary>
/// What both engines must agree on for an assessment: which rules fired, the factor, pillar and
/// overall scores (null: not assessed), the capped bands, flags, stage, triage priority, the
/// ranked action plan and the follow-ups.
/// </summary>
public sealed class ScoringOutcome
{
    public required bool[] Fired { get; init; }

    public required double?[] Factors { get; init; }

    public required double?[] Pillars { get; init; }

    public required double? Overall { get; init; }

    /// <summary>Per factor: the band after caps (null when not assessed).</summary>
    public required string?[] FactorBands { get; init; }

    public required string? OverallBand { get; init; }

    /// <summary>Flag ids in content order.</summary>
    public required string[] Flags { get; init; }

    public required string Stage { get; init; }

    public required int Triage { get; init; }

    public required PlanEntry[] Plan { get; init; }

    public required FollowUpEntry[] FollowUps { get; init; }

    /// <summary>The portal engine's result in the same shape.</summary>
    public static ScoringOutcome From(PortalContent content, AssessmentResult result) => new()
    {
        Fired = content.Rules.Select(result.Fired).ToArray(),
        Factors = result.Factors.Select(f => f.Score).ToArray(),
        Pillars = result.Pillars.Select(p => p.Score).ToArray(),
        Overall = result.OverallScore,
        FactorBands = result.Factors.Select(f => f.Band?.Id).ToArray(),
        OverallBand = result.OverallBand?.Id,
        Flags = result.Flags.Select(f => f.Id).ToArray(),
        Stage = result.Stage.Id,
        Triage = result.TriagePriority,
        Plan = result.ActionPlan.Select(p => new PlanEntry(p.Advice.Id, p.Priority, p.InFocus)).ToArray(),
        FollowUps = result.FollowUps.Select(f => new FollowUpEntry(f.Advice.Id, f.AfterDays, f.Because.Id)).ToArray(),
    };

    /// <summary>
    /// Every way <paramref name="other"/> differs from this outcome, in words; empty when they
    /// agree. Scores must be equal to the last bit: both engines add the same terms in the same order.
    /// </summary>
    public IReadOnlyList<string> Differences(ScoringOutcome other, PortalContent content)
    {
        var differences = new List<string>();
        for (var r = 0; r < Fired.Length; r++)
        {
            if (Fired[r] != other.Fired[r])
            {
                differences.Add($"rule {content.Rules[r].Id}: fired {Fired[r]} vs {other.Fired[r]}");
            }
        }

        Compare("factor", content.Model.Factors.Select(f => f.Id).ToArray(), Factors, other.Factors);
        Compare("pillar", content.Model.Pillars.Select(p => p.Id).ToArray(), Pillars, other.Pillars);
        Compare("score", [ScoreTargets.Overall], [Overall], [other.Overall]);
        Same("factor bands", FactorBands, other.FactorBands);
        Same("overall band", [OverallBand], [other.OverallBand]);
        Same("flags", Flags, other.Flags);
        Same("stage", [Stage], [other.Stage]);
        Same("triage", [Triage], [other.Triage]);
        Same("action plan", Plan, other.Plan);
        Same("follow-ups", FollowUps, other.FollowUps);
        return differences;

        void Compare(string what, string[] ids, double?[] mine, double?[] theirs)
        {
            for (var i = 0; i < ids.Length; i++)
            {
                if (!Nullable.Equals(mine[i], theirs[i]))
                {
                    differences.Add($"{what} {ids[i]}: {mine[i]:R} vs {theirs[i]:R}");
                }
            }
        }

        void Same<T>(string what, T[] mine, T[] theirs)
        {
            if (!mine.SequenceEqual(theirs))
            {
                differences.Add($"{what}: [{string.Join(", ", mine)}] vs [{string.Join(", ", theirs)}]");
            }
        }
    }
}
