using System.Text.Json.Nodes;
using Portal.Domain.Content;
using Portal.Domain.Questionnaires;
using Portal.Domain.Scoring;

namespace Portal.Tests.TestSupport;

/// <summary>
/// Builds answer sets through the same JSON shape and parser as the API, so tests exercise
/// the real path. Best/Worst pick the answers with the most/fewest points for any question.
/// </summary>
public sealed class Answers(PortalContent content)
{
    private readonly Dictionary<string, JsonNode?> values = [];

    public static Answers For(PortalContent content) => new(content);

    /// <summary>Starts from answers in the canonical JSON shape.</summary>
    public static Answers From(PortalContent content, JsonObject json)
    {
        var answers = new Answers(content);
        foreach (var group in new[] { "profile", "answers" })
        {
            foreach (var (id, value) in json[group]?.AsObject() ?? [])
            {
                answers.values[id] = value?.DeepClone();
            }
        }

        return answers;
    }

    public Answers Set(string questionId, string optionId) => Put(questionId, optionId);

    public Answers Set(string questionId, double number) => Put(questionId, number);

    public Answers Choose(string questionId, params string[] optionIds) =>
        Put(questionId, new JsonArray(optionIds.Select(o => (JsonNode)o).ToArray()));

    public Answers Countries(string questionId, params string[] codes) => Choose(questionId, codes);

    public Answers DontKnow(string questionId) => Put(questionId, Question.DontKnow);

    public Answers Clear(string questionId)
    {
        values.Remove(questionId);
        return this;
    }

    public Answers Best(Question question) => Put(question.Id, BestValue(question));

    public Answers Worst(Question question) => Put(question.Id, WorstValue(question));

    /// <summary>The best answer to every question (and a complete profile).</summary>
    public Answers AllBest()
    {
        foreach (var q in content.Questionnaire.Questions)
        {
            Best(q);
        }

        return this;
    }

    public Answers AllWorst()
    {
        foreach (var q in content.Questionnaire.Questions)
        {
            Worst(q);
        }

        return this;
    }

    public Answers Section(string sectionId, Func<Question, JsonNode?> pick)
    {
        foreach (var q in content.Questionnaire.FindSection(sectionId)!.Questions)
        {
            Put(q.Id, pick(q));
        }

        return this;
    }

    public JsonObject ToJson()
    {
        var profile = new JsonObject();
        var answers = new JsonObject();
        foreach (var (id, value) in values)
        {
            var question = content.Questionnaire.Find(id) ?? throw new InvalidOperationException($"No question {id}");
            (question.IsProfile ? profile : answers)[id] = value?.DeepClone();
        }

        return new JsonObject { ["profile"] = profile, ["answers"] = answers };
    }

    public AnswerSet Build(int? year = 2026)
    {
        var parsed = AnswerSet.Parse(content.Questionnaire, ToJson().ToJsonString(), year);
        return parsed.Answers ?? throw new InvalidOperationException(string.Join("; ", parsed.Problems));
    }

    public AssessmentResult Assess(int? year = 2026) => Assessor.Assess(content, Build(year));

    private Answers Put(string id, JsonNode? value)
    {
        values[id] = value;
        return this;
    }

    public static JsonNode? BestValue(Question q) => q.Kind switch
    {
        QuestionKind.Single when q.IsProfile => q.Options[0].Id,
        QuestionKind.Single => q.Options.MaxBy(o => o.Points)!.Id,
        QuestionKind.Multiple when q.IsProfile => new JsonArray(q.Options[0].Id),
        QuestionKind.Multiple => new JsonArray(q.Options.Where(o => o.Points > 0 && !o.Exclusive).Select(o => (JsonNode)o.Id).ToArray() is { Length: > 0 } best
            ? best : [q.Options.MaxBy(o => o.Points)!.Id]),
        QuestionKind.Scale => 5,
        QuestionKind.Number when q.Thresholds.Count > 0 => Math.Clamp(q.Thresholds.MaxBy(t => t.Points)!.AtLeast, q.Number!.Min, q.Number.Max),
        QuestionKind.Number when q.Number!.Unit == "year" => q.Id == "founded" ? 1990 : 1995,
        QuestionKind.Number => q.Number!.Max,
        QuestionKind.Countries => new JsonArray(CountryCodes(q.Thresholds.Count > 0 ? (int)q.Thresholds.MaxBy(t => t.Points)!.AtLeast : 1, q.MaxCountries)),
        _ => null,
    };

    public static JsonNode? WorstValue(Question q) => q.Kind switch
    {
        QuestionKind.Single when q.IsProfile => q.Options[^1].Id,
        QuestionKind.Single => q.Options.MinBy(o => o.Points)!.Id,
        QuestionKind.Multiple when q.IsProfile => new JsonArray(q.Options[^1].Id),
        QuestionKind.Multiple => new JsonArray(q.Options.MinBy(o => o.Points)!.Id),
        QuestionKind.Scale => 1,
        QuestionKind.Number when q.Thresholds.Count > 0 => Math.Clamp(q.Thresholds.MinBy(t => t.Points)!.AtLeast, q.Number!.Min, q.Number.Max),
        QuestionKind.Number when q.Number!.Unit == "year" => q.Id == "founded" ? 2020 : 2022,
        QuestionKind.Number => q.Number!.Min,
        QuestionKind.Countries => new JsonArray(CountryCodes(q.Thresholds.Count > 0 ? (int)q.Thresholds.MinBy(t => t.Points)!.AtLeast : 1, q.MaxCountries)),
        _ => null,
    };

    private static JsonNode[] CountryCodes(int count, int? max) =>
        Portal.Domain.Questionnaires.Countries.Names.Keys.Order(StringComparer.Ordinal)
            .Take(Math.Min(Math.Max(count, 1), max ?? int.MaxValue)).Select(c => (JsonNode)c).ToArray();
}
