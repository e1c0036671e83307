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

    /// <summary>A rule fired: record it and apply its effects (called from the compiled <see cref="RuleProgram"/>).</summary>
    internal static void Fire(Evaluation e, int rule)
    {
        e.Fired[rule] = true;
        var effects = e.Compiled.RuleEffects[rule];
        foreach (var flag in effects.Flags)
        {
            e.Flags[flag] = true;
        }

        if (effects.StageRank > e.FiredStageRank)
        {
            e.FiredStageRank = effects.StageRank;
        }

        var advicePriority = e.AdvicePriority;
        foreach (var advice in effects.Advice)
        {
            advicePriority[advice] = Math.Max(advicePriority[advice], (int)effects.Priority);
            e.AdviceFirstRule[advice] = e.AdviceReasons[advice]++ == 0 ? rule + 1 : e.AdviceFirstRule[advice];
        }

        // One email per advice item, at the earliest day asked for; the first rule to ask for that day keeps it.
        foreach (var (advice, after) in effects.FollowUps)
        {
            if (e.FollowUpRule[advice] == 0 || after < e.FollowUpDay[advice])
            {
                (e.FollowUpDay[advice], e.FollowUpRule[advice]) = (after, rule + 1);
            }
        }

        foreach (var (factor, bandRank) in effects.Caps)
        {
            (e.RuleCaps ??= []).Add((factor, bandRank, rule));
        }

        e.Triage += effects.Triage;
    }

    /// <summary>The points an answer earns (before weighting).</summary>
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
