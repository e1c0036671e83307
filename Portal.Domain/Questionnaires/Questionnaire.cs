using System.Collections.Frozen;
using Portal.Domain.Content;
using Portal.Domain.Rules;

namespace Portal.Domain.Questionnaires;

public enum QuestionKind
{
    Single,
    Multiple,
    Scale,
    Number,
    Countries,
}

public sealed record QuestionOption(string Id, string Label, double Points, bool Exclusive, int Index);

/// <summary>Points for a number (or a count of countries): the highest step reached.</summary>
public sealed record Threshold(double AtLeast, double Points);

public sealed record ScaleLabels(string MinLabel, string MaxLabel);

public sealed record NumberRange(double Min, double Max, bool Integer, string? Unit);

public sealed class Question
{
    public const string DontKnow = "dont-know";

    public required string Id { get; init; }

    public required QuestionKind Kind { get; init; }

    public required string Text { get; init; }

    public required string Help { get; init; }

    public required IReadOnlyList<SourceRef> Sources { get; init; }

    /// <summary>Share of its factor relative to the other questions (0: not scored).</summary>
    public double Weight { get; init; } = 1;

    public bool Required { get; init; } = true;

    /// <summary>Offers "Don't know", which scores 0 and raises the dont-know flag.</summary>
    public bool OffersDontKnow { get; init; }

    public Condition? ShowIf { get; init; }

    public IReadOnlyList<QuestionOption> Options { get; init; } = [];

    public ScaleLabels? Scale { get; init; }

    public NumberRange? Number { get; init; }

    public IReadOnlyList<Threshold> Thresholds { get; init; } = [];

    /// <summary>Countries: at most this many may be chosen.</summary>
    public int? MaxCountries { get; init; }

    /// <summary>Multiple choice: points are capped here (default: all positive points).</summary>
    public double? MaxPointsSetting { get; init; }

    public Section Section { get; internal set; } = default!;

    /// <summary>Position among all questions of the questionnaire (profile first).</summary>
    public int Index { get; internal set; }

    public int Line { get; init; }

    public bool IsProfile => Section.IsProfile;

    /// <summary>The most points an answer can earn (0: the question does not count towards a score).</summary>
    public double MaxPoints => Kind switch
    {
        QuestionKind.Single => Options.Count == 0 ? 0 : Options.Max(o => o.Points),
        QuestionKind.Multiple => MaxPointsSetting ?? Options.Where(o => o.Points > 0).Sum(o => o.Points),
        QuestionKind.Scale => 4,
        QuestionKind.Number or QuestionKind.Countries => Thresholds.Count == 0 ? 0 : Thresholds.Max(t => t.Points),
        _ => 0,
    };

    public QuestionOption? FindOption(string id) => Options.FirstOrDefault(o => o.Id == id);
}

public sealed class Section
{
    public const string ProfileId = "profile";

    public required string Id { get; init; }

    public required string Title { get; init; }

    public required string Intro { get; init; }

    public required string Prefix { get; init; }

    public required IReadOnlyList<Question> Questions { get; init; }

    /// <summary>The factor this section scores; null for the profile.</summary>
    public Factor? Factor { get; init; }

    public required string File { get; init; }

    public bool IsProfile => Factor is null;
}

/// <summary>All sections: the profile first, then one per factor in model order.</summary>
public sealed class Questionnaire
{
    private readonly FrozenDictionary<string, Question> byId;

    public Questionnaire(IReadOnlyList<Section> sections)
    {
        Sections = sections;
        Questions = sections.SelectMany(s => s.Questions).ToList();
        for (var i = 0; i < Questions.Count; i++)
        {
            Questions[i].Index = i;
        }

        byId = Questions.GroupBy(q => q.Id).ToFrozenDictionary(g => g.Key, g => g.First());
    }

    public IReadOnlyList<Section> Sections { get; }

    public IReadOnlyList<Question> Questions { get; }

    public Section Profile => Sections.First(s => s.IsProfile);

    public Question? Find(string id) => byId.GetValueOrDefault(id);

    public Section? FindSection(string id) => Sections.FirstOrDefault(s => s.Id == id);
}
