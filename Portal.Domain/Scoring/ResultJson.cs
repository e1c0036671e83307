using System.Text.Json.Nodes;
using Portal.Domain.Content;
using Portal.Domain.Questionnaires;
using Portal.Domain.Rules;

namespace Portal.Domain.Scoring;

/// <summary>
/// The JSON form of a result, the same for the score command, the score API and storage:
/// scores, bands, caps, stage, flags, the ranked plan with its reasons, follow-ups, triage
/// and the trace of every rule.
/// </summary>
public static class ResultJson
{
    public static JsonObject From(AssessmentResult result)
    {
        var content = result.Content;
        return new JsonObject
        {
            ["contentVersion"] = result.ContentVersion,
            ["overall"] = new JsonObject
            {
                ["score"] = Round(result.OverallScore),
                ["band"] = Band(result.OverallBand),
                ["uncappedBand"] = result.UncappedOverallBand?.Id,
                ["caps"] = new JsonArray(result.Caps.Select(c => (JsonNode)new JsonObject
                {
                    ["target"] = c.Target,
                    ["band"] = c.Band.Id,
                    ["reason"] = c.Reason == CapReason.Knockout ? "knockout" : "rule",
                    ["factor"] = c.Factor?.Id,
                    ["rule"] = c.Rule?.Id,
                    ["explanation"] = c.Explanation,
                }).ToArray()),
            },
            ["pillars"] = new JsonArray(result.Pillars.Select(p => (JsonNode)new JsonObject
            {
                ["id"] = p.Pillar.Id,
                ["name"] = p.Pillar.Name,
                ["weight"] = p.Pillar.Weight,
                ["score"] = Round(p.Score),
                ["band"] = p.Band?.Id,
            }).ToArray()),
            ["factors"] = new JsonArray(result.Factors.Select(f => (JsonNode)Factor(result, f)).ToArray()),
            ["stage"] = new JsonObject
            {
                ["id"] = result.Stage.Id,
                ["name"] = result.Stage.Name,
                ["group"] = result.StageGroup.Id,
                ["groupName"] = result.StageGroup.Name,
            },
            ["flags"] = new JsonArray(result.Flags.Select(f => (JsonNode)new JsonObject
            {
                ["id"] = f.Id,
                ["name"] = f.Name,
                ["description"] = f.Description,
            }).ToArray()),
            ["actionPlan"] = new JsonArray(result.ActionPlan.Select((item, i) => (JsonNode)new JsonObject
            {
                ["rank"] = i + 1,
                ["advice"] = item.Advice.Id,
                ["title"] = item.Advice.Title,
                ["summary"] = item.Advice.Summary,
                ["factor"] = item.Advice.FactorId,
                ["audience"] = item.Audience == Audience.Owner ? "owner" : "advisor",
                ["priority"] = item.Priority.ToString().ToLowerInvariant(),
                ["inFocus"] = item.InFocus,
                ["impact"] = Math.Round(item.Impact, 2),
                ["sources"] = Sources(content, item.Advice.Sources),
                ["because"] = new JsonArray(item.Because.Select(r => (JsonNode)Because(result, r)).ToArray()),
            }).ToArray()),
            ["followUps"] = new JsonArray(result.FollowUps.Select(f => (JsonNode)new JsonObject
            {
                ["advice"] = f.Advice.Id,
                ["title"] = f.Advice.Title,
                ["afterDays"] = f.AfterDays,
                ["rule"] = f.Because.Id,
            }).ToArray()),
            ["triagePriority"] = result.TriagePriority,
            ["trace"] = new JsonArray(result.Trace.Select(t => (JsonNode)new JsonObject
            {
                ["rule"] = t.Rule.Id,
                ["file"] = t.Rule.File,
                ["fired"] = t.Fired,
                ["explain"] = t.Rule.Explain,
                ["evidence"] = Evidence(t.Evidence),
            }).ToArray()),
        };
    }

    private static JsonObject Factor(AssessmentResult result, FactorResult f)
    {
        var explanation = result.Explain(f.Factor);
        return new JsonObject
        {
            ["id"] = f.Factor.Id,
            ["name"] = f.Factor.Name,
            ["pillar"] = f.Factor.Pillar.Id,
            ["weight"] = f.Factor.Weight,
            ["score"] = Round(f.Score),
            ["band"] = f.Band?.Id,
            ["uncappedBand"] = f.UncappedBand?.Id,
            ["threshold"] = f.Factor.Threshold,
            ["isGap"] = f.IsGap,
            ["answered"] = f.Answered,
            ["asked"] = f.Asked,
            ["explanation"] = explanation.Summary,
            ["questions"] = new JsonArray(explanation.Questions.Select(q => (JsonNode)new JsonObject
            {
                ["id"] = q.Question.Id,
                ["text"] = q.Question.Text,
                ["answer"] = q.Answer,
                ["points"] = Math.Round(q.Points, 2),
                ["maxPoints"] = q.MaxPoints,
                ["weight"] = q.Weight,
                ["counted"] = q.Counted,
                ["note"] = q.Note,
            }).ToArray()),
        };
    }

    private static JsonObject Because(AssessmentResult result, Rule rule) => new()
    {
        ["rule"] = rule.Id,
        ["explain"] = rule.Explain,
        ["evidence"] = Evidence(result.EvidenceFor(rule)),
    };

    private static JsonArray Evidence(IReadOnlyList<Evidence> evidence) =>
        new(evidence.Select(e => (JsonNode)new JsonObject { ["text"] = e.Text, ["question"] = e.QuestionId }).ToArray());

    private static JsonArray Sources(PortalContent content, IEnumerable<SourceRef> sources) =>
        new(sources.Select(s => (JsonNode)new JsonObject
        {
            ["id"] = s.SourceId,
            ["section"] = s.Section,
            ["citation"] = content.Cite(s),
        }).ToArray());

    private static JsonObject? Band(Band? band) => band is null ? null : new JsonObject
    {
        ["id"] = band.Id,
        ["name"] = band.Name,
        ["meaning"] = band.Meaning,
    };

    private static double? Round(double? value) => value is { } v ? Math.Round(v, 1) : null;

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
