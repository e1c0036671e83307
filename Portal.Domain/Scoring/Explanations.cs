using System.Globalization;
using Portal.Domain.Content;
using Portal.Domain.Questionnaires;
using Portal.Domain.Rules;

namespace Portal.Domain.Scoring;

/// <summary>One fact behind a rule's outcome, in plain words; names the question when it is an answer.</summary>
public sealed record Evidence(string Text, string? QuestionId);

/// <summary>A rule of the trace: whether it fired and the facts that decided it.</summary>
public sealed record RuleTraceEntry(Rule Rule, bool Fired, IReadOnlyList<Evidence> Evidence);

/// <summary>What one question contributed to its factor's score.</summary>
public sealed record QuestionContribution(
    Question Question, string Answer, double Points, double MaxPoints, double Weight, bool Counted, string Note);

public sealed record FactorExplanation(Factor Factor, double? Score, IReadOnlyList<QuestionContribution> Questions, string Summary);

internal static class Explanations
{
    public static IReadOnlyList<RuleTraceEntry> Trace(PortalContent content, Evaluation evaluation, bool[] fired)
    {
        var answers = new AnswerSet(content.Questionnaire, evaluation.Answers, evaluation.Year);
        var entries = new List<RuleTraceEntry>(content.Rules.Count);
        for (var r = 0; r < content.Rules.Count; r++)
        {
            var evidence = new List<Evidence>();
            Collect(content, evaluation, answers, content.Compiled.RuleResolved[r], fired[r], evidence);
            entries.Add(new RuleTraceEntry(content.Rules[r], fired[r], evidence));
        }

        return entries;
    }

    /// <summary>
    /// The leaves that decided the outcome: for a condition that held, the facts that made it
    /// hold; for one that did not, the first fact that was missing.
    /// </summary>
    private static void Collect(PortalContent content, Evaluation e, AnswerSet answers, Resolved condition, bool outcome, List<Evidence> into)
    {
        switch (condition)
        {
            case ResolvedAll all when outcome:
                foreach (var item in all.Items)
                {
                    Collect(content, e, answers, item, true, into);
                }

                break;
            case ResolvedAll all:
                if (all.Items.FirstOrDefault(i => !ConditionInterpreter.Evaluate(i, e)) is { } failing)
                {
                    Collect(content, e, answers, failing, false, into);
                }

                break;
            case ResolvedAny any when outcome:
                if (any.Items.FirstOrDefault(i => ConditionInterpreter.Evaluate(i, e)) is { } holding)
                {
                    Collect(content, e, answers, holding, true, into);
                }

                break;
            case ResolvedAny any:
                foreach (var item in any.Items)
                {
                    Collect(content, e, answers, item, false, into);
                }

                break;
            case ResolvedNot not:
                Collect(content, e, answers, not.Inner, !outcome, into);
                break;
            default:
                into.Add(Describe(content, e, answers, condition, ConditionInterpreter.Evaluate(condition, e)));
                break;
        }
    }

    private static Evidence Describe(PortalContent content, Evaluation e, AnswerSet answers, Resolved leaf, bool holds)
    {
        var model = content.Model;
        switch (leaf)
        {
            case ResolvedMatch or ResolvedCompare or ResolvedGiven:
                var index = leaf switch { ResolvedMatch m => m.Question, ResolvedCompare c => c.Question, ResolvedGiven g => g.Question, _ => 0 };
                var question = content.Questionnaire.Questions[index];
                var answer = !e.Visible[index] ? "this question did not apply to you"
                    : e.Answers[index].HasValue ? $"you answered “{answers.Describe(question)}”"
                    : "you did not answer it";
                return new Evidence($"“{question.Text}”: {answer}.", question.Id);
            case ResolvedDerived d:
                var value = e.Derived(d.Field);
                var name = d.Field == DerivedField.FirmAge ? "Your firm's age in years" : "The years from founding to your first sale abroad";
                return new Evidence(value is { } v
                    ? $"{name}: {v.ToString("0", CultureInfo.InvariantCulture)}."
                    : $"{name}: not known.", null);
            case ResolvedScore s:
                var score = e.Score(s.Scope, s.Index);
                var target = s.Scope switch
                {
                    ScoreScope.Factor => $"Your {model.Factors[s.Index].Name.ToLowerInvariant()} score",
                    ScoreScope.Pillar => $"Your {model.Pillars[s.Index].Name.ToLowerInvariant()} score",
                    _ => "Your overall score",
                };
                return new Evidence(double.IsNaN(score)
                    ? $"{target} could not be worked out (no answers)."
                    : $"{target} is {ScoreAgainst(score, s.Value)} ({(s.Below ? "the test is below" : "the test is at least")} {Threshold(s.Value)}).", null);
            case ResolvedFlag f:
                var flag = content.Flags[f.Flag];
                return new Evidence(holds ? $"“{flag.Name}” applies: {flag.Description}" : $"“{flag.Name}” does not apply.", null);
            case ResolvedStage:
                return new Evidence($"Your stage is “{model.Stages[e.StageRank].Name}”.", null);
            default:
                return new Evidence(holds ? "A condition held." : "A condition did not hold.", null);
        }
    }

    /// <summary>
    /// A score as shown next to the threshold it was tested against: one decimal, as scores are
    /// shown elsewhere in the result, or more when one decimal would round it onto the other
    /// side of the threshold (44.96 tested "below 45" must not read "45.0"). The sentence then
    /// never contradicts whether the test held.
    /// </summary>
    internal static string ScoreAgainst(double score, double threshold)
    {
        for (var decimals = 1; decimals <= 6; decimals++)
        {
            var shown = Math.Round(score, decimals, MidpointRounding.AwayFromZero);
            if (shown < threshold == score < threshold)
            {
                return shown.ToString("F" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
            }
        }

        // Closer than a millionth: the exact value is the only honest one.
        return score.ToString("R", CultureInfo.InvariantCulture);
    }

    /// <summary>A threshold as written in the content (45, 37.5), never rounded, so the comparison shown is the one made.</summary>
    internal static string Threshold(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    public static FactorExplanation Factor(PortalContent content, Evaluation e, Factor factor, FactorResult result)
    {
        var section = content.Questionnaire.FindSection(factor.Id)!;
        var compiled = content.Compiled;
        var answers = new AnswerSet(content.Questionnaire, e.Answers, e.Year);
        var contributions = new List<QuestionContribution>();
        foreach (var q in section.Questions)
        {
            var value = e.Answers[q.Index];
            var max = compiled.MaxPoints[q.Index];
            var scored = q.Weight > 0 && max > 0;
            var visible = e.Visible[q.Index];
            var counted = scored && visible && value.HasValue;
            var points = counted ? Assessor.Points(compiled, q.Index, value) : 0;
            var note = !scored ? "Not scored: it chooses the advice you get."
                : !visible ? "Does not apply to you, so it does not count."
                : !value.HasValue ? "Not answered, so it does not count."
                : value.IsDontKnow ? "“Don't know” counts as a gap: 0 points."
                : $"{points:0.#} of {max:0.#} points.";
            contributions.Add(new QuestionContribution(q, visible ? answers.Describe(q) : "does not apply", points, max, q.Weight, counted, note));
        }

        var summary = result.Score is { } s
            ? $"{factor.Name} scores {s:0} out of 100: the weighted share of the points your answers earned on the {contributions.Count(c => c.Counted)} questions that apply and were answered."
            : $"{factor.Name} could not be scored: none of its questions was answered.";
        return new FactorExplanation(factor, result.Score, contributions, summary);
    }
}
