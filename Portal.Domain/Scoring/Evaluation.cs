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
        Fired = new bool[compiled.RuleEffects.Length];
        AdvicePriority = new int[compiled.AdviceFactor.Length];
        AdviceReasons = new int[compiled.AdviceFactor.Length];
        AdviceFirstRule = new int[compiled.AdviceFactor.Length];
        FollowUpDay = new int[compiled.AdviceFactor.Length];
        FollowUpRule = new int[compiled.AdviceFactor.Length];
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

    /// <summary>Per rule: did it fire (set as the rules run, in order).</summary>
    public bool[] Fired { get; }

    /// <summary>Per advice index: the highest priority a fired rule gave it, 0 when none advised it.</summary>
    public int[] AdvicePriority { get; }

    // Per advice index, kept as the rules fire (in rule order) so the plan and the follow-ups
    // need not search the fired rules again: how many fired rules advised it and the first of
    // them; the earliest follow-up day a fired rule asked for and the first rule that asked for
    // it. Rules are stored as index + 1, so 0 (the arrays' start) means none.

    public int[] AdviceReasons { get; }

    public int[] AdviceFirstRule { get; }

    public int[] FollowUpDay { get; }

    public int[] FollowUpRule { get; }

    /// <summary>The fired rules' triage points, before clamping to 0-100.</summary>
    public int Triage { get; set; }

    /// <summary>Rule caps in the order the rules fired: factor index (-1: overall), band rank, rule index.</summary>
    public List<(int Target, int BandRank, int Rule)>? RuleCaps { get; set; }

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
