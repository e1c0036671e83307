using System.Collections.Immutable;
using System.Text.Json;
using Portal.Domain.Questionnaires;

namespace Portal.Domain.Scoring;

/// <summary>
/// Turns the answers JSON into an <see cref="AnswerSet"/>, checking every value against its
/// question: unknown questions and options, wrong kinds, numbers out of range, too many
/// countries. All problems are reported, each with its JSON path.
/// </summary>
internal sealed class AnswerParser(Questionnaire questionnaire)
{
    private const int MaxListLength = 300;

    /// <summary>Enough to fix a form; more would only make the error larger than the request.</summary>
    private const int MaxProblems = 50;

    private readonly List<AnswerProblem> problems = [];
    private readonly HashSet<string> optionsListed = [];
    private readonly HashSet<int> seen = [];

    public AnswerParseResult Parse(JsonElement root, int? assessmentYear)
    {
        try
        {
            return ParseChecked(root, assessmentYear);
        }
        catch (InvalidOperationException)
        {
            // System.Text.Json refuses to read strings that are not valid Unicode (lone surrogates, bad UTF-8).
            return new AnswerParseResult(null, [new AnswerProblem("$", "contains text that is not valid Unicode")]);
        }
    }

    private AnswerParseResult ParseChecked(JsonElement root, int? assessmentYear)
    {
        var values = new AnswerValue[questionnaire.Questions.Count];
        if (root.ValueKind != JsonValueKind.Object)
        {
            return Fail("$", "must be a JSON object with \"profile\" and \"answers\"");
        }

        var groups = new HashSet<string>(StringComparer.Ordinal);
        foreach (var property in root.EnumerateObject())
        {
            if (property.Name is "profile" or "answers" && !groups.Add(property.Name))
            {
                // Most JSON readers keep only the last of two keys: the client cannot know what it sent.
                problems.Add(new AnswerProblem(property.Name, "is given twice"));
                continue;
            }

            switch (property.Name)
            {
                case "profile":
                    ReadGroup(property.Value, "profile", profile: true, values);
                    break;
                case "answers":
                    ReadGroup(property.Value, "answers", profile: false, values);
                    break;
                default:
                    // Files may carry more (a persona's name and expectations); the API checks its own shape.
                    break;
            }
        }

        CheckYears(values, assessmentYear);
        if (problems.Count > MaxProblems)
        {
            var more = problems.Count - MaxProblems;
            problems.RemoveRange(MaxProblems, more);
            problems.Add(new AnswerProblem("$", $"and {more} more problem{(more == 1 ? "" : "s")} not listed"));
        }

        return problems.Count == 0
            ? new AnswerParseResult(new AnswerSet(questionnaire, values, assessmentYear), [])
            : new AnswerParseResult(null, problems);
    }

    /// <summary>A year cannot be in the future, and a firm cannot sell abroad before it is founded.</summary>
    private void CheckYears(AnswerValue[] values, int? assessmentYear)
    {
        double? Year(Question? q) => q is not null && values[q.Index].Kind == AnswerKind.Number ? values[q.Index].Number : null;
        if (assessmentYear is { } now)
        {
            foreach (var q in questionnaire.Questions.Where(q => q.Number?.Unit == "year"))
            {
                if (Year(q) is { } year && year > now)
                {
                    problems.Add(new AnswerProblem(Path(q), $"{year:0} is in the future: enter {now} or earlier"));
                }
            }
        }

        var founded = questionnaire.Find(Rules.DerivedFields.FoundedQuestion);
        var firstExport = questionnaire.Find(Rules.DerivedFields.FirstExportYearQuestion);
        if (Year(founded) is { } f && Year(firstExport) is { } e && e < f)
        {
            problems.Add(new AnswerProblem(Path(firstExport!), $"{e:0} is before the firm was founded ({f:0})"));
        }
    }

    private static string Path(Question q) => $"{(q.IsProfile ? "profile" : "answers")}.{q.Id}";

    private AnswerParseResult Fail(string path, string message)
    {
        problems.Add(new AnswerProblem(path, message));
        return new AnswerParseResult(null, problems);
    }

    private void ReadGroup(JsonElement group, string name, bool profile, AnswerValue[] values)
    {
        if (group.ValueKind == JsonValueKind.Null)
        {
            return;
        }

        if (group.ValueKind != JsonValueKind.Object)
        {
            problems.Add(new AnswerProblem(name, "must be a JSON object of question id: answer"));
            return;
        }

        foreach (var property in group.EnumerateObject())
        {
            var path = $"{name}.{Clip(property.Name)}";
            var question = questionnaire.Find(property.Name);
            if (question is null)
            {
                problems.Add(new AnswerProblem(path, $"there is no question '{Clip(property.Name)}'"));
                continue;
            }

            if (question.IsProfile != profile)
            {
                problems.Add(new AnswerProblem(path, profile
                    ? $"'{question.Id}' is a question of the questionnaire: put it under \"answers\""
                    : $"'{question.Id}' is a profile field: put it under \"profile\""));
                continue;
            }

            // Seen, not HasValue: {"q": null, "q": "x"} is as ambiguous as two values.
            if (!seen.Add(question.Index))
            {
                problems.Add(new AnswerProblem(path, "is given twice"));
                continue;
            }

            if (property.Value.ValueKind == JsonValueKind.Null)
            {
                continue; // null means "not answered"
            }

            try
            {
                values[question.Index] = Read(question, property.Value, path);
            }
            catch (InvalidOperationException)
            {
                // System.Text.Json refuses to read a lone surrogate (\ud800): name the answer that holds it.
                problems.Add(new AnswerProblem(path, "contains text that is not valid Unicode"));
            }
        }
    }

    private AnswerValue Read(Question question, JsonElement value, string path)
    {
        if (value.ValueKind == JsonValueKind.String && value.GetString() == Question.DontKnow)
        {
            if (question.OffersDontKnow)
            {
                return AnswerValue.DontKnowAnswer;
            }

            return Problem(path, $"'{question.Id}' does not offer \"don't know\"");
        }

        switch (question.Kind)
        {
            case QuestionKind.Single:
                if (value.ValueKind != JsonValueKind.String)
                {
                    return Problem(path, $"expects one option id as a string, one of: {OptionList(question)}");
                }

                var option = question.FindOption(value.GetString()!);
                return option is null
                    ? Problem(path, $"'{Clip(value.GetString()!)}' is not an option; expected one of: {OptionList(question)}")
                    : AnswerValue.ForOption(option.Index);

            case QuestionKind.Multiple:
                if (value.ValueKind != JsonValueKind.Array)
                {
                    return Problem(path, $"expects a list of option ids, from: {OptionList(question)}");
                }

                ulong mask = 0;
                var exclusive = false;
                var index = 0;
                foreach (var item in value.EnumerateArray())
                {
                    var itemPath = $"{path}[{index++}]";
                    if (index > MaxListLength)
                    {
                        return Problem(path, $"has more than {MaxListLength} entries");
                    }

                    if (item.ValueKind != JsonValueKind.String || question.FindOption(item.GetString()!) is not { } chosen)
                    {
                        Problem(itemPath, optionsListed.Add(question.Id)
                            ? $"{Describe(item)} is not an option; expected some of: {OptionList(question)}"
                            : $"{Describe(item)} is not an option");
                        continue;
                    }

                    var bit = 1UL << chosen.Index;
                    if ((mask & bit) != 0)
                    {
                        Problem(itemPath, $"'{chosen.Id}' is chosen twice");
                    }

                    exclusive |= chosen.Exclusive;
                    mask |= bit;
                }

                if (exclusive && BitOperations(mask) > 1)
                {
                    var only = question.Options.First(o => o.Exclusive && (mask & (1UL << o.Index)) != 0);
                    return Problem(path, $"'{only.Id}' (\"{only.Label}\") cannot be combined with other options");
                }

                return AnswerValue.ForOptions(mask);

            case QuestionKind.Scale:
                if (value.ValueKind != JsonValueKind.Number || !value.TryGetDouble(out var scale) || scale != Math.Floor(scale) || scale is < 1 or > 5)
                {
                    return Problem(path, "expects a whole number from 1 to 5");
                }

                return AnswerValue.ForNumber(scale);

            case QuestionKind.Number:
                var range = question.Number!;
                if (value.ValueKind != JsonValueKind.Number || !value.TryGetDouble(out var number) || !double.IsFinite(number))
                {
                    return Problem(path, $"expects a number from {range.Min:0.##} to {range.Max:0.##}");
                }

                if (number < range.Min || number > range.Max)
                {
                    return Problem(path, $"{Show(number)} is out of range: expected a number from {range.Min:0.##} to {range.Max:0.##}");
                }

                if (range.Integer && number != Math.Floor(number))
                {
                    return Problem(path, $"expects a whole number from {range.Min:0.##} to {range.Max:0.##}");
                }

                return AnswerValue.ForNumber(number);

            case QuestionKind.Countries:
                if (value.ValueKind != JsonValueKind.Array)
                {
                    return Problem(path, "expects a list of ISO 3166 country codes, such as [\"DE\", \"US\"]");
                }

                var codes = ImmutableArray.CreateBuilder<string>();
                var position = 0;
                foreach (var item in value.EnumerateArray())
                {
                    var itemPath = $"{path}[{position++}]";
                    if (position > MaxListLength)
                    {
                        return Problem(path, $"has more than {MaxListLength} entries");
                    }

                    var code = item.ValueKind == JsonValueKind.String ? item.GetString()!.ToUpperInvariant() : null;
                    if (code is null || !Countries.IsCode(code))
                    {
                        Problem(itemPath, $"{Describe(item)} is not an ISO 3166 country code (two letters, such as \"DE\")");
                    }
                    else if (codes.Contains(code))
                    {
                        Problem(itemPath, $"'{code}' is listed twice");
                    }
                    else
                    {
                        codes.Add(code);
                    }
                }

                if (question.MaxCountries is { } max && codes.Count > max)
                {
                    return Problem(path, $"lists {codes.Count} countries; at most {max} may be chosen");
                }

                return AnswerValue.ForCountries(codes.ToImmutable());

            default:
                return Problem(path, "cannot be answered");
        }
    }

    private AnswerValue Problem(string path, string message)
    {
        problems.Add(new AnswerProblem(path, message));
        return AnswerValue.None;
    }

    /// <summary>A number as a person reads it, without echoing hundreds of digits back.</summary>
    private static string Show(double number) => Math.Abs(number) < 1e9
        ? number.ToString("0.##", System.Globalization.CultureInfo.InvariantCulture)
        : number.ToString("G3", System.Globalization.CultureInfo.InvariantCulture);

    private static int BitOperations(ulong mask) => System.Numerics.BitOperations.PopCount(mask);

    private static string OptionList(Question question) =>
        string.Join(", ", question.Options.Select(o => o.Id).Concat(question.OffersDontKnow ? [Question.DontKnow] : []));

    private static string Describe(JsonElement item) => item.ValueKind == JsonValueKind.String
        ? $"'{Clip(item.GetString()!)}'"
        : $"a {item.ValueKind.ToString().ToLowerInvariant()}";

    /// <summary>Echoes at most 60 characters of a value: a huge string must not become a huge error.</summary>
    private static string Clip(string text) => text.Length <= 60 ? text : text[..57] + "...";
}
