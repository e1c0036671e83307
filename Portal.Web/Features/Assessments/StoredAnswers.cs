using System.Text.Json;
using System.Text.Json.Nodes;
using Portal.Domain.Content;
using Portal.Domain.Questionnaires;
using Portal.Domain.Scoring;

namespace Portal.Web.Features.Assessments;

/// <summary>
/// Turns stored answer rows (question id + JSON value) into an <see cref="AnswerSet"/>. Each row
/// is checked on its own against the current questionnaire: one that no longer fits (an option
/// removed from the content) is left out and named, so it never breaks the rest.
/// </summary>
public static class StoredAnswers
{
    public static (AnswerSet Answers, IReadOnlyList<string> Unusable) Assemble(
        PortalContent content, IEnumerable<(string QuestionId, string ValueJson)> rows, int? year)
    {
        var json = new JsonObject { ["profile"] = new JsonObject(), ["answers"] = new JsonObject() };
        var unusable = new List<string>();
        foreach (var (questionId, valueJson) in rows)
        {
            var question = content.Questionnaire.Find(questionId);
            JsonNode? value;
            try
            {
                value = JsonNode.Parse(valueJson);
            }
            catch (JsonException)
            {
                unusable.Add(questionId);
                continue;
            }

            if (question is null || Check(content, question, value) is not null)
            {
                unusable.Add(questionId);
                continue;
            }

            json[question.IsProfile ? "profile" : "answers"]![questionId] = value;
        }

        var parsed = AnswerSet.Parse(content.Questionnaire, json.ToJsonString(), year);
        if (parsed.Answers is null)
        {
            // Answers that fit one by one can contradict each other (a first export before the
            // founding year, stored before that was checked): leave those out, not all of them.
            foreach (var id in parsed.Problems.Select(p => QuestionIdOf(content, p.Path)).OfType<string>().Distinct())
            {
                (json["profile"]!.AsObject()).Remove(id);
                (json["answers"]!.AsObject()).Remove(id);
                unusable.Add(id);
            }

            parsed = AnswerSet.Parse(content.Questionnaire, json.ToJsonString(), year);
        }

        return (parsed.Answers ?? AnswerSet.Empty(content.Questionnaire, year), unusable);
    }

    /// <summary>
    /// Checks one answer with the same parser the API uses; returns the problem, or null. With
    /// the year, a year answer after it is refused (the answer set it would join refuses it too).
    /// </summary>
    public static string? Check(PortalContent content, Question question, JsonNode? value, int? year = null)
    {
        var group = new JsonObject { [question.Id] = value?.DeepClone() };
        var json = new JsonObject { [question.IsProfile ? "profile" : "answers"] = group };
        string text;
        try
        {
            text = json.ToJsonString();
        }
        catch (InvalidOperationException)
        {
            return "contains text that is not valid Unicode"; // a lone surrogate, which no JSON text can carry
        }
        catch (ArgumentException)
        {
            return "is not a number JSON can hold (NaN or infinity)";
        }

        var parsed = AnswerSet.Parse(content.Questionnaire, text, year);
        return parsed.Problems.Count == 0 ? null : parsed.Problems[0].Message;
    }

    /// <summary>
    /// Checks new values (each fit on its own) against each other and the answers stored: a
    /// founding year after the first export contradicts it. Only problems the new values cause
    /// count, so an old contradiction never blocks saving something else. By question id.
    /// </summary>
    public static Dictionary<string, string> CheckTogether(
        PortalContent content, IEnumerable<(string QuestionId, string ValueJson)> stored, IReadOnlyList<(Question Question, JsonNode? Value)> given, int year)
    {
        var before = new JsonObject { ["profile"] = new JsonObject(), ["answers"] = new JsonObject() };
        foreach (var (questionId, valueJson) in stored)
        {
            if (content.Questionnaire.Find(questionId) is { } question && TryParse(valueJson) is { } value && Check(content, question, value) is null)
            {
                before[question.IsProfile ? "profile" : "answers"]![questionId] = value;
            }
        }

        var after = before.DeepClone().AsObject();
        foreach (var (question, value) in given)
        {
            after[question.IsProfile ? "profile" : "answers"]![question.Id] = value?.DeepClone();
        }

        var old = AnswerSet.Parse(content.Questionnaire, before.ToJsonString(), year).Problems.ToHashSet();
        var errors = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var problem in AnswerSet.Parse(content.Questionnaire, after.ToJsonString(), year).Problems.Where(p => !old.Contains(p)))
        {
            var id = QuestionIdOf(content, problem.Path);
            if (id is not null && given.Any(g => g.Question.Id == id))
            {
                errors.TryAdd(id, problem.Message);
                continue;
            }

            var other = id is null ? null : content.Questionnaire.Find(id);
            foreach (var (question, _) in given)
            {
                errors.TryAdd(question.Id, other is null ? problem.Message : $"does not fit your answer to “{other.Text}”: {problem.Message}");
            }
        }

        return errors;
    }

    private static JsonNode? TryParse(string json)
    {
        try
        {
            return JsonNode.Parse(json);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>"answers.ti.first-export-year[2]" names question ti.first-export-year.</summary>
    private static string? QuestionIdOf(PortalContent content, string path)
    {
        var rest = path.Split('.', 2) is [("profile" or "answers"), var r] ? r : null;
        if (rest is null)
        {
            return null;
        }

        var bracket = rest.IndexOf('[', StringComparison.Ordinal);
        var id = bracket < 0 ? rest : rest[..bracket];
        return content.Questionnaire.Find(id) is null ? null : id;
    }
}
