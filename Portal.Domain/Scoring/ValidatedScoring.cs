using System.Text.Json.Nodes;
using Portal.Domain.Content;

namespace Portal.Domain.Scoring;

/// <summary>An answer as an advisor holds it to be after talking to the firm, in the canonical JSON shape.</summary>
public sealed record AnswerCorrection(string QuestionId, JsonNode? Value);

/// <summary>One factor's self-assessed and advisor-validated scores, as shown (whole numbers).</summary>
public sealed record FactorComparison(string FactorId, string Name, double? SelfAssessed, double? Validated, bool BeyondMargin)
{
    /// <summary>Validated minus self-assessed, of the shown numbers; null when either is not assessed.</summary>
    public double? Difference => SelfAssessed is { } s && Validated is { } v ? v - s : null;
}

/// <summary>
/// The firm's answers scored as the firm gave them and with an advisor's corrections applied,
/// side by side. Both are scored with the same content, so only the corrections differ.
/// </summary>
public sealed record ScoreComparison(
    AssessmentResult SelfAssessed,
    AssessmentResult Validated,
    IReadOnlyList<FactorComparison> Factors,
    FactorComparison Overall,
    IReadOnlyList<AnswerProblem> Skipped);

/// <summary>
/// Applies an advisor's corrections to a firm's answers and compares the scores. Pure: the
/// firm's own stored result is never touched; the validated view is computed on request.
/// </summary>
public static class ValidatedScoring
{
    /// <summary>
    /// The answers with the corrections in place. A correction that does not fit the
    /// questionnaire (or clashes with another answer, like a first export before the firm was
    /// founded) is left out and reported, so one stale correction never hides the rest.
    /// </summary>
    public static (AnswerSet Answers, IReadOnlyList<AnswerProblem> Skipped) Apply(AnswerSet answers, IEnumerable<AnswerCorrection> corrections)
    {
        var list = corrections.ToList();
        var all = TryApply(answers, list);
        if (all.Answers is { } applied)
        {
            return (applied, []);
        }

        // One by one: keep each correction that still parses with those kept before it.
        var kept = new List<AnswerCorrection>();
        var skipped = new List<AnswerProblem>();
        var current = answers;
        foreach (var correction in list)
        {
            var attempt = TryApply(answers, [.. kept, correction]);
            if (attempt.Answers is { } ok)
            {
                kept.Add(correction);
                current = ok;
            }
            else
            {
                skipped.Add(new AnswerProblem(correction.QuestionId, attempt.Problems.Count > 0 ? attempt.Problems[0].Message : "does not fit the question"));
            }
        }

        return (current, skipped);
    }

    /// <summary>
    /// Scores the firm's answers as given and as corrected. A factor (or the overall score) is
    /// beyond the margin when its two shown scores differ by more than <paramref name="marginPoints"/>.
    /// </summary>
    public static ScoreComparison Compare(PortalContent content, AnswerSet selfAssessed, IEnumerable<AnswerCorrection> corrections, double marginPoints)
    {
        var (validatedAnswers, skipped) = Apply(selfAssessed, corrections);
        var self = Assessor.Assess(content, selfAssessed);
        var validated = Assessor.Assess(content, validatedAnswers);
        var factors = new List<FactorComparison>(content.Model.Factors.Count);
        foreach (var factor in content.Model.Factors)
        {
            factors.Add(Compared(factor.Id, factor.Name, self.Factors[factor.Index].Score, validated.Factors[factor.Index].Score, marginPoints));
        }

        return new ScoreComparison(self, validated, factors, Compared("overall", "Overall", self.OverallScore, validated.OverallScore, marginPoints), skipped);
    }

    /// <summary>A score as the pages show it: a whole number, halves up.</summary>
    public static double Shown(double score) => Math.Round(score, MidpointRounding.AwayFromZero);

    private static FactorComparison Compared(string id, string name, double? self, double? validated, double margin)
    {
        double? s = self is { } a ? Shown(a) : null;
        double? v = validated is { } b ? Shown(b) : null;
        // Compared as shown, so the flag agrees with the numbers on the page.
        var beyond = s is { } x && v is { } y ? Math.Abs(y - x) > margin : s.HasValue != v.HasValue;
        return new FactorComparison(id, name, s, v, beyond);
    }

    private static AnswerParseResult TryApply(AnswerSet answers, IReadOnlyList<AnswerCorrection> corrections)
    {
        var json = answers.ToJson();
        foreach (var correction in corrections)
        {
            var question = answers.Questionnaire.Find(correction.QuestionId);
            if (question is null)
            {
                return new AnswerParseResult(null, [new AnswerProblem(correction.QuestionId, "is not a question of this questionnaire")]);
            }

            json[question.IsProfile ? "profile" : "answers"]![question.Id] = correction.Value?.DeepClone();
        }

        return AnswerSet.Parse(answers.Questionnaire, json.ToJsonString(), answers.AssessmentYear);
    }
}
