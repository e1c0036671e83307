using Portal.Domain.Content;
using Portal.Domain.Rules;
using Portal.Domain.Scoring;
using RulesEngine.Models;
using ReRule = RulesEngine.Models.Rule;

namespace Portal.Benchmarks.Peer;

/// <summary>A workflow and, per rule in it (same order), the index of what the rule decides.</summary>
public sealed record PeerStep(Workflow Workflow, int[] Targets);

/// <summary>
/// The loaded content translated, by code, into Microsoft RulesEngine workflows that score an
/// assessment as the portal does:
/// <list type="number">
/// <item>visibility: one rule per question with a show-if, in layers so that a show-if runs after the show-ifs of the questions it reads;</item>
/// <item>factors: one rule per factor whose local params add up the earned and possible points of its visible, answered questions (the rule fires when the factor is assessed; the score is the local param <c>score</c>), and one rule for the "don't know" flag;</item>
/// <item>pillars, then overall: weighted means of the scores assessed, the same way;</item>
/// <item>content rules: one rule each, in layers so that a rule reading a flag or the stage runs after the rules that set them.</item>
/// </list>
/// Between workflows a few lines of glue (<see cref="PeerScorer"/>) copy results into the state
/// the next workflow reads, because a RulesEngine rule cannot change its inputs.
/// </summary>
public sealed class PeerTranslation
{
    public const string ScoreParam = "score";

    public PeerTranslation(PortalContent content)
    {
        var translator = new ConditionTranslator(content);
        var questions = content.Questionnaire.Questions;

        // 1. Visibility, layered by depth of show-if dependencies.
        var depth = new int[questions.Count];
        foreach (var q in questions)
        {
            VisibilityDepth(q.Index);
        }

        VisibilitySteps = Enumerable.Range(1, questions.Count == 0 ? 0 : depth.Max())
            .Select(d => questions.Where(q => depth[q.Index] == d).ToList())
            .Select((layer, n) => new PeerStep(
                Workflow($"visibility-{n + 1}", layer.Select(q => Rule(q.Id, translator.Translate(q.ShowIf!)))),
                layer.Select(q => q.Index).ToArray()))
            .ToList();
        AlwaysVisible = questions.Where(q => q.ShowIf is null).Select(q => q.Index).ToArray();

        // 2. Factor scores and the "don't know" flag.
        var factorRules = content.Model.Factors.Select(f =>
        {
            var scored = content.Questionnaire.FindSection(f.Id)!.Questions.Where(q => q.Weight > 0 && q.MaxPoints > 0).ToList();
            var earned = Sum(scored.Select(q =>
                $"iif({ConditionTranslator.Answered(q.Index)}, {ConditionTranslator.Literal(q.Weight)} * {ConditionTranslator.Points(q)} / {ConditionTranslator.Literal(q.MaxPoints)}, 0.0)"));
            var possible = Sum(scored.Select(q => $"iif({ConditionTranslator.Answered(q.Index)}, {ConditionTranslator.Literal(q.Weight)}, 0.0)"));
            return MeanRule(f.Id, earned, possible, "100 * sum / weight");
        }).ToList();
        var dontKnow = questions.Where(q => q.OffersDontKnow)
            .Select(q => $"(s.Visible[{q.Index}] && a.Kind[{q.Index}] == {(int)AnswerKind.DontKnow})")
            .DefaultIfEmpty("false");
        factorRules.Add(Rule(CsfModel.DontKnowFlag, string.Join(" || ", dontKnow)));
        Factors = new PeerStep(Workflow("factors", factorRules), content.Model.Factors.Select(f => f.Index).Append(-1).ToArray());
        DontKnowFlag = content.FindFlag(CsfModel.DontKnowFlag)!.Index;

        // 3. Pillars from factors, the overall score from pillars.
        Pillars = new PeerStep(
            Workflow("pillars", content.Model.Pillars.Select(p =>
            {
                var factors = content.Model.Factors.Where(f => f.Pillar == p).ToList();
                return MeanRule(p.Id,
                    Sum(factors.Select(f => $"iif(Double.IsNaN(s.Factor[{f.Index}]), 0.0, {ConditionTranslator.Literal(f.Weight)} * s.Factor[{f.Index}])")),
                    Sum(factors.Select(f => $"iif(Double.IsNaN(s.Factor[{f.Index}]), 0.0, {ConditionTranslator.Literal(f.Weight)})")),
                    "sum / weight");
            })),
            content.Model.Pillars.Select(p => p.Index).ToArray());
        Overall = new PeerStep(
            Workflow("overall", [MeanRule(ScoreTargets.Overall,
                Sum(content.Model.Pillars.Select(p => $"iif(Double.IsNaN(s.Pillar[{p.Index}]), 0.0, {ConditionTranslator.Literal(p.Weight)} * s.Pillar[{p.Index}])")),
                Sum(content.Model.Pillars.Select(p => $"iif(Double.IsNaN(s.Pillar[{p.Index}]), 0.0, {ConditionTranslator.Literal(p.Weight)})")),
                "sum / weight")]),
            [0]);

        // 4. Content rules, layered so each sees the flags and stage of the rules before it.
        var rules = content.Rules;
        var ruleDepth = new int[rules.Count];
        for (var r = 0; r < rules.Count; r++)
        {
            var (flagsRead, readsStage) = Reads(rules[r].When);
            ruleDepth[r] = 1;
            for (var w = 0; w < rules.Count; w++)
            {
                var writes = w != r && (rules[w].Then.Flags.Any(flagsRead.Contains) || (readsStage && rules[w].Then.Stage is not null));
                if (writes && w > r)
                {
                    // The portal applies effects in rule order: a rule never sees what a later rule sets.
                    // Layers cannot say "not yet", and validated content never asks for it.
                    throw new NotSupportedException($"Rule {rules[r].Id} reads what the later rule {rules[w].Id} sets");
                }

                if (writes)
                {
                    ruleDepth[r] = Math.Max(ruleDepth[r], ruleDepth[w] + 1);
                }
            }
        }

        RuleSteps = Enumerable.Range(1, rules.Count == 0 ? 0 : ruleDepth.Max())
            .Select(d => Enumerable.Range(0, rules.Count).Where(r => ruleDepth[r] == d).ToArray())
            .Select((layer, n) => new PeerStep(Workflow($"rules-{n + 1}", layer.Select(r => Rule(rules[r].Id, translator.Translate(rules[r].When)))), layer))
            .ToList();

        Workflows = VisibilitySteps.Append(Factors).Append(Pillars).Append(Overall).Concat(RuleSteps).Select(s => s.Workflow).ToList();

        int VisibilityDepth(int index)
        {
            var q = questions[index];
            if (q.ShowIf is null || depth[index] > 0)
            {
                return depth[index];
            }

            if (depth[index] < 0)
            {
                throw new InvalidOperationException($"Show-if cycle through '{q.Id}'"); // validated content has none
            }

            depth[index] = -1;
            var reads = ReadQuestions(q.ShowIf).Select(id => content.Questionnaire.Find(id)?.Index ?? -1).Where(i => i >= 0 && i != index);
            depth[index] = 1 + reads.Select(VisibilityDepth).DefaultIfEmpty(0).Max();
            return depth[index];
        }

        (HashSet<string> Flags, bool Stage) Reads(Condition condition)
        {
            var flags = new HashSet<string>(StringComparer.Ordinal);
            var stage = false;
            Walk(condition);
            return (flags, stage);

            void Walk(Condition c)
            {
                switch (c)
                {
                    case AllOf all:
                        all.Conditions.ToList().ForEach(Walk);
                        break;
                    case AnyOf any:
                        any.Conditions.ToList().ForEach(Walk);
                        break;
                    case Not not:
                        Walk(not.Inner);
                        break;
                    case FlagSet f:
                        flags.Add(f.FlagId);
                        break;
                    case StageIn:
                        stage = true;
                        break;
                }
            }
        }
    }

    /// <summary>Every workflow, in the order they run.</summary>
    public IReadOnlyList<Workflow> Workflows { get; }

    /// <summary>Targets: question indexes.</summary>
    public IReadOnlyList<PeerStep> VisibilitySteps { get; }

    public int[] AlwaysVisible { get; }

    /// <summary>Targets: factor indexes, then -1 for the "don't know" rule.</summary>
    public PeerStep Factors { get; }

    public int DontKnowFlag { get; }

    public PeerStep Pillars { get; }

    public PeerStep Overall { get; }

    /// <summary>Targets: indexes into the content's rules.</summary>
    public IReadOnlyList<PeerStep> RuleSteps { get; }

    private static Workflow Workflow(string name, IEnumerable<ReRule> rules) => new()
    {
        WorkflowName = name,
        RuleExpressionType = RuleExpressionType.LambdaExpression,
        Rules = rules.ToList(),
    };

    private static ReRule Rule(string name, string expression) => new()
    {
        RuleName = name,
        RuleExpressionType = RuleExpressionType.LambdaExpression,
        Expression = expression,
    };

    /// <summary>Fires when something was assessed (weight &gt; 0); the value is the local param <see cref="ScoreParam"/>.</summary>
    private static ReRule MeanRule(string name, string sum, string weight, string mean) => new()
    {
        RuleName = name,
        RuleExpressionType = RuleExpressionType.LambdaExpression,
        LocalParams =
        [
            new ScopedParam { Name = "sum", Expression = sum },
            new ScopedParam { Name = "weight", Expression = weight },
            new ScopedParam { Name = ScoreParam, Expression = $"iif(weight > 0, {mean}, 0.0)" },
        ],
        Expression = "weight > 0",
    };

    /// <summary>Added left to right, as the portal's loops add.</summary>
    private static string Sum(IEnumerable<string> terms)
    {
        var list = terms.ToList();
        return list.Count == 0 ? "0.0" : string.Join(" + ", list);
    }

    /// <summary>The questions a condition reads, for ordering show-ifs (the portal's ShowIfOrder).</summary>
    private static IEnumerable<string> ReadQuestions(Condition condition) => condition switch
    {
        AllOf all => all.Conditions.SelectMany(ReadQuestions),
        AnyOf any => any.Conditions.SelectMany(ReadQuestions),
        Not not => ReadQuestions(not.Inner),
        AnswerIs c => [c.QuestionId],
        AnswerIn c => [c.QuestionId],
        AnswerAtLeast c => [c.QuestionId],
        AnswerAtMost c => [c.QuestionId],
        AnswerGiven c => [c.QuestionId],
        DerivedAtLeast or DerivedAtMost => [DerivedFields.FoundedQuestion, DerivedFields.FirstExportYearQuestion],
        _ => [],
    };
}
