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
/// Everything the engine concluded about one assessment. The scores, capped bands, stage, flags,
/// the plan's order, follow-ups and triage priority are computed when the result is made; the
/// objects only pages and reports read (factor and pillar results with their counts, the caps
/// with their explanation text, the plan's and follow-ups' items) are made from those
/// on first access, and the explanations (<see cref="Trace"/>, <see cref="Explain(Factor)"/>)
/// on request. A result is made for every assessment scored (scoring API, imports, benchmarks),
/// most of which never read those objects; building them cost about as much as scoring.
/// </summary>
public sealed class AssessmentResult
{
    private readonly Evaluation evaluation;
    private readonly bool[] fired;
    private readonly int[] advicePriority;
    private readonly List<(int Target, int BandRank, int Rule)> ruleCaps;

    /// <summary>Per factor, the band after rule caps (its rank), or -1 when not assessed.</summary>
    private readonly int[] factorBandRank;

    /// <summary>The plan's advice indexes, first to last.</summary>
    private readonly int[] planOrder;

    /// <summary>The follow-ups as (advice index, day, rule index) triples, in order.</summary>
    private readonly int[] followUpChoices;

    // Made on first access. Two threads may both build one; they build equal objects and the
    // first stored wins, so every reader sees the same instance from then on.
    private IReadOnlyList<FactorResult>? factors;
    private IReadOnlyList<PillarResult>? pillars;
    private IReadOnlyList<AppliedCap>? caps;
    private IReadOnlyList<PlanItem>? actionPlan;
    private IReadOnlyList<FollowUpItem>? followUps;
    private IReadOnlyList<RuleTraceEntry>? trace;

    internal AssessmentResult(PortalContent content, AnswerSet answers, Evaluation evaluation, bool[] fired, int[] advicePriority,
        List<(int Target, int BandRank, int Rule)> ruleCaps, int triage)
    {
        Content = content;
        Answers = answers;
        this.evaluation = evaluation;
        this.fired = fired;
        this.advicePriority = advicePriority;
        this.ruleCaps = ruleCaps;
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

        // Bands: the score's band, held down by caps (the lowest wins). Knock-outs of critical
        // factors cap the overall band; rule caps a factor's band or the overall band.
        var bands = compiled.Bands;
        var factorScores = evaluation.FactorScores;
        var overallCap = int.MaxValue;
        for (var f = 0; f < factorScores.Length; f++)
        {
            if (compiled.KnockoutBand[f] is { } band && IsKnockedOut(compiled, f))
            {
                overallCap = Math.Min(overallCap, band.Rank);
            }
        }

        factorBandRank = new int[factorScores.Length];
        for (var f = 0; f < factorScores.Length; f++)
        {
            factorBandRank[f] = double.IsNaN(factorScores[f]) ? -1 : compiled.BandRank(factorScores[f]);
        }

        foreach (var (target, bandRank, _) in ruleCaps)
        {
            if (target < 0)
            {
                overallCap = Math.Min(overallCap, bandRank);
            }
            else if (factorBandRank[target] >= 0)
            {
                factorBandRank[target] = Math.Min(factorBandRank[target], bandRank);
            }
        }

        if (!double.IsNaN(evaluation.OverallScore))
        {
            OverallScore = evaluation.OverallScore;
            UncappedOverallBand = bands[compiled.BandRank(evaluation.OverallScore)];
            OverallBand = bands[Math.Min(UncappedOverallBand.Rank, overallCap)];
        }

        planOrder = ActionPlanBuilder.Rank(content, evaluation, advicePriority);
        followUpChoices = ActionPlanBuilder.ChooseFollowUps(content, evaluation);
    }

    private bool IsKnockedOut(CompiledContent compiled, int factor) =>
        compiled.Factors[factor].Knockout is { } k && !double.IsNaN(evaluation.FactorScores[factor]) && evaluation.FactorScores[factor] < k.Below;

    private static IReadOnlyList<T> Once<T>(ref IReadOnlyList<T>? field, IReadOnlyList<T> made) =>
        Interlocked.CompareExchange(ref field, made, null) ?? made;

    private FactorResult[] MakeFactors()
    {
        var compiled = Content.Compiled;
        var factorList = compiled.Factors;
        var bands = compiled.Bands;
        var made = new FactorResult[factorList.Length];
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

            made[fi] = double.IsNaN(score)
                ? new FactorResult(f, null, null, null, false, answered, asked)
                : new FactorResult(f, score, bands[factorBandRank[fi]], bands[compiled.BandRank(score)], score < f.Threshold, answered, asked);
        }

        return made;
    }

    private PillarResult[] MakePillars()
    {
        var compiled = Content.Compiled;
        var made = new PillarResult[compiled.Pillars.Length];
        for (var p = 0; p < made.Length; p++)
        {
            var score = evaluation.PillarScores[p];
            made[p] = double.IsNaN(score)
                ? new PillarResult(compiled.Pillars[p], null, null)
                : new PillarResult(compiled.Pillars[p], score, compiled.Bands[compiled.BandRank(score)]);
        }

        return made;
    }

    /// <summary>Knock-outs in factor order, then rule caps in the order the rules fired.</summary>
    private IReadOnlyList<AppliedCap> MakeCaps()
    {
        var compiled = Content.Compiled;
        var factorList = compiled.Factors;
        List<AppliedCap>? made = null;
        for (var f = 0; f < factorList.Length; f++)
        {
            if (IsKnockedOut(compiled, f))
            {
                var factor = factorList[f];
                var k = factor.Knockout!;
                var band = compiled.KnockoutBand[f]!;
                (made ??= []).Add(new AppliedCap(ScoreTargets.Overall, band, CapReason.Knockout, factor, null,
                    $"{factor.Name} scores {Explanations.ScoreAgainst(evaluation.FactorScores[f], k.Below)}, far below the threshold of {Explanations.Threshold(factor.Threshold)}. It is a critical success factor, so your overall band can be no higher than {band.Name} until it improves."));
            }
        }

        foreach (var (target, bandRank, ruleIndex) in ruleCaps)
        {
            var rule = compiled.Rules[ruleIndex];
            var factor = target >= 0 ? factorList[target] : null;
            (made ??= []).Add(new AppliedCap(factor?.Id ?? ScoreTargets.Overall, compiled.Bands[bandRank], CapReason.Rule, factor, rule, rule.Explain));
        }

        return made ?? (IReadOnlyList<AppliedCap>)[];
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

    public IReadOnlyList<FactorResult> Factors => factors ?? Once(ref factors, MakeFactors());

    public IReadOnlyList<PillarResult> Pillars => pillars ?? Once(ref pillars, MakePillars());

    public Stage Stage { get; }

    public StageGroup StageGroup => Content.Model.StageGroups.First(g => g.Id == Stage.GroupId);

    public IReadOnlyList<FlagDefinition> Flags { get; }

    public IReadOnlyList<AppliedCap> Caps => caps ?? Once(ref caps, MakeCaps());

    /// <summary>Ranked: priority first, then impact (factor weight x gap).</summary>
    public IReadOnlyList<PlanItem> ActionPlan =>
        actionPlan ?? Once(ref actionPlan, ActionPlanBuilder.Items(Content, evaluation, fired, advicePriority, planOrder));

    /// <summary>Advice emails to send, by days after submission.</summary>
    public IReadOnlyList<FollowUpItem> FollowUps => followUps ?? Once(ref followUps, ActionPlanBuilder.FollowUpItems(Content, followUpChoices));

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
