using System.Text.Json.Nodes;
using Portal.Domain.Content;
using Portal.Domain.Questionnaires;
using Portal.Domain.Rules;

namespace Portal.Domain.Scoring;

/// <summary>
/// JSON forms: a result (the <see cref="AssessmentReport"/>, the same for the score command, the
/// score API and storage), the questionnaire, and conditions in the shape content uses.
/// </summary>
public static class ResultJson
{
    public static JsonObject From(AssessmentResult result) =>
        JsonNode.Parse(AssessmentReport.From(result).ToJson())!.AsObject();

    private static JsonArray Sources(PortalContent content, IEnumerable<SourceRef> sources) =>
        new(sources.Select(s => (JsonNode)new JsonObject
        {
            ["id"] = s.SourceId,
            ["section"] = s.Section,
            ["citation"] = content.Cite(s),
        }).ToArray());

    /// <summary>The questionnaire as JSON (GET /api/v1/questionnaire): sections, questions, options, show-if.</summary>
    public static JsonObject Questionnaire(PortalContent content) => new()
    {
        ["version"] = content.Version,
        ["sections"] = new JsonArray(content.Questionnaire.Sections.Select(s => (JsonNode)new JsonObject
        {
            ["id"] = s.Id,
            ["title"] = s.Title,
            ["intro"] = s.Intro,
            ["factor"] = s.Factor?.Id,
            ["answersKey"] = s.IsProfile ? "profile" : "answers",
            ["questions"] = new JsonArray(s.Questions.Select(q => (JsonNode)Question(content, q)).ToArray()),
        }).ToArray()),
    };

    private static JsonObject Question(PortalContent content, Question q)
    {
        var json = new JsonObject
        {
            ["id"] = q.Id,
            ["kind"] = q.Kind.ToString().ToLowerInvariant(),
            ["text"] = q.Text,
            ["help"] = q.Help,
            ["required"] = q.Required,
            ["dontKnow"] = q.OffersDontKnow,
            ["weight"] = q.IsProfile ? null : q.Weight,
            ["sources"] = Sources(content, q.Sources),
        };
        if (q.Options.Count > 0)
        {
            json["options"] = new JsonArray(q.Options.Select(o => (JsonNode)new JsonObject
            {
                ["id"] = o.Id,
                ["label"] = o.Label,
                ["points"] = q.IsProfile ? null : o.Points,
                ["exclusive"] = o.Exclusive ? true : null,
            }).ToArray());
        }

        if (q.Scale is { } scale)
        {
            json["scale"] = new JsonObject { ["min"] = 1, ["max"] = 5, ["minLabel"] = scale.MinLabel, ["maxLabel"] = scale.MaxLabel };
        }

        if (q.Number is { } number)
        {
            json["number"] = new JsonObject { ["min"] = number.Min, ["max"] = number.Max, ["integer"] = number.Integer, ["unit"] = number.Unit };
        }

        if (q.Kind == QuestionKind.Countries)
        {
            json["countries"] = new JsonObject { ["max"] = q.MaxCountries };
        }

        if (q.ShowIf is not null)
        {
            json["showIf"] = Condition(q.ShowIf);
        }

        return json;
    }

    /// <summary>A condition in the same shape as content's YAML.</summary>
    public static JsonNode Condition(Condition condition) => condition switch
    {
        AllOf all => new JsonObject { ["all"] = new JsonArray(all.Conditions.Select(Condition).ToArray()) },
        AnyOf any => new JsonObject { ["any"] = new JsonArray(any.Conditions.Select(Condition).ToArray()) },
        Not not => new JsonObject { ["not"] = Condition(not.Inner) },
        AnswerIs c => Test(c.QuestionId, "is", c.OptionId),
        AnswerIn c => Test(c.QuestionId, "in", new JsonArray(c.OptionIds.Select(o => (JsonNode)o).ToArray())),
        AnswerAtLeast c => Test(c.QuestionId, "at-least", c.Value),
        AnswerAtMost c => Test(c.QuestionId, "at-most", c.Value),
        AnswerGiven c => Test(c.QuestionId, "answered", c.Answered),
        DerivedAtLeast c => new JsonObject { ["profile"] = DerivedFields.Name(c.Field), ["at-least"] = c.Value },
        DerivedAtMost c => new JsonObject { ["profile"] = DerivedFields.Name(c.Field), ["at-most"] = c.Value },
        ScoreBelow c => new JsonObject { ["score"] = c.Target, ["below"] = c.Value },
        ScoreAtLeast c => new JsonObject { ["score"] = c.Target, ["at-least"] = c.Value },
        FlagSet c => new JsonObject { ["flag"] = c.FlagId },
        StageIn c => new JsonObject { ["stage"] = new JsonArray(c.Ids.Select(i => (JsonNode)i).ToArray()) },
        _ => throw new InvalidOperationException($"Unknown condition {condition.GetType().Name}"),
    };

    private static JsonObject Test(string questionId, string test, JsonNode? value) => new()
    {
        [questionId.Contains('.', StringComparison.Ordinal) ? "answer" : "profile"] = questionId,
        [test] = value,
    };
}
