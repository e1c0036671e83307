using System.Numerics;
using Portal.Domain.Content;
using Portal.Domain.Rules;
using Portal.Domain.Scoring;
using RulesEngine.Models;

namespace Portal.Benchmarks.Peer;

/// <summary>
/// Scores assessments with Microsoft RulesEngine running the <see cref="PeerTranslation"/> of
/// the content: one engine and one compiled workflow set, reused for every assessment. What a
/// RulesEngine rule cannot do (change its inputs, rank a list) is done by the glue here, with
/// the same arithmetic as the portal's Assessor, AssessmentResult and ActionPlanBuilder.
/// </summary>
public sealed class PeerScorer
{
    private readonly PortalContent content;
    private readonly RulesEngine.RulesEngine engine;
    private readonly PeerTranslation translation;

    // Effects and tables, resolved once from the content like the portal's CompiledContent.
    private readonly int[][] ruleFlags;
    private readonly int[] ruleStage;
    private readonly int[] ruleTriage;
    private readonly int[] rulePriority;
    private readonly int[][] ruleAdvice;
    private readonly (int Factor, int Band)[][] ruleCaps;
    private readonly (int Advice, int Days)[][] ruleFollowUps;
    private readonly int[] adviceFactor;
    private readonly int[][] adviceRules;
    private readonly int[] factorPillar;
    private readonly double[] factorOverallWeight;
    private readonly (double Below, int Band)?[] knockouts;
    private readonly double[] bandMins;
    private readonly int[] stageGroup;
    private readonly bool[][] groupFocus;

    public PeerScorer(PortalContent content, ReSettings? settings = null)
    {
        this.content = content;
        translation = new PeerTranslation(content);
        engine = new RulesEngine.RulesEngine(translation.Workflows.ToArray(), settings ?? Settings());

        var model = content.Model;
        var advice = content.AdviceList.Select((a, i) => (a.Id, i)).ToDictionary(x => x.Id, x => x.i);
        var rules = content.Rules;
        ruleFlags = rules.Select(r => r.Then.Flags.Select(f => content.FindFlag(f)!.Index).ToArray()).ToArray();
        ruleStage = rules.Select(r => r.Then.Stage is { } s ? model.FindStage(s).Rank : -1).ToArray();
        ruleTriage = rules.Select(r => r.Then.Triage).ToArray();
        rulePriority = rules.Select(r => (int)r.Then.Priority).ToArray();
        ruleAdvice = rules.Select(r => r.Then.Advise.Select(a => advice[a]).ToArray()).ToArray();
        ruleCaps = rules.Select(r => r.Then.Caps.Select(c => (c.Target == ScoreTargets.Overall ? -1 : model.FindFactor(c.Target)!.Index, model.FindBand(c.BandId).Rank)).ToArray()).ToArray();
        ruleFollowUps = rules.Select(r => r.Then.FollowUps.Select(f => (advice[f.AdviceId], f.AfterDays)).ToArray()).ToArray();
        adviceFactor = content.AdviceList.Select(a => model.FindFactor(a.FactorId)!.Index).ToArray();
        adviceRules = content.AdviceList.Select((_, a) => Enumerable.Range(0, rules.Count).Where(r => ruleAdvice[r].Contains(a)).ToArray()).ToArray();
        factorPillar = model.Factors.Select(f => f.Pillar.Index).ToArray();
        factorOverallWeight = model.Factors.Select(f => f.OverallWeight).ToArray();
        knockouts = model.Factors.Select(f => f.Knockout is { } k ? (k.Below, model.FindBand(k.CapBandId).Rank) : ((double, int)?)null).ToArray();
        bandMins = model.Bands.Select(b => b.Min).ToArray();
        stageGroup = model.Stages.Select(s => s.GroupIndex(model)).ToArray();
        groupFocus = model.StageGroups.Select(g => model.Pillars.Select(p => g.Focus.Contains(p.Id)).ToArray()).ToArray();
    }

    public PeerTranslation Translation => translation;

    /// <summary>
    /// RulesEngine's settings for speed and for failing loudly: an expression that does not parse
    /// or throws must stop the run, not quietly count as a rule that did not fire. Compiled
    /// rules are cached per workflow by the engine itself.
    /// </summary>
    public static ReSettings Settings(bool fastExpressionCompiler = false) => new()
    {
        // The one static type the expressions call besides Math and Double (counting chosen options).
        CustomTypes = [typeof(BitOperations)],
        EnableExceptionAsErrorMessage = false,
        EnableExceptionAsErrorMessageForRuleExpressionParsing = false,
        EnableFormattedErrorMessage = false,
        // The translation has no rule actions: nothing to look for after each run.
        AutoExecuteActions = false,
        UseFastExpressionCompiler = fastExpressionCompiler,
    };

    /// <summary>The answers parameter, built once per assessment before scoring.</summary>
    public RuleParameter Prepare(AnswerSet answers) => new("a", PeerAnswers.From(content, answers));

    /// <summary>Compiles every workflow now (RulesEngine compiles each on its first run).</summary>
    public void Compile() => Score(Prepare(AnswerSet.Empty(content.Questionnaire, 2026)));

    public ScoringOutcome Score(RuleParameter answers)
    {
        var model = content.Model;
        var state = new PeerState(content.Questionnaire.Questions.Count, model.Factors.Count, model.Pillars.Count, content.Flags.Count, model.DefaultStage.Rank);
        RuleParameter[] parameters = [answers, new RuleParameter("s", state)];

        foreach (var q in translation.AlwaysVisible)
        {
            state.Visible[q] = true;
        }

        foreach (var step in translation.VisibilitySteps)
        {
            var results = Run(step, parameters);
            for (var i = 0; i < results.Count; i++)
            {
                state.Visible[step.Targets[i]] = results[i].IsSuccess;
            }
        }

        var factors = Run(translation.Factors, parameters);
        for (var i = 0; i < factors.Count; i++)
        {
            if (translation.Factors.Targets[i] < 0)
            {
                state.Flag[translation.DontKnowFlag] |= factors[i].IsSuccess;
            }
            else
            {
                state.Factor[translation.Factors.Targets[i]] = Mean(factors[i]);
            }
        }

        var pillars = Run(translation.Pillars, parameters);
        for (var i = 0; i < pillars.Count; i++)
        {
            state.Pillar[translation.Pillars.Targets[i]] = Mean(pillars[i]);
        }

        state.Overall = Mean(Run(translation.Overall, parameters)[0]);

        var fired = new bool[content.Rules.Count];
        var firedStage = -1;
        foreach (var step in translation.RuleSteps)
        {
            var results = Run(step, parameters);
            for (var i = 0; i < results.Count; i++)
            {
                if (!results[i].IsSuccess)
                {
                    continue;
                }

                var r = step.Targets[i];
                fired[r] = true;
                foreach (var flag in ruleFlags[r])
                {
                    state.Flag[flag] = true;
                }

                firedStage = Math.Max(firedStage, ruleStage[r]);
            }

            state.Stage = firedStage >= 0 ? firedStage : model.DefaultStage.Rank;
        }

        return Outcome(state, fired);
    }

    private List<RuleResultTree> Run(PeerStep step, RuleParameter[] parameters)
    {
        var pending = engine.ExecuteAllRulesAsync(step.Workflow.WorkflowName, parameters);
        var results = pending.IsCompletedSuccessfully ? pending.Result : pending.AsTask().GetAwaiter().GetResult();
        var rules = (List<RulesEngine.Models.Rule>)step.Workflow.Rules;
        if (results.Count != rules.Count)
        {
            throw new InvalidOperationException($"Workflow {step.Workflow.WorkflowName} returned {results.Count} results for {rules.Count} rules");
        }

        for (var i = 0; i < results.Count; i++)
        {
            // Results come in rule order; the targets depend on it.
            if (!ReferenceEquals(results[i].Rule, rules[i]) || !string.IsNullOrEmpty(results[i].ExceptionMessage))
            {
                throw new InvalidOperationException($"Workflow {step.Workflow.WorkflowName}, rule {rules[i].RuleName}: {results[i].ExceptionMessage ?? "results out of order"}");
            }
        }

        return results;
    }

    private static double Mean(RuleResultTree result) =>
        result.IsSuccess ? (double)result.Inputs[PeerTranslation.ScoreParam] : double.NaN;

    /// <summary>Effects of the fired rules into bands, plan and follow-ups, as the portal's result does.</summary>
    private ScoringOutcome Outcome(PeerState state, bool[] fired)
    {
        var model = content.Model;
        var advicePriority = new int[content.AdviceList.Count];
        var triage = 0;
        var caps = new List<(int Target, int Band)>();
        for (var f = 0; f < knockouts.Length; f++)
        {
            if (knockouts[f] is { } k && !double.IsNaN(state.Factor[f]) && state.Factor[f] < k.Below)
            {
                caps.Add((-1, k.Band));
            }
        }

        for (var r = 0; r < fired.Length; r++)
        {
            if (!fired[r])
            {
                continue;
            }

            foreach (var a in ruleAdvice[r])
            {
                advicePriority[a] = Math.Max(advicePriority[a], rulePriority[r]);
            }

            caps.AddRange(ruleCaps[r]);
            triage += ruleTriage[r];
        }

        var focus = groupFocus[stageGroup[state.Stage]];
        var plan = new List<(PlanEntry Entry, double Impact, int Because, int FirstRule)>();
        for (var a = 0; a < advicePriority.Length; a++)
        {
            if (advicePriority[a] == 0)
            {
                continue;
            }

            var f = adviceFactor[a];
            var gap = double.IsNaN(state.Factor[f]) ? 100 : 100 - state.Factor[f];
            var because = adviceRules[a].Count(r => fired[r]);
            var first = adviceRules[a].First(r => fired[r]);
            plan.Add((new PlanEntry(content.AdviceList[a].Id, (Priority)advicePriority[a], focus[factorPillar[f]]), factorOverallWeight[f] * gap / 100, because, first));
        }

        plan.Sort(static (x, y) =>
        {
            var order = y.Entry.InFocus.CompareTo(x.Entry.InFocus);
            order = order != 0 ? order : ((int)y.Entry.Priority).CompareTo((int)x.Entry.Priority);
            order = order != 0 ? order : Math.Round(y.Impact, 9).CompareTo(Math.Round(x.Impact, 9));
            order = order != 0 ? order : y.Because.CompareTo(x.Because);
            order = order != 0 ? order : x.FirstRule.CompareTo(y.FirstRule);
            return order != 0 ? order : string.CompareOrdinal(x.Entry.Advice, y.Entry.Advice);
        });

        var followUps = new List<FollowUpEntry>();
        for (var r = 0; r < fired.Length; r++)
        {
            foreach (var (a, days) in fired[r] ? ruleFollowUps[r] : [])
            {
                if (!focus[factorPillar[adviceFactor[a]]])
                {
                    continue;
                }

                var id = content.AdviceList[a].Id;
                var existing = followUps.FindIndex(x => x.Advice == id);
                if (existing < 0)
                {
                    followUps.Add(new FollowUpEntry(id, days, content.Rules[r].Id));
                }
                else if (days < followUps[existing].AfterDays)
                {
                    followUps[existing] = new FollowUpEntry(id, days, content.Rules[r].Id);
                }
            }
        }

        followUps.Sort(static (x, y) => x.AfterDays != y.AfterDays ? x.AfterDays.CompareTo(y.AfterDays) : string.CompareOrdinal(x.Advice, y.Advice));

        return new ScoringOutcome
        {
            Fired = fired,
            Factors = state.Factor.Select(Score).ToArray(),
            Pillars = state.Pillar.Select(Score).ToArray(),
            Overall = Score(state.Overall),
            FactorBands = state.Factor.Select((s, f) => double.IsNaN(s) ? null : model.Bands[Capped(BandRank(s), f)].Id).ToArray(),
            OverallBand = double.IsNaN(state.Overall) ? null : model.Bands[Capped(BandRank(state.Overall), -1)].Id,
            Flags = content.Flags.Where(f => state.Flag[f.Index]).Select(f => f.Id).ToArray(),
            Stage = model.Stages[state.Stage].Id,
            Triage = Math.Clamp(triage, 0, 100),
            Plan = plan.Select(p => p.Entry).ToArray(),
            FollowUps = followUps.ToArray(),
        };

        int Capped(int band, int target)
        {
            foreach (var cap in caps)
            {
                band = cap.Target == target && cap.Band < band ? cap.Band : band;
            }

            return band;
        }
    }

    private static double? Score(double score) => double.IsNaN(score) ? null : score;

    private int BandRank(double score)
    {
        var rank = 0;
        for (var i = 1; i < bandMins.Length; i++)
        {
            rank = score >= bandMins[i] ? i : rank;
        }

        return rank;
    }
}
