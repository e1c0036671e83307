using System.Text.Json.Nodes;
using Portal.Domain.Content;
using Portal.Domain.Questionnaires;
using Portal.Domain.Rules;

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

    /// <summary>
    /// A firm like the one given (a persona's answers, or a firm's previous assessment): each
    /// answer changed with probability <paramref name="noise"/> to a neighbouring value (a scale
    /// point up or down, another option, an option more or fewer), a step down more often than
    /// up as <paramref name="tendency"/> goes from 1 to -1, so firms like one persona still
    /// spread over the bands. Years stay as given, so the answers stay in order. Questions that
    /// decide which others are asked change far less often; when one does,
    /// <see cref="Complete"/> answers what it newly asks.
    /// </summary>
    public static JsonObject Vary(PortalContent content, JsonObject given, Random random, double noise = 0.25, double tendency = 0)
    {
        var steering = Steering.GetValue(content.Questionnaire, SteeringQuestions);
        return Change(content, given, (question, value) =>
        {
            var rate = steering.Contains(question.Id) ? noise / 5 : noise;
            return random.NextDouble() >= rate ? value
                : Neighbour(question, value, random, towards: random.NextDouble() < (1 + tendency) / 2 ? 1 : -1);
        });
    }

    /// <summary>
    /// The same firm some months later: a few answers one step better (more often) or worse,
    /// as a reassessment after support would read. The profile and the questions that steer
    /// others are left alone.
    /// </summary>
    public static JsonObject Progress(PortalContent content, JsonObject previous, Random random, double better = 0.2, double worse = 0.05)
    {
        var steering = Steering.GetValue(content.Questionnaire, SteeringQuestions);
        return Change(content, previous, (question, value) =>
        {
            if (question.IsProfile || steering.Contains(question.Id))
            {
                return value;
            }

            var roll = random.NextDouble();
            return roll < better ? Neighbour(question, value, random, towards: 1)
                : roll < better + worse ? Neighbour(question, value, random, towards: -1)
                : value;
        });
    }

    /// <summary>
    /// Answers every required question that the answers make apply and leave unanswered (a
    /// changed steering answer asks new questions; a firm's age in the assessment year can
    /// too), with plausible random values, so the set could be submitted. Returns the answers
    /// as JSON and parsed for the year.
    /// </summary>
    public static (JsonObject Json, AnswerSet Answers) Complete(PortalContent content, JsonObject json, Random random, int? year)
    {
        // Each answer can make more questions apply; the questionnaire is shallow, so a few rounds settle it.
        for (var round = 0; round < 5; round++)
        {
            var parsed = AnswerSet.Parse(content.Questionnaire, json.ToJsonString(), year);
            var answers = parsed.Answers ?? throw new InvalidOperationException(
                $"Synthetic answers do not parse: {string.Join("; ", parsed.Problems.Take(3))}");
            var result = Assessor.Assess(content, answers);
            var missing = content.Questionnaire.Questions.Where(q => q.Required && result.IsVisible(q) && !answers[q].HasValue).ToList();
            if (missing.Count == 0)
            {
                return (json, answers);
            }

            foreach (var question in missing)
            {
                // A required number here is a year (the first export): the founding year keeps it in order.
                var value = question.Number?.Unit == "year"
                    ? JsonValue.Create(NumberOf(json["profile"]?[DerivedFields.FoundedQuestion]) is { } founded
                        ? Math.Min(year ?? 2025, founded + random.Next(0, 10)) : 2000)
                    : Value(question, random);
                json[question.IsProfile ? "profile" : "answers"]![question.Id] = value;
            }
        }

        throw new InvalidOperationException("Synthetic answers did not settle into a complete set.");
    }

    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<Questionnaire, IReadOnlySet<string>> Steering = new();

    /// <summary>The questions any show-if looks at: changing their answers changes which questions are asked.</summary>
    public static IReadOnlySet<string> SteeringQuestions(Questionnaire questionnaire)
    {
        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var question in questionnaire.Questions)
        {
            if (question.ShowIf is { } condition)
            {
                Collect(condition, ids);
            }
        }

        return ids;
    }

    private static void Collect(Condition condition, HashSet<string> ids)
    {
        switch (condition)
        {
            case AllOf all:
                foreach (var inner in all.Conditions)
                {
                    Collect(inner, ids);
                }

                break;
            case AnyOf any:
                foreach (var inner in any.Conditions)
                {
                    Collect(inner, ids);
                }

                break;
            case Not not:
                Collect(not.Inner, ids);
                break;
            case AnswerIs a:
                ids.Add(a.QuestionId);
                break;
            case AnswerIn a:
                ids.Add(a.QuestionId);
                break;
            case AnswerAtLeast a:
                ids.Add(a.QuestionId);
                break;
            case AnswerAtMost a:
                ids.Add(a.QuestionId);
                break;
            case AnswerGiven a:
                ids.Add(a.QuestionId);
                break;
        }
    }

    private static JsonObject Change(PortalContent content, JsonObject given, Func<Question, JsonNode?, JsonNode?> change)
    {
        var result = new JsonObject();
        foreach (var group in new[] { "profile", "answers" })
        {
            var changed = new JsonObject();
            if (given[group] is JsonObject answers)
            {
                foreach (var (id, value) in answers)
                {
                    var question = content.Questionnaire.Find(id);
                    var keep = question is null || value is null || (value is JsonValue v && v.TryGetValue<string>(out var s) && s == Question.DontKnow)
                        || question.Number?.Unit == "year";
                    changed[id] = keep ? value?.DeepClone() : change(question!, value)?.DeepClone();
                }
            }

            result[group] = changed;
        }

        return result;
    }

    /// <summary>
    /// A value next to the given one. <paramref name="towards"/>: 1 a step to more points,
    /// -1 to fewer, 0 either way.
    /// </summary>
    private static JsonNode? Neighbour(Question q, JsonNode? value, Random random, int towards)
    {
        int Direction() => towards != 0 ? towards : random.Next(2) == 0 ? -1 : 1;
        switch (q.Kind)
        {
            case QuestionKind.Scale when value is JsonValue v && v.TryGetValue<int>(out var points):
                return Math.Clamp(points + Direction(), 1, 5);
            case QuestionKind.Single when value is JsonValue v && v.TryGetValue<string>(out var chosen):
                var options = q.Options.Where(o => !o.Exclusive).OrderBy(o => o.Points).ThenBy(o => o.Index).ToList();
                var at = options.FindIndex(o => o.Id == chosen);
                if (at < 0)
                {
                    return value; // an exclusive answer ("none of these") stays
                }

                return options[Math.Clamp(at + Direction(), 0, options.Count - 1)].Id;
            case QuestionKind.Multiple when value is JsonArray chosenOptions:
                var ids = chosenOptions.Select(n => n?.GetValue<string>()).OfType<string>().ToList();
                var open = q.Options.Where(o => !o.Exclusive).Select(o => o.Id).ToList();
                if (ids.Any(id => q.FindOption(id)?.Exclusive == true))
                {
                    return Direction() > 0 && open.Count > 0 ? new JsonArray(JsonValue.Create(open[random.Next(open.Count)])) : value;
                }

                var add = open.Where(id => !ids.Contains(id)).ToList();
                if (Direction() > 0 && add.Count > 0)
                {
                    ids.Add(add[random.Next(add.Count)]);
                }
                else if (ids.Count > 1)
                {
                    ids.RemoveAt(random.Next(ids.Count));
                }

                return new JsonArray(ids.OrderBy(id => q.FindOption(id)!.Index).Select(id => (JsonNode)JsonValue.Create(id)).ToArray());
            case QuestionKind.Number when value is JsonValue v && v.TryGetValue<double>(out var number):
                var range = q.Number!;
                var moved = Math.Clamp(number * (1 + (Direction() * random.NextDouble() * 0.2)), range.Min, range.Max);
                return range.Integer ? Math.Round(moved) : Math.Round(moved, 2);
            case QuestionKind.Countries when value is JsonArray countries:
                var codes = countries.Select(n => n?.GetValue<string>()).OfType<string>().ToList();
                if (Direction() > 0 && codes.Count < (q.MaxCountries ?? 12))
                {
                    var others = CountryCodes.Where(c => !codes.Contains(c)).ToList();
                    codes.Add(others[random.Next(others.Count)]);
                }
                else if (codes.Count > 1)
                {
                    codes.RemoveAt(random.Next(codes.Count));
                }

                return new JsonArray(codes.Select(c => (JsonNode)JsonValue.Create(c)).ToArray());
            default:
                return value;
        }
    }

    private static double? NumberOf(JsonNode? node) => node switch
    {
        JsonValue v when v.TryGetValue<double>(out var d) => d,
        JsonValue v when v.TryGetValue<int>(out var i) => i,
        _ => null,
    };

    /// <summary>In a fixed order: a frozen dictionary's order is not promised, and the same seed must give the same firms.</summary>
    private static readonly string[] CountryCodes = Countries.Names.Keys.Order(StringComparer.Ordinal).ToArray();

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
