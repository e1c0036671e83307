using System.Text.Json.Nodes;
using Portal.Domain.Content;
using Portal.Domain.Questionnaires;
using Portal.Domain.Scoring;
using Portal.Tests.TestSupport;

namespace Portal.Tests.Domain.Scoring;

/// <summary>
/// An advisor's corrections scored beside the firm's own answers, on the real content and a
/// real persona. The expected change of a factor is worked out from the question's points and
/// weights in content, not from the Assessor, so a wrong sum in either would show.
/// </summary>
public sealed class ValidatedScoringTests
{
    private const string FactorId = "capacity";
    private const string Online = "cp.online";
    private const string OnlineSales = "online-sales";

    private static PortalContent Content => TestContent.Real;

    /// <summary>Harris &amp; Fletcher's firm A: a website in its home language only (cp.online: home-site).</summary>
    private static Persona Persona => Content.Personas.Single(p => p.Id == "harris-fletcher-a");

    private static Factor Capacity => Content.Model.FindFactor(FactorId)!;

    private static AnswerCorrection Correction(string questionId, JsonNode? value) => new(questionId, value);

    private static AnswerCorrection OnlineShop => Correction(Online, OnlineSales);

    /// <summary>
    /// What moving cp.online from the firm's option to online sales adds to the capacity score:
    /// 100 × weight × (new points − old points) / max points, over the weights of the capacity
    /// questions the firm answered. Capacity has no show-if, so every answer counts.
    /// </summary>
    private static double ExpectedCapacityChange()
    {
        var section = Content.Questionnaire.Sections.Single(s => s.Factor == Capacity);
        Assert.All(section.Questions, q => Assert.Null(q.ShowIf));
        var answered = section.Questions.Where(q => Persona.Answers[q].HasValue).ToList();
        Assert.Equal(section.Questions.Count, answered.Count);
        var online = Content.Questionnaire.Find(Online)!;
        var given = Persona.Answers.ToJson()["answers"]![Online]!.GetValue<string>();
        Assert.NotEqual(OnlineSales, given);
        var gain = online.FindOption(OnlineSales)!.Points - online.FindOption(given)!.Points;
        return 100 * online.Weight * gain / online.MaxPoints / answered.Sum(q => q.Weight);
    }

    [Fact]
    public void Correction_ChangesTheValidatedFactorScore_AndNeverTheSelfAssessedOne()
    {
        var before = Persona.Answers.ToJson().ToJsonString();
        var self = Assessor.Assess(Content, Persona.Answers);

        var comparison = ValidatedScoring.Compare(Content, Persona.Answers, [OnlineShop], marginPoints: 10);

        var change = ExpectedCapacityChange();
        Assert.True(change > 0);
        var capacity = self.Factor(FactorId).Score!.Value;
        Assert.Equal(capacity, comparison.SelfAssessed.Factor(FactorId).Score!.Value, 9);
        Assert.Equal(capacity + change, comparison.Validated.Factor(FactorId).Score!.Value, 9);
        var row = comparison.Factors.Single(f => f.FactorId == FactorId);
        Assert.Equal((ValidatedScoring.Shown(capacity), ValidatedScoring.Shown(capacity + change)), (row.SelfAssessed, row.Validated));

        // The self-assessed side is the firm's result, factor by factor; the validated side differs in capacity only.
        foreach (var factor in Content.Model.Factors)
        {
            Assert.Equal(self.Factors[factor.Index].Score, comparison.SelfAssessed.Factors[factor.Index].Score);
            if (factor != Capacity)
            {
                Assert.Equal(self.Factors[factor.Index].Score, comparison.Validated.Factors[factor.Index].Score);
                Assert.Equal(0, comparison.Factors[factor.Index].Difference);
            }
        }

        Assert.Equal(self.OverallScore, comparison.SelfAssessed.OverallScore);
        Assert.NotEqual(self.OverallScore, comparison.Validated.OverallScore);
        Assert.Equal(before, Persona.Answers.ToJson().ToJsonString()); // the firm's answers are not touched
        Assert.Empty(comparison.Skipped);
    }

    [Fact]
    public void ValidatedSide_IsTheAssessorsResult_ForTheAnswersAsCorrected()
    {
        var edited = Answers.From(Content, Persona.Answers.ToJson()).Set(Online, OnlineSales).Set("cp.language", 5)
            .Build(Persona.Answers.AssessmentYear);
        var expected = Assessor.Assess(Content, edited);

        var comparison = ValidatedScoring.Compare(Content, Persona.Answers, [OnlineShop, Correction("cp.language", 5)], marginPoints: 10);

        Assert.Equal(expected.Factors.Select(f => f.Score), comparison.Validated.Factors.Select(f => f.Score));
        Assert.Equal(expected.OverallScore, comparison.Validated.OverallScore);
        Assert.Equal(expected.Flags.Select(f => f.Id), comparison.Validated.Flags.Select(f => f.Id));
    }

    [Fact]
    public void Flag_AppearsOnlyWhenTheShownScoresDifferByMoreThanTheMargin()
    {
        var capacity = Assessor.Assess(Content, Persona.Answers).Factor(FactorId).Score!.Value;
        var raw = ExpectedCapacityChange();
        var shown = ValidatedScoring.Shown(capacity + raw) - ValidatedScoring.Shown(capacity);
        Assert.True(shown >= 2, "the correction moves capacity by a few points");

        bool Flagged(double margin) => ValidatedScoring.Compare(Content, Persona.Answers, [OnlineShop], margin).Factors.Single(f => f.FactorId == FactorId).BeyondMargin;

        Assert.False(Flagged(shown)); // just at the margin
        Assert.True(Flagged(shown - 1)); // just over it
        Assert.True(Flagged(shown - 0.01));
        Assert.False(Flagged(shown + 1));
        Assert.Equal(shown, ValidatedScoring.Compare(Content, Persona.Answers, [OnlineShop], shown).Factors.Single(f => f.FactorId == FactorId).Difference);
    }

    [Fact]
    public void Flag_ComparesTheScoresAsShown_NotTheUnroundedOnes()
    {
        // Firm A's capacity is 50 and online sales add 12.5: shown as 50 and 63, a difference of 13.
        var capacity = Assessor.Assess(Content, Persona.Answers).Factor(FactorId).Score!.Value;
        var raw = ExpectedCapacityChange();
        var shown = ValidatedScoring.Shown(capacity + raw) - ValidatedScoring.Shown(capacity);
        Assert.True(shown > raw, $"the shown difference ({shown}) rounds up from the unrounded one ({raw})");

        var comparison = ValidatedScoring.Compare(Content, Persona.Answers, [OnlineShop], marginPoints: raw);

        Assert.True(comparison.Factors.Single(f => f.FactorId == FactorId).BeyondMargin);
    }

    [Fact]
    public void Flag_MarksOnlyTheFactorsThatMoved_AndTheOverallScoreByItsOwnDifference()
    {
        var comparison = ValidatedScoring.Compare(Content, Persona.Answers, [OnlineShop], marginPoints: 0);

        Assert.Equal([FactorId], comparison.Factors.Where(f => f.BeyondMargin).Select(f => f.FactorId));
        var overall = ValidatedScoring.Shown(comparison.Validated.OverallScore!.Value) - ValidatedScoring.Shown(comparison.SelfAssessed.OverallScore!.Value);
        Assert.Equal(overall, comparison.Overall.Difference);
        Assert.Equal(Math.Abs(overall) > 0, comparison.Overall.BeyondMargin);
        Assert.False(ValidatedScoring.Compare(Content, Persona.Answers, [OnlineShop], marginPoints: Math.Abs(overall)).Overall.BeyondMargin);
    }

    [Fact]
    public void FactorAssessedOnlyWhenValidated_IsFlagged_WithNoDifference()
    {
        var answers = Answers.For(Content).Set("cs.intent", "part-of-strategy").Build();

        var comparison = ValidatedScoring.Compare(Content, answers, [Correction("cp.language", 5)], marginPoints: 100);

        var row = comparison.Factors.Single(f => f.FactorId == FactorId);
        Assert.Equal((null, 100d), (row.SelfAssessed, row.Validated));
        Assert.Null(row.Difference);
        Assert.True(row.BeyondMargin);
    }

    [Fact]
    public void CorrectionsThatDoNotFit_AreSkippedAndReported_WhileTheOthersApply()
    {
        var comparison = ValidatedScoring.Compare(Content, Persona.Answers,
        [
            Correction("cp.no-such-question", 3),
            Correction("cp.language", "fluently"), // a scale takes a number
            OnlineShop,
            Correction("ti.first-export-year", 1990), // firm A was founded in 2002
            Correction("cp.region-staff", "an-army"),
        ], marginPoints: 10);

        Assert.Equal(["cp.no-such-question", "cp.language", "ti.first-export-year", "cp.region-staff"], comparison.Skipped.Select(s => s.Path));
        Assert.Equal("is not a question of this questionnaire", comparison.Skipped[0].Message);
        Assert.Equal("expects a whole number from 1 to 5", comparison.Skipped[1].Message);
        Assert.Equal("1990 is before the firm was founded (2002)", comparison.Skipped[2].Message);
        Assert.StartsWith("'an-army' is not an option", comparison.Skipped[3].Message, StringComparison.Ordinal);

        // The one that fits applies as if it were alone; the skipped ones leave their answers as the firm gave them.
        var alone = ValidatedScoring.Compare(Content, Persona.Answers, [OnlineShop], marginPoints: 10);
        Assert.Equal(alone.Validated.Factors.Select(f => f.Score), comparison.Validated.Factors.Select(f => f.Score));
        Assert.Equal(alone.Factors, comparison.Factors);
        var (applied, _) = ValidatedScoring.Apply(Persona.Answers, [Correction("cp.language", "fluently"), OnlineShop]);
        var language = Content.Questionnaire.Find("cp.language")!;
        Assert.Equal(Persona.Answers[language], applied[language]);
        Assert.Equal(OnlineSales, applied.ToJson()["answers"]![Online]!.GetValue<string>());
    }

    [Fact]
    public void CorrectionThatFitsOnlyWithAnEarlierOne_Applies_WhenAnotherIsSkipped()
    {
        // A first export in 1995 clashes with the firm's founding in 2002, not with the corrected founding in 1990.
        var (applied, skipped) = ValidatedScoring.Apply(Persona.Answers,
            [Correction("founded", 1990), Correction("cp.language", 9), Correction("ti.first-export-year", 1995)]);

        Assert.Equal(["cp.language"], skipped.Select(s => s.Path));
        Assert.Equal(1990, applied.ToJson()["profile"]!["founded"]!.GetValue<double>());
        Assert.Equal(1995, applied.ToJson()["answers"]!["ti.first-export-year"]!.GetValue<double>());
    }

    [Fact]
    public void CorrectionThatClashesWithAKeptOne_IsTheOneSkipped()
    {
        var (applied, skipped) = ValidatedScoring.Apply(Persona.Answers, [Correction("founded", 1990), Correction("ti.first-export-year", 1985)]);

        Assert.Equal([("ti.first-export-year", "1985 is before the firm was founded (1990)")], skipped.Select(s => (s.Path, s.Message)));
        Assert.Equal(1990, applied.ToJson()["profile"]!["founded"]!.GetValue<double>());
        Assert.Equal(2002, applied.ToJson()["answers"]!["ti.first-export-year"]!.GetValue<double>());
    }

    [Fact]
    public void Confirmations_ChangeNothing()
    {
        var json = Persona.Answers.ToJson();
        var confirmations = json["profile"]!.AsObject().Concat(json["answers"]!.AsObject())
            .Select(a => Correction(a.Key, a.Value?.DeepClone()))
            .ToList();
        Assert.True(confirmations.Count > 50);

        var comparison = ValidatedScoring.Compare(Content, Persona.Answers, confirmations, marginPoints: 0);

        Assert.Empty(comparison.Skipped);
        Assert.Equal(comparison.SelfAssessed.Factors.Select(f => f.Score), comparison.Validated.Factors.Select(f => f.Score));
        Assert.Equal(comparison.SelfAssessed.OverallScore, comparison.Validated.OverallScore);
        Assert.All(comparison.Factors.Append(comparison.Overall), f =>
        {
            Assert.False(f.BeyondMargin, f.FactorId);
            Assert.True(f.Difference is null or 0, f.FactorId);
        });
        Assert.Equal(json.ToJsonString(), ValidatedScoring.Apply(Persona.Answers, confirmations).Answers.ToJson().ToJsonString());
    }

    [Fact]
    public void NoCorrections_GiveTheSameAnswersBack()
    {
        var (applied, skipped) = ValidatedScoring.Apply(Persona.Answers, []);

        Assert.Empty(skipped);
        Assert.Equal(Persona.Answers.ToJson().ToJsonString(), applied.ToJson().ToJsonString());
        Assert.Equal(Persona.Answers.AssessmentYear, applied.AssessmentYear);
    }
}
