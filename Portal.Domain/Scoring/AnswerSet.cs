using System.Collections.Immutable;
using System.Globalization;
using System.Numerics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Portal.Domain.Questionnaires;

namespace Portal.Domain.Scoring;

public enum AnswerKind : byte
{
    None,
    Option,
    Options,
    Number,
    Countries,
    DontKnow,
}

/// <summary>
/// One answer, stored compactly: an option index (single), a bit mask of option indexes
/// (multiple), a number (scale, number), or ISO country codes.
/// </summary>
public readonly record struct AnswerValue(AnswerKind Kind, int Option, ulong Options, double Number, ImmutableArray<string> Countries)
{
    public static readonly AnswerValue None = default;

    public static readonly AnswerValue DontKnowAnswer = new(AnswerKind.DontKnow, -1, 0, 0, default);

    public bool HasValue => Kind != AnswerKind.None;

    public bool IsDontKnow => Kind == AnswerKind.DontKnow;

    /// <summary>How many options or countries were chosen.</summary>
    public int Count => Kind switch
    {
        AnswerKind.Options => BitOperations.PopCount(Options),
        AnswerKind.Countries => Countries.Length,
        AnswerKind.Option => 1,
        _ => 0,
    };

    public static AnswerValue ForOption(int index) => new(AnswerKind.Option, index, 0, 0, default);

    public static AnswerValue ForOptions(ulong mask) => new(AnswerKind.Options, -1, mask, 0, default);

    public static AnswerValue ForNumber(double value) => new(AnswerKind.Number, -1, 0, value, default);

    public static AnswerValue ForCountries(ImmutableArray<string> codes) => new(AnswerKind.Countries, -1, 0, 0, codes);
}

/// <summary>
/// A firm's profile and answers, checked against one questionnaire. The JSON shape is the
/// same everywhere (files, the score API, storage):
/// <c>{"profile": {"sector": "manufacturing"}, "answers": {"cs.activity": "agents", "cp.language": 4}}</c>.
/// </summary>
public sealed class AnswerSet
{
    private readonly AnswerValue[] values;

    internal AnswerSet(Questionnaire questionnaire, AnswerValue[] values, int? assessmentYear)
    {
        Questionnaire = questionnaire;
        this.values = values;
        AssessmentYear = assessmentYear;
    }

    public Questionnaire Questionnaire { get; }

    /// <summary>The year the assessment is made in, for the firm's age; null when unknown.</summary>
    public int? AssessmentYear { get; }

    public AnswerValue this[Question question] => values[question.Index];

    internal AnswerValue[] Raw => values;

    public int AnsweredCount => values.Count(v => v.HasValue);

    public static AnswerSet Empty(Questionnaire questionnaire, int? assessmentYear = null) =>
        new(questionnaire, new AnswerValue[questionnaire.Questions.Count], assessmentYear);

    /// <summary>A copy with one answer replaced (AnswerValue.None clears it).</summary>
    public AnswerSet With(Question question, AnswerValue value)
    {
        var copy = (AnswerValue[])values.Clone();
        copy[question.Index] = value;
        return new AnswerSet(Questionnaire, copy, AssessmentYear);
    }

    public AnswerSet WithAssessmentYear(int? year) => new(Questionnaire, values, year);

    /// <summary>Parses the JSON shape; every problem is reported with its JSON path.</summary>
    public static AnswerParseResult Parse(Questionnaire questionnaire, JsonElement root, int? assessmentYear) =>
        new AnswerParser(questionnaire).Parse(root, assessmentYear);

    public static AnswerParseResult Parse(Questionnaire questionnaire, string json, int? assessmentYear)
    {
        json = json.TrimStart('\uFEFF'); // a byte-order mark some editors write is not an error
        try
        {
            using var document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 16 });
            return Parse(questionnaire, document.RootElement, assessmentYear);
        }
        catch (JsonException e)
        {
            return new AnswerParseResult(null, [new AnswerProblem("$", $"is not valid JSON: {e.Message}")]);
        }
    }

    /// <summary>The canonical JSON shape (questions in questionnaire order).</summary>
    public JsonObject ToJson()
    {
        var profile = new JsonObject();
        var answers = new JsonObject();
        foreach (var question in Questionnaire.Questions)
        {
            var value = values[question.Index];
            if (!value.HasValue)
            {
                continue;
            }

            JsonNode? node = value.Kind switch
            {
                AnswerKind.DontKnow => Question.DontKnow,
                AnswerKind.Option => question.Options[value.Option].Id,
                AnswerKind.Options => new JsonArray(question.Options.Where(o => (value.Options & (1UL << o.Index)) != 0).Select(o => (JsonNode)o.Id).ToArray()),
                AnswerKind.Number => value.Number,
                AnswerKind.Countries => new JsonArray(value.Countries.Select(c => (JsonNode)c).ToArray()),
                _ => null,
            };
            (question.IsProfile ? profile : answers)[question.Id] = node;
        }

        return new JsonObject { ["profile"] = profile, ["answers"] = answers };
    }

    public string ToJsonString() => ToJson().ToJsonString();

    /// <summary>The answer as a person reads it: option labels, numbers, country codes.</summary>
    public string Describe(Question question)
    {
        var value = values[question.Index];
        return value.Kind switch
        {
            AnswerKind.None => "not answered",
            AnswerKind.DontKnow => "Don't know",
            AnswerKind.Option => question.Options[value.Option].Label,
            AnswerKind.Options => value.Options == 0 ? "none chosen" : string.Join("; ", question.Options.Where(o => (value.Options & (1UL << o.Index)) != 0).Select(o => o.Label)),
            AnswerKind.Number when question.Kind == QuestionKind.Scale => DescribeScale(question, value.Number),
            AnswerKind.Number => value.Number.ToString("0.##", CultureInfo.InvariantCulture) + (question.Number?.Unit is { } unit && unit != "year" ? " " + unit : ""),
            AnswerKind.Countries => value.Countries.Length == 0 ? "none chosen" : string.Join(", ", value.Countries.Select(Countries.NameOf)),
            _ => "",
        };
    }

    private static string DescribeScale(Question question, double value)
    {
        var n = (int)value;
        return question.Scale is { } s && n == 1 ? $"1 ({s.MinLabel})"
            : question.Scale is { } t && n == 5 ? $"5 ({t.MaxLabel})"
            : $"{n} of 5";
    }
}

/// <summary>A problem with one answer: where it is (a JSON path) and what is wrong.</summary>
public sealed record AnswerProblem(string Path, string Message)
{
    public override string ToString() => $"{Path}: {Message}";
}

public sealed record AnswerParseResult(AnswerSet? Answers, IReadOnlyList<AnswerProblem> Problems)
{
    public bool Succeeded => Answers is not null;
}
