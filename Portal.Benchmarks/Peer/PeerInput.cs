using Portal.Domain.Content;
using Portal.Domain.Scoring;

namespace Portal.Benchmarks.Peer;

/// <summary>
/// One assessment's answers as the peer's expressions read them (parameter <c>a</c>): one array
/// per field, indexed by question. Built once per assessment before scoring, as the portal's
/// <see cref="AnswerSet"/> is; plain arrays of primitives are the cheapest input RulesEngine
/// expressions can read.
/// </summary>
public sealed class PeerAnswers
{
    /// <summary>The <see cref="AnswerKind"/> of each answer, as an int (0: not answered).</summary>
    public required int[] Kind { get; init; }

    /// <summary>Single choice: the chosen option's index; -1 otherwise.</summary>
    public required int[] Option { get; init; }

    /// <summary>Multiple choice: bit i set when option i is chosen; 0 otherwise.</summary>
    public required ulong[] Options { get; init; }

    /// <summary>Scale and number answers.</summary>
    public required double[] Number { get; init; }

    /// <summary>Countries answers: how many countries.</summary>
    public required int[] Countries { get; init; }

    public required bool HasYear { get; init; }

    /// <summary>The year the assessment is made in (for the firm's age) when <see cref="HasYear"/>.</summary>
    public required int Year { get; init; }

    public static PeerAnswers From(PortalContent content, AnswerSet answers)
    {
        var questions = content.Questionnaire.Questions;
        var kind = new int[questions.Count];
        var option = new int[questions.Count];
        var options = new ulong[questions.Count];
        var number = new double[questions.Count];
        var countries = new int[questions.Count];
        foreach (var q in questions)
        {
            var value = answers[q];
            kind[q.Index] = (int)value.Kind;
            option[q.Index] = value.Kind == AnswerKind.Option ? value.Option : -1;
            options[q.Index] = value.Kind == AnswerKind.Options ? value.Options : 0;
            number[q.Index] = value.Kind == AnswerKind.Number ? value.Number : 0;
            countries[q.Index] = value.Kind == AnswerKind.Countries ? value.Countries.Length : 0;
        }

        return new PeerAnswers
        {
            Kind = kind,
            Option = option,
            Options = options,
            Number = number,
            Countries = countries,
            HasYear = answers.AssessmentYear.HasValue,
            Year = answers.AssessmentYear ?? 0,
        };
    }
}

/// <summary>
/// What one assessment's scoring has worked out so far (parameter <c>s</c>): which questions
/// apply, the scores, the flags and the stage. New for every assessment, as the portal's own
/// working state is; each workflow's results are written here before the next workflow reads them.
/// </summary>
public sealed class PeerState
{
    public PeerState(int questions, int factors, int pillars, int flags, int defaultStage)
    {
        Visible = new bool[questions];
        Factor = new double[factors];
        Pillar = new double[pillars];
        Flag = new bool[flags];
        Stage = defaultStage;
    }

    public bool[] Visible { get; }

    /// <summary>NaN: not assessed.</summary>
    public double[] Factor { get; }

    public double[] Pillar { get; }

    public double Overall { get; set; } = double.NaN;

    public bool[] Flag { get; }

    /// <summary>The stage's rank: the most advanced stage a fired rule set, else the model's default stage.</summary>
    public int Stage { get; set; }
}
