using Portal.Domain.Rules;

namespace Portal.Domain.Scoring;

/// <summary>The working state of one assessment while it is scored; compiled conditions read it.</summary>
internal sealed class Evaluation : IConditionState
{
    public Evaluation(CompiledContent compiled, AnswerSet answers, int factorCount, int pillarCount, int flagCount)
    {
        Compiled = compiled;
        Answers = answers.Raw;
        Year = answers.AssessmentYear;
        Visible = new bool[compiled.QuestionCount];
        FactorScores = new double[factorCount];
        PillarScores = new double[pillarCount];
        Flags = new bool[flagCount];
    }

    public CompiledContent Compiled { get; }

    public AnswerValue[] Answers { get; }

    public int? Year { get; }

    public bool[] Visible { get; }

    /// <summary>NaN: not assessed.</summary>
    public double[] FactorScores { get; }

    public double[] PillarScores { get; }

    public double OverallScore { get; set; } = double.NaN;

    public bool[] Flags { get; }

    /// <summary>The most advanced stage whose rule fired, or -1.</summary>
    public int FiredStageRank { get; set; } = -1;

    public int StageRank => FiredStageRank >= 0 ? FiredStageRank : Compiled.DefaultStageRank;

    public AnswerValue Answer(int question) => Visible[question] ? Answers[question] : AnswerValue.None;

    public double? Derived(DerivedField field)
    {
        var founded = Number(Compiled.FoundedQuestion);
        if (founded is null)
        {
            return null;
        }

        return field switch
        {
            DerivedField.FirmAge => Year - founded,
            DerivedField.YearsToFirstExport => Number(Compiled.FirstExportQuestion) - founded,
            _ => null,
        };
    }

    public double Score(ScoreScope scope, int index) => scope switch
    {
        ScoreScope.Factor => FactorScores[index],
        ScoreScope.Pillar => PillarScores[index],
        ScoreScope.Overall => OverallScore,
        _ => double.NaN,
    };

    public bool Flag(int flag) => Flags[flag];

    private double? Number(int question) =>
        question >= 0 && Visible[question] && Answers[question].Kind == AnswerKind.Number ? Answers[question].Number : null;
}
