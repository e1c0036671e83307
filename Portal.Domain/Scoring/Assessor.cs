using System.Linq.Expressions;
using System.Reflection;
using Portal.Domain.Content;
using Portal.Domain.Questionnaires;
using Portal.Domain.Rules;

namespace Portal.Domain.Scoring;

/// <summary>
/// Scores one assessment against the content. Pure and deterministic: no I/O, no clock, the
/// same answers and content always give the same result.
/// </summary>
public static class Assessor
{
    public static AssessmentResult Assess(PortalContent content, AnswerSet answers)
    {
        if (!ReferenceEquals(answers.Questionnaire, content.Questionnaire))
        {
            throw new ArgumentException("The answers were read against another content version; parse them with this content's questionnaire.", nameof(answers));
        }

        var compiled = content.Compiled;
        var model = content.Model;
        var e = new Evaluation(compiled, answers, model.Factors.Count, model.Pillars.Count, content.Flags.Count);

        // 1. Which questions apply, each show-if after the questions it reads.
        foreach (var method in compiled.VisibilityProgram)
        {
            method(e);
        }

        // The arrays are read through locals: the loops below run for every assessment scored,
        // and through the Evaluation's properties each access reloaded them.
        var visible = e.Visible;
        var raw = e.Answers;
        // 2. Scores: factors from their visible, answered questions; "don't know" counts as 0.
        var dontKnow = false;
        var factorQuestions = compiled.FactorQuestions;
        var weights = compiled.Weights;
        var maxPoints = compiled.MaxPoints;
        for (var f = 0; f < factorQuestions.Length; f++)
        {
            double earned = 0, possible = 0;
            foreach (var q in factorQuestions[f])
            {
                ref readonly var answer = ref raw[q];
                if (!visible[q] || !answer.HasValue)
                {
                    continue;
                }

                dontKnow |= answer.IsDontKnow;
                var weight = weights[q];
                earned += weight * Points(compiled, q, answer) / maxPoints[q];
                possible += weight;
            }

            e.FactorScores[f] = possible > 0 ? 100 * earned / possible : double.NaN;
        }

        // "Don't know" to an unscored question is still a knowledge gap worth flagging.
        for (var q = 0; !dontKnow && q < visible.Length; q++)
        {
            dontKnow = visible[q] && raw[q].IsDontKnow;
        }

        e.Flags[compiled.DontKnowFlag] |= dontKnow;

        double overallSum = 0, overallWeight = 0;
        for (var p = 0; p < e.PillarScores.Length; p++)
        {
            double sum = 0, weight = 0;
            for (var f = 0; f < e.FactorScores.Length; f++)
            {
                if (compiled.FactorPillar[f] == p && !double.IsNaN(e.FactorScores[f]))
                {
                    sum += compiled.FactorWeights[f] * e.FactorScores[f];
                    weight += compiled.FactorWeights[f];
                }
            }

            e.PillarScores[p] = weight > 0 ? sum / weight : double.NaN;
            if (weight > 0)
            {
                overallSum += compiled.PillarWeights[p] * e.PillarScores[p];
                overallWeight += compiled.PillarWeights[p];
            }
        }

        e.OverallScore = overallWeight > 0 ? overallSum / overallWeight : double.NaN;

        // 3. Rules, in dependency order: effects apply at once so later rules see flags and the stage.
        foreach (var method in compiled.RuleProgram)
        {
            method(e);
        }

        return new AssessmentResult(content, answers, e, e.Fired, e.AdvicePriority, e.RuleCaps ?? [], Math.Clamp(e.Triage, 0, 100));
    }

    /// <summary>
    /// The code that records a fired rule and applies its effects at once, so later rules see
    /// its flags and stage (compiled into the <see cref="RuleProgram"/>, with this rule's
    /// effects as constants): the highest priority per advice item, how many fired rules
    /// advised it and the first; per advice item, the earliest follow-up day asked for and the
    /// first rule to ask for it; caps in the order rules fire; triage points added.
    /// </summary>
    internal static Expression Fire(ParameterExpression e, CompiledEffects effects, int rule)
    {
        Expression Item(string array, int index) => Expression.ArrayAccess(Expression.Property(e, array), Expression.Constant(index));
        var code = new List<Expression> { Expression.Assign(Item(nameof(Evaluation.Fired), rule), Expression.Constant(true)) };
        code.AddRange(effects.Flags.Select(flag => Expression.Assign(Item(nameof(Evaluation.Flags), flag), Expression.Constant(true))));
        if (effects.StageRank >= 0)
        {
            var stage = Expression.Property(e, nameof(Evaluation.FiredStageRank));
            code.Add(Expression.IfThen(Expression.LessThan(stage, Expression.Constant(effects.StageRank)), Expression.Assign(stage, Expression.Constant(effects.StageRank))));
        }

        foreach (var advice in effects.Advice)
        {
            var priority = Item(nameof(Evaluation.AdvicePriority), advice);
            code.Add(Expression.IfThen(Expression.LessThan(priority, Expression.Constant((int)effects.Priority)), Expression.Assign(priority, Expression.Constant((int)effects.Priority))));
            code.Add(Expression.IfThen(
                Expression.Equal(Expression.PostIncrementAssign(Item(nameof(Evaluation.AdviceReasons), advice)), Expression.Constant(0)),
                Expression.Assign(Item(nameof(Evaluation.AdviceFirstRule), advice), Expression.Constant(rule + 1))));
        }

        foreach (var (advice, after) in effects.FollowUps)
        {
            code.Add(Expression.IfThen(
                Expression.OrElse(
                    Expression.Equal(Item(nameof(Evaluation.FollowUpRule), advice), Expression.Constant(0)),
                    Expression.LessThan(Expression.Constant(after), Item(nameof(Evaluation.FollowUpDay), advice))),
                Expression.Block(
                    Expression.Assign(Item(nameof(Evaluation.FollowUpDay), advice), Expression.Constant(after)),
                    Expression.Assign(Item(nameof(Evaluation.FollowUpRule), advice), Expression.Constant(rule + 1)))));
        }

        foreach (var (factor, bandRank) in effects.Caps)
        {
            code.Add(Expression.Call(typeof(Assessor).GetMethod(nameof(AddCap), BindingFlags.NonPublic | BindingFlags.Static)!,
                e, Expression.Constant(factor), Expression.Constant(bandRank), Expression.Constant(rule)));
        }

        if (effects.Triage != 0)
        {
            code.Add(Expression.AddAssign(Expression.Property(e, nameof(Evaluation.Triage)), Expression.Constant(effects.Triage)));
        }

        return Expression.Block(typeof(void), code);
    }

    private static void AddCap(Evaluation e, int factor, int bandRank, int rule) => (e.RuleCaps ??= []).Add((factor, bandRank, rule));

    /// <summary>The points an answer earns (before weighting).</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)] // called for every scored question of every assessment
    internal static double Points(CompiledContent compiled, int question, in AnswerValue answer)
    {
        switch (answer.Kind)
        {
            case AnswerKind.Option:
                return compiled.OptionPoints[question][answer.Option];
            case AnswerKind.Options:
                double sum = 0;
                var points = compiled.OptionPoints[question];
                for (var mask = answer.Options; mask != 0; mask &= mask - 1)
                {
                    sum += points[System.Numerics.BitOperations.TrailingZeroCount(mask)];
                }

                return Math.Min(sum, compiled.MaxPoints[question]);
            case AnswerKind.Number when compiled.Kinds[question] == QuestionKind.Scale:
                return answer.Number - 1; // a 1-5 scale scores 0-4
            case AnswerKind.Number:
                return Step(compiled.Thresholds[question], answer.Number);
            case AnswerKind.Countries:
                return Step(compiled.Thresholds[question], answer.Countries.Length);
            default:
                return 0;
        }
    }

    private static double Step(Threshold[] thresholds, double value)
    {
        double points = 0;
        foreach (var t in thresholds)
        {
            if (value >= t.AtLeast)
            {
                points = t.Points;
            }
        }

        return points;
    }
}
