using System.Text.Json.Nodes;
using Portal.Domain.Content;
using Portal.Domain.Questionnaires;

namespace Portal.Domain.Scoring;

/// <summary>
/// Generates plausible answer sets in the canonical JSON shape, from a seeded random source,
/// for property tests, benchmarks and synthetic demo data. The same seed gives the same answers.
/// </summary>
public static class SyntheticAnswers
{
    public static JsonObject Generate(PortalContent content, Random random, double answerRate = 0.85, double dontKnowRate = 0.1)
    {
        var profile = new JsonObject();
        var answers = new JsonObject();
        double? founded = null;
        foreach (var q in content.Questionnaire.Questions)
        {
            if (random.NextDouble() > answerRate)
            {
                continue;
            }

            JsonNode? value;
            if (q.OffersDontKnow && random.NextDouble() < dontKnowRate)
            {
                value = Question.DontKnow;
            }
            else if (q.Number?.Unit == "year")
            {
                // Years are plausible and in order: founded first, anything later no earlier than that.
                var year = founded is { } f ? f + random.Next(0, Math.Max(1, 2025 - (int)f)) : random.Next(1950, 2024);
                founded ??= q.Id == Rules.DerivedFields.FoundedQuestion ? year : null;
                value = year;
            }
            else
            {
                value = Value(q, random);
            }

            (q.IsProfile ? profile : answers)[q.Id] = value;
        }

        return new JsonObject { ["profile"] = profile, ["answers"] = answers };
    }

    private static JsonNode? Value(Question q, Random random)
    {
        switch (q.Kind)
        {
            case QuestionKind.Single:
                return q.Options[random.Next(q.Options.Count)].Id;
            case QuestionKind.Multiple:
                var exclusive = q.Options.FirstOrDefault(o => o.Exclusive);
                if (exclusive is not null && random.NextDouble() < 0.15)
                {
                    return new JsonArray(exclusive.Id);
                }

                return new JsonArray(q.Options.Where(o => !o.Exclusive && random.NextDouble() < 0.4).Select(o => (JsonNode)o.Id).ToArray());
            case QuestionKind.Scale:
                return random.Next(1, 6);
            case QuestionKind.Number:
                var range = q.Number!;
                var value = range.Min + random.NextDouble() * Math.Min(range.Max - range.Min, 300);
                return range.Integer ? Math.Floor(value) : Math.Round(value, 2);
            case QuestionKind.Countries:
                var count = random.Next(0, Math.Min(q.MaxCountries ?? 12, 12) + 1);
                return new JsonArray(Countries.Names.Keys.OrderBy(_ => random.Next()).Take(count).Select(c => (JsonNode)c).ToArray());
            default:
                return null;
        }
    }
}
