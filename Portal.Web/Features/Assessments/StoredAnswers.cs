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
        return (parsed.Answers ?? AnswerSet.Empty(content.Questionnaire, year), unusable);
    }

    /// <summary>Checks one answer with the same parser the API uses; returns the problem, or null.</summary>
    public static string? Check(PortalContent content, Question question, JsonNode? value)
    {
        var group = new JsonObject { [question.Id] = value?.DeepClone() };
        var json = new JsonObject { [question.IsProfile ? "profile" : "answers"] = group };
        var parsed = AnswerSet.Parse(content.Questionnaire, json.ToJsonString(), null);
        return parsed.Problems.Count == 0 ? null : parsed.Problems[0].Message;
    }
}
