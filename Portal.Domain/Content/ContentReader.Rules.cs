using System.Collections.Immutable;
using Portal.Domain.Rules;
using YamlDotNet.RepresentationModel;

namespace Portal.Domain.Content;

internal sealed partial class ContentReader
{
    private static readonly string[] ConditionSubjects = ["all", "any", "not", "answer", "profile", "score", "flag", "stage"];

    private const int MaxConditionDepth = 20;
    private int conditionDepth;

    private Condition ReadCondition(YamlObject o, bool showIf)
    {
        if (conditionDepth >= MaxConditionDepth)
        {
            o.Problem($"conditions nest more than {MaxConditionDepth} deep (a YAML alias that refers to itself?)");
            return new AllOf([]);
        }

        conditionDepth++;
        try
        {
            return ReadConditionBody(o, showIf);
        }
        finally
        {
            conditionDepth--;
        }
    }

    private Condition ReadConditionBody(YamlObject o, bool showIf)
    {
        var subjects = ConditionSubjects.Where(o.Has).ToList();
        if (subjects.Count != 1)
        {
            o.Problem(subjects.Count == 0
                ? $"a condition needs one of: {string.Join(", ", ConditionSubjects)}"
                : $"a condition has one subject, not {string.Join(" and ", subjects)}: combine them with 'all' or 'any'");
            o.RejectUnknown(ConditionSubjects.Concat(["is", "in", "at-least", "at-most", "answered", "below"]).ToArray());
            return Locate(new AllOf([]), o);
        }

        var subject = subjects[0];
        if (showIf && subject is "score" or "flag" or "stage")
        {
            o.Problem($"a show-if can test answers and the profile only, not '{subject}' (scores and flags come after the questions)");
        }

        Condition condition = subject switch
        {
            "all" => new AllOf(ReadConditions(o, "all", showIf)),
            "any" => new AnyOf(ReadConditions(o, "any", showIf)),
            "not" => o.Object("not", required: true) is { } inner ? new Not(ReadCondition(inner, showIf)) : new AllOf([]),
            "answer" => ReadAnswerTest(o, o.String("answer", required: true) ?? "", profile: false),
            "profile" => ReadAnswerTest(o, o.String("profile", required: true) ?? "", profile: true),
            "score" => ReadScoreTest(o),
            "flag" => new FlagSet(o.String("flag", required: true) ?? ""),
            "stage" => new StageIn([.. o.Strings("stage")]),
            _ => throw new InvalidOperationException(subject),
        };
        o.RejectUnknown();
        return Locate(condition, o);
    }

    private ImmutableArray<Condition> ReadConditions(YamlObject o, string key, bool showIf)
    {
        var items = o.Objects(key, required: true);
        if (items.Count == 0)
        {
            o.Problem($"'{key}' needs at least one condition");
        }

        return [.. items.Select(i => ReadCondition(i, showIf))];
    }

    private Condition ReadAnswerTest(YamlObject o, string field, bool profile)
    {
        var derived = profile ? DerivedFields.Parse(field) : null;
        var tests = new[] { "is", "in", "at-least", "at-most", "answered" }.Where(o.Has).ToList();
        if (tests.Count != 1)
        {
            o.Problem(tests.Count == 0
                ? $"'{(profile ? "profile" : "answer")}: {field}' needs one test: is, in, at-least, at-most or answered"
                : $"'{(profile ? "profile" : "answer")}: {field}' has more than one test ({string.Join(", ", tests)}): use 'all' to combine them");
            tests.ForEach(t => o.Node(t)); // reported once above, not again as unknown fields
            return new AllOf([]);
        }

        if (derived is { } d)
        {
            return tests[0] switch
            {
                "at-least" => new DerivedAtLeast(d, o.Number("at-least", required: true) ?? 0),
                "at-most" => new DerivedAtMost(d, o.Number("at-most", required: true) ?? 0),
                _ => Invalid($"'{field}' is a number: test it with at-least or at-most"),
            };
        }

        Condition Invalid(string message)
        {
            o.Problem(message);
            return new AllOf([]);
        }

        if (profile && field.Contains('.', StringComparison.Ordinal))
        {
            o.Problem($"'profile: {field}' names a questionnaire question: use 'answer: {field}'");
        }
        else if (!profile && !field.Contains('.', StringComparison.Ordinal) && field.Length > 0)
        {
            o.Problem($"'answer: {field}' names a profile field: use 'profile: {field}'");
        }

        return tests[0] switch
        {
            "is" => new AnswerIs(field, o.String("is", required: true) ?? ""),
            "in" => InList(o.Strings("in")),
            "at-least" => new AnswerAtLeast(field, o.Number("at-least", required: true) ?? 0),
            "at-most" => new AnswerAtMost(field, o.Number("at-most", required: true) ?? 0),
            _ => new AnswerGiven(field, o.Bool("answered") ?? true),
        };

        Condition InList(IReadOnlyList<string> options)
        {
            if (options.Count == 0)
            {
                o.Problem("'in' needs at least one option id");
            }

            return new AnswerIn(field, [.. options]);
        }
    }

    private Condition ReadScoreTest(YamlObject o)
    {
        var target = o.String("score", required: true) ?? "";
        if (o.Has("below") == o.Has("at-least"))
        {
            o.Problem($"'score: {target}' needs exactly one of 'below' or 'at-least'");
            _ = (o.Node("below"), o.Node("at-least"));
            return new AllOf([]);
        }

        return o.Has("below")
            ? new ScoreBelow(target, o.Number("below") ?? 0)
            : new ScoreAtLeast(target, o.Number("at-least") ?? 0);
    }

    private Condition Locate(Condition condition, YamlObject at)
    {
        conditionLocations[condition] = (at.File, at.Line);
        return condition;
    }

    private void ReadRules()
    {
        var folder = Path.Combine(directory, "rules");
        if (!Directory.Exists(folder))
        {
            problems.Add("rules/", 0, "the folder is missing");
            return;
        }

        foreach (var path in Directory.GetFiles(folder, "*.yaml").Order(StringComparer.Ordinal))
        {
            current = Relative(path);
            var file = ReadYaml(path, current);
            if (file is null)
            {
                continue;
            }

            foreach (var f in file.Objects("flags"))
            {
                ReadFlag(f, engineFlag: false);
            }

            foreach (var r in file.Objects("rules", required: true))
            {
                var rule = ReadRule(r);
                // Name where the first copy is, so the author can tell which of the two to rename.
                if (rules.FirstOrDefault(x => x.Id == rule.Id) is { } first)
                {
                    r.Problem($"rule '{rule.Id}' is defined twice (also at {first.File}:{first.Line})");
                    continue;
                }

                rules.Add(rule);
            }

            file.RejectUnknown();
        }
    }

    private Rule ReadRule(YamlObject r)
    {
        var id = Id(r, "id") ?? "";
        var explain = r.String("explain", required: true) ?? "";
        var when = r.Object("when", required: true) is { } w ? ReadCondition(w, showIf: false) : new AllOf([]);
        var effects = new RuleEffects([], Priority.Medium, [], [], [], 0, null);
        if (r.Object("then", required: true) is { } then)
        {
            var priorityText = then.String("priority");
            var priority = priorityText switch
            {
                null or "medium" => Priority.Medium,
                "high" => Priority.High,
                "low" => Priority.Low,
                _ => BadPriority(),
            };

            Priority BadPriority()
            {
                then.Problem($"priority '{priorityText}' is not one of high, medium, low");
                return Priority.Medium;
            }

            var advise = then.Strings("advise");
            foreach (var advice in advise)
            {
                adviceReferences.Add((advice, r.File, then.LineOf("advise"), $"rule '{id}'"));
            }

            var followUps = then.Objects("follow-up").Select(f =>
            {
                var advice = f.String("advice", required: true) ?? "";
                var days = f.Number("after-days", required: true) ?? 0;
                f.RejectUnknown();
                if (days < 0 || days > 730 || days != Math.Floor(days))
                {
                    f.Problem("after-days must be a whole number of days between 0 and 730");
                }

                adviceReferences.Add((advice, r.File, f.Line, $"follow-up of rule '{id}'"));
                followUpReferences.Add((advice, r.File, f.Line, id));
                return new FollowUpEffect(advice, (int)days);
            }).ToImmutableArray();

            var caps = then.Objects("cap").Select(c =>
            {
                var cap = new CapEffect(c.String("target", required: true) ?? "", c.String("band", required: true) ?? "");
                c.RejectUnknown();
                bandReferences.Add((cap.BandId, r.File, c.Line, $"cap of rule '{id}'"));
                capTargets.Add((cap.Target, r.File, c.Line));
                return cap;
            }).ToImmutableArray();

            var triage = then.Number("triage") ?? 0;
            if (triage != Math.Floor(triage) || Math.Abs(triage) > 100)
            {
                then.Problem("triage must be a whole number between -100 and 100");
            }

            var flags = then.Strings("flag");
            foreach (var flag in flags)
            {
                flagReferences.Add((flag, r.File, then.LineOf("flag")));
            }

            var stage = then.String("stage");
            if (stage is not null)
            {
                stageEffects.Add((stage, r.File, then.LineOf("stage")));
            }

            if (!priorityText.IsNullOrEmptyOrAdvice(advise.Count))
            {
                then.Problem("'priority' applies to 'advise': this rule advises nothing");
            }

            effects = new RuleEffects([.. advise], priority, [.. flags], followUps, caps, (int)triage, stage);
            then.RejectUnknown();
            if (advise.Count == 0 && flags.Count == 0 && followUps.IsEmpty && caps.IsEmpty && triage == 0 && stage is null)
            {
                then.Problem($"rule '{id}' has no effect: give it advise, flag, follow-up, cap, triage or stage");
            }
        }

        r.RejectUnknown();
        conditionOwners[when] = ($"rule '{id}'", r.File, r.LineOf("when"));
        return new Rule(id, explain, when, effects, r.File, r.Line);
    }
}

internal static class PriorityText
{
    /// <summary>True unless a priority was written on a rule that advises nothing.</summary>
    public static bool IsNullOrEmptyOrAdvice(this string? priority, int adviceCount) => priority is null || adviceCount > 0;
}
