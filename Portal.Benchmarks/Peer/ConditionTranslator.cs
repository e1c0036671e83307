using System.Globalization;
using Portal.Domain.Content;
using Portal.Domain.Questionnaires;
using Portal.Domain.Rules;
using Portal.Domain.Scoring;

namespace Portal.Benchmarks.Peer;

/// <summary>
/// Writes a content condition as a RulesEngine lambda expression (System.Linq.Dynamic.Core
/// syntax) over the answers <c>a</c> (<see cref="PeerAnswers"/>) and the state <c>s</c>
/// (<see cref="PeerState"/>), with every id resolved to an index, as the portal's own
/// ConditionResolver resolves them. Each leaf means what the portal's Leaf functions mean.
/// </summary>
public sealed class ConditionTranslator(PortalContent content)
{
    public string Translate(Condition condition) => condition switch
    {
        AllOf all => Join(all.Conditions, " && ", "true"),
        AnyOf any => Join(any.Conditions, " || ", "false"),
        Not not => $"!{Translate(not.Inner)}",
        AnswerIs c => Match(Question(c.QuestionId), [c.OptionId]),
        AnswerIn c => Match(Question(c.QuestionId), c.OptionIds),
        AnswerAtLeast c => Compare(Question(c.QuestionId), ">=", c.Value),
        AnswerAtMost c => Compare(Question(c.QuestionId), "<=", c.Value),
        AnswerGiven c => c.Answered ? Given(Question(c.QuestionId)) : $"!{Given(Question(c.QuestionId))}",
        DerivedAtLeast c => Derived(c.Field, ">=", c.Value),
        DerivedAtMost c => Derived(c.Field, "<=", c.Value),
        // A score not assessed is NaN, and every comparison with NaN is false: the portal's
        // "false when not assessed" without a separate test.
        ScoreBelow c => $"({Score(c.Target)} < {Literal(c.Value)})",
        ScoreAtLeast c => $"({Score(c.Target)} >= {Literal(c.Value)})",
        FlagSet c => $"s.Flag[{Flag(c.FlagId)}]",
        StageIn c => Stage(c.Ids),
        _ => throw new NotSupportedException($"No translation for the condition {condition.GetType().Name}"),
    };

    /// <summary>The points an answer to a scored question earns, before weighting (the portal's Assessor.Points).</summary>
    public static string Points(Question q)
    {
        var i = q.Index;
        switch (q.Kind)
        {
            case QuestionKind.Single:
                // Option is -1 unless an option was chosen, so "don't know" falls through to 0.
                var points = "0.0";
                foreach (var option in q.Options.Where(o => o.Points != 0).Reverse())
                {
                    points = $"iif(a.Option[{i}] == {option.Index}, {Literal(option.Points)}, {points})";
                }

                return points;
            case QuestionKind.Multiple:
                var chosen = q.Options.Where(o => o.Points != 0)
                    .Select(o => $"iif((a.Options[{i}] & {1UL << o.Index}UL) != 0UL, {Literal(o.Points)}, 0.0)")
                    .ToList();
                return chosen.Count == 0 ? "0.0" : $"Math.Min({string.Join(" + ", chosen)}, {Literal(q.MaxPoints)})";
            case QuestionKind.Scale:
                return $"iif(a.Kind[{i}] == {(int)AnswerKind.Number}, a.Number[{i}] - 1, 0.0)";
            case QuestionKind.Number:
                return $"iif(a.Kind[{i}] == {(int)AnswerKind.Number}, {Step(q, $"a.Number[{i}]")}, 0.0)";
            case QuestionKind.Countries:
                return $"iif(a.Kind[{i}] == {(int)AnswerKind.Countries}, {Step(q, $"a.Countries[{i}]")}, 0.0)";
            default:
                throw new NotSupportedException($"No points for {q.Kind} questions");
        }
    }

    /// <summary>Visible and answered ("don't know" included), as the portal counts a question towards its factor.</summary>
    public static string Answered(int question) => $"(s.Visible[{question}] && a.Kind[{question}] != 0)";

    /// <summary>A double literal that parses back to exactly <paramref name="value"/>, never read as an int.</summary>
    public static string Literal(double value)
    {
        if (!double.IsFinite(value))
        {
            throw new NotSupportedException($"{value} has no literal");
        }

        var text = value.ToString("R", CultureInfo.InvariantCulture);
        return text.Contains('.', StringComparison.Ordinal) || text.Contains('E', StringComparison.Ordinal) ? text : text + ".0";
    }

    /// <summary>The threshold of the last step reached wins, as in the portal's Step.</summary>
    private static string Step(Question q, string value)
    {
        var points = "0.0";
        foreach (var t in q.Thresholds)
        {
            points = $"iif({value} >= {Literal(t.AtLeast)}, {Literal(t.Points)}, {points})";
        }

        return points;
    }

    private string Join(IReadOnlyList<Condition> conditions, string op, string empty) =>
        conditions.Count == 0 ? empty : "(" + string.Join(op, conditions.Select(Translate)) + ")";

    private Question Question(string id) =>
        content.Questionnaire.Find(id) ?? throw new InvalidOperationException($"There is no question '{id}'");

    private static string Match(Question q, IReadOnlyList<string> optionIds)
    {
        var i = q.Index;
        var dontKnow = optionIds.Contains(Portal.Domain.Questionnaires.Question.DontKnow);
        var options = optionIds.Where(o => o != Portal.Domain.Questionnaires.Question.DontKnow)
            .Select(o => q.FindOption(o) ?? throw new InvalidOperationException($"Question '{q.Id}' has no option '{o}'"))
            .ToList();
        var tests = new List<string>();
        if (options.Count > 0)
        {
            switch (q.Kind)
            {
                case QuestionKind.Single:
                    tests.AddRange(options.Select(o => $"a.Option[{i}] == {o.Index}"));
                    break;
                case QuestionKind.Multiple:
                    var mask = options.Aggregate(0UL, (m, o) => m | (1UL << o.Index));
                    tests.Add($"(a.Options[{i}] & {mask}UL) != 0UL");
                    break;
                default:
                    throw new NotSupportedException($"'{q.Id}' is a {q.Kind} question: is/in test options of choice questions only");
            }
        }

        if (dontKnow)
        {
            tests.Add($"a.Kind[{i}] == {(int)AnswerKind.DontKnow}");
        }

        return tests.Count == 0 ? "false" : $"(s.Visible[{i}] && ({string.Join(" || ", tests)}))";
    }

    private static string Compare(Question q, string op, double value)
    {
        var i = q.Index;
        var actual = q.Kind switch
        {
            QuestionKind.Scale or QuestionKind.Number => $"a.Kind[{i}] == {(int)AnswerKind.Number} && a.Number[{i}]",
            QuestionKind.Multiple => $"a.Kind[{i}] == {(int)AnswerKind.Options} && BitOperations.PopCount(a.Options[{i}])",
            QuestionKind.Countries => $"a.Kind[{i}] == {(int)AnswerKind.Countries} && a.Countries[{i}]",
            // The portal compares no single-choice answer with a number: never true.
            _ => null,
        };
        return actual is null ? "false" : $"(s.Visible[{i}] && {actual} {op} {Literal(value)})";
    }

    private static string Given(Question q) => Answered(q.Index);

    private string Derived(DerivedField field, string op, double value)
    {
        var founded = content.Questionnaire.Find(DerivedFields.FoundedQuestion)?.Index;
        if (founded is not { } f)
        {
            return "false";
        }

        var foundedKnown = $"s.Visible[{f}] && a.Kind[{f}] == {(int)AnswerKind.Number}";
        switch (field)
        {
            case DerivedField.FirmAge:
                return $"({foundedKnown} && a.HasYear && a.Year - a.Number[{f}] {op} {Literal(value)})";
            case DerivedField.YearsToFirstExport:
                var firstExport = content.Questionnaire.Find(DerivedFields.FirstExportYearQuestion)?.Index;
                return firstExport is { } e
                    ? $"({foundedKnown} && s.Visible[{e}] && a.Kind[{e}] == {(int)AnswerKind.Number} && a.Number[{e}] - a.Number[{f}] {op} {Literal(value)})"
                    : "false";
            default:
                throw new NotSupportedException($"No translation for the derived field {field}");
        }
    }

    private string Score(string target)
    {
        if (target == ScoreTargets.Overall)
        {
            return "s.Overall";
        }

        if (content.Model.FindFactor(target) is { } factor)
        {
            return $"s.Factor[{factor.Index}]";
        }

        return content.Model.FindPillar(target) is { } pillar
            ? $"s.Pillar[{pillar.Index}]"
            : throw new InvalidOperationException($"'{target}' is not a factor, a pillar or 'overall'");
    }

    private int Flag(string id) =>
        content.FindFlag(id)?.Index ?? throw new InvalidOperationException($"Flag '{id}' is not declared");

    private string Stage(IReadOnlyList<string> ids)
    {
        var ranks = content.Model.Stages.Where(s => ids.Contains(s.Id) || ids.Contains(s.GroupId)).Select(s => s.Rank).ToList();
        return ranks.Count == 0 ? "false" : "(" + string.Join(" || ", ranks.Select(r => $"s.Stage == {r}")) + ")";
    }
}
