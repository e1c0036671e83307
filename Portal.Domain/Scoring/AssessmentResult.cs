using Portal.Domain.Content;
using Portal.Domain.Plans;
using Portal.Domain.Questionnaires;
using Portal.Domain.Rules;

namespace Portal.Domain.Scoring;

/// <summary>A factor's score; <see cref="Score"/> is null when none of its questions was answered.</summary>
public sealed record FactorResult(Factor Factor, double? Score, Band? Band, Band? UncappedBand, bool IsGap, int Answered, int Asked);

public sealed record PillarResult(Pillar Pillar, double? Score, Band? Band);

public enum CapReason
{
    /// <summary>A critical factor fell far below its threshold (model.yaml knock-out).</summary>
    Knockout,

    /// <summary>A rule's cap effect.</summary>
    Rule,
}

/// <summary>A band was held down: the target (a factor id or "overall"), the band it was capped at, and why.</summary>
public sealed record AppliedCap(string Target, Band Band, CapReason Reason, Factor? Factor, Rule? Rule, string Explanation);

/// <summary>
/// Everything the engine concluded about one assessment. The scores, bands, stage, flags,
/// plans and triage priority are computed when the result is made; the explanations
/// (<see cref="Trace"/>, <see cref="Explain(Factor)"/>) are derived from it on request.
/// </summary>
public sealed class AssessmentResult
{
    private readonly Evaluation evaluation;
    private readonly bool[] fired;
    private IReadOnlyList<RuleTraceEntry>? trace;

    internal AssessmentResult(PortalContent content, AnswerSet answers, Evaluation evaluation, bool[] fired, int[] advicePriority,
        List<(int Target, int BandRank, int Rule)> ruleCaps, int triage)
    {
        Content = content;
        Answers = answers;
        this.evaluation = evaluation;
        this.fired = fired;
        var compiled = content.Compiled;
        TriagePriority = triage;
        Stage = compiled.Stages[evaluation.StageRank];

        // Plain indexed loops over the compiled arrays below, not LINQ or foreach over
        // IReadOnlyLists (a boxed enumerator each): a result is made for every assessment
        // scored, and the allocation budget per assessment is a few kilobytes.
        var flagList = compiled.FlagList;
        var flagCount = 0;
        for (var i = 0; i < flagList.Length; i++)
        {
            flagCount += evaluation.Flags[flagList[i].Index] ? 1 : 0;
        }

        var flags = new FlagDefinition[flagCount];
        for (int i = 0, next = 0; next < flagCount; i++)
        {
            if (evaluation.Flags[flagList[i].Index])
            {
                flags[next++] = flagList[i];
            }
        }

        Flags = flags;

        // Caps: knock-outs of critical factors, then rule caps; the lowest band wins.
        var factorList = compiled.Factors;
        var bands = compiled.Bands;
        List<AppliedCap>? caps = null;
        for (var f = 0; f < factorList.Length; f++)
        {
            var factor = factorList[f];
            var score = evaluation.FactorScores[f];
            if (factor.Knockout is { } k && !double.IsNaN(score) && score < k.Below)
            {
                var band = compiled.KnockoutBand[f]!;
                (caps ??= []).Add(new AppliedCap(ScoreTargets.Overall, band, CapReason.Knockout, factor, null,
                    $"{factor.Name} scores {Explanations.ScoreAgainst(score, k.Below)}, far below the threshold of {Explanations.Threshold(factor.Threshold)}. It is a critical success factor, so your overall band can be no higher than {band.Name} until it improves."));
            }
        }

        foreach (var (target, bandRank, ruleIndex) in ruleCaps)
        {
            var rule = compiled.Rules[ruleIndex];
            var factor = target >= 0 ? factorList[target] : null;
            (caps ??= []).Add(new AppliedCap(factor?.Id ?? ScoreTargets.Overall, bands[bandRank], CapReason.Rule, factor, rule, rule.Explain));
        }

        Caps = caps ?? (IReadOnlyList<AppliedCap>)[];

        var factors = new FactorResult[factorList.Length];
        for (var fi = 0; fi < factorList.Length; fi++)
        {
            var f = factorList[fi];
            var score = evaluation.FactorScores[fi];
            int asked = 0, answered = 0;
            foreach (var q in compiled.FactorQuestions[fi])
            {
                if (evaluation.Visible[q])
                {
                    asked++;
                    answered += evaluation.Answers[q].HasValue ? 1 : 0;
                }
            }

            if (double.IsNaN(score))
            {
                factors[fi] = new FactorResult(f, null, null, null, false, answered, asked);
                continue;
            }

            var uncapped = bands[compiled.BandRank(score)];
            factors[fi] = new FactorResult(f, score, Capped(uncapped, f.Id), uncapped, score < f.Threshold, answered, asked);
        }

        Factors = factors;

        var pillarList = compiled.Pillars;
        var pillars = new PillarResult[pillarList.Length];
        for (var p = 0; p < pillarList.Length; p++)
        {
            var score = evaluation.PillarScores[p];
            pillars[p] = double.IsNaN(score) ? new PillarResult(pillarList[p], null, null) : new PillarResult(pillarList[p], score, bands[compiled.BandRank(score)]);
        }

        Pillars = pillars;

        if (!double.IsNaN(evaluation.OverallScore))
        {
            OverallScore = evaluation.OverallScore;
            UncappedOverallBand = bands[compiled.BandRank(evaluation.OverallScore)];
            OverallBand = Capped(UncappedOverallBand, ScoreTargets.Overall);
        }

        ActionPlan = ActionPlanBuilder.Build(content, evaluation, fired, advicePriority);
        FollowUps = ActionPlanBuilder.FollowUps(content, evaluation, fired);

        Band Capped(Band band, string target)
        {
            for (var i = 0; caps is not null && i < caps.Count; i++)
            {
                var cap = caps[i];
                if (cap.Target == target && cap.Band.Rank < band.Rank)
                {
                    band = cap.Band;
                }
            }

            return band;
        }
    }

    public PortalContent Content { get; }

    public AnswerSet Answers { get; }

    internal Evaluation Evaluation => evaluation;

    public string ContentVersion => Content.Version;

    /// <summary>0-100; null when nothing scored was answered.</summary>
    public double? OverallScore { get; }

    /// <summary>The band after knock-outs and caps.</summary>
    public Band? OverallBand { get; }

    /// <summary>The band the score alone would give.</summary>
    public Band? UncappedOverallBand { get; }

    public IReadOnlyList<FactorResult> Factors { get; }

    public IReadOnlyList<PillarResult> Pillars { get; }

    public Stage Stage { get; }

    public StageGroup StageGroup => Content.Model.StageGroups.First(g => g.Id == Stage.GroupId);

    public IReadOnlyList<FlagDefinition> Flags { get; }

    public IReadOnlyList<AppliedCap> Caps { get; }

    /// <summary>Ranked: priority first, then impact (factor weight x gap).</summary>
    public IReadOnlyList<PlanItem> ActionPlan { get; }

    /// <summary>Advice emails to send, by days after submission.</summary>
    public IReadOnlyList<FollowUpItem> FollowUps { get; }

    /// <summary>0-100: how much an advisor's call would help now; higher first.</summary>
    public int TriagePriority { get; }

    public bool HasFlag(string id) => Flags.Any(f => f.Id == id);

    public FactorResult Factor(string id) => Factors.First(f => f.Factor.Id == id);

    public bool IsVisible(Question question) => evaluation.Visible[question.Index];

    public bool Fired(Rule rule) => fired[Content.Rules.IndexOf(rule)];

    /// <summary>Every rule, in evaluation order, with whether it fired and the facts behind it.</summary>
    public IReadOnlyList<RuleTraceEntry> Trace => trace ??= Explanations.Trace(Content, evaluation, fired);

    /// <summary>"Why is my capacity score 42?": every question of the factor, what it earned, and why.</summary>
    public FactorExplanation Explain(Factor factor) => Explanations.Factor(Content, evaluation, factor, Factors[factor.Index]);

    /// <summary>The facts that made a rule fire (or not), in plain words.</summary>
    public IReadOnlyList<Evidence> EvidenceFor(Rule rule) => Trace.First(t => t.Rule == rule).Evidence;
}

internal static class ListExtensions
{
    public static int IndexOf<T>(this IReadOnlyList<T> list, T item)
    {
        for (var i = 0; i < list.Count; i++)
        {
            if (EqualityComparer<T>.Default.Equals(list[i], item))
            {
                return i;
            }
        }

        return -1;
    }
}
