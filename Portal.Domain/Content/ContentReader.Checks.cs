using System.Collections.Immutable;
using Portal.Domain.Questionnaires;
using Portal.Domain.Rules;
using Portal.Domain.Scoring;

namespace Portal.Domain.Content;

internal sealed partial class ContentReader
{
    private const int MinimumQuestionsPerFactor = 4;

    /// <summary>Checks everything read against everything else; returns the rules in evaluation order.</summary>
    private List<Rule>? Check(CsfModel model, Questionnaire questionnaire, IReadOnlyList<FlagDefinition> flags,
        IReadOnlyDictionary<string, AdviceItem> advice, IReadOnlyDictionary<string, Source> sources)
    {
        foreach (var (id, file, line) in sourceReferences.Where(r => r.Id.Length > 0 && !sources.ContainsKey(r.Id)))
        {
            problems.Add(file, line, $"source '{id}' is not listed in sources.yaml");
        }

        foreach (var (id, file, line, where) in adviceReferences.Where(r => r.Id.Length > 0 && !advice.ContainsKey(r.Id)))
        {
            problems.Add(file, line, $"{where} names advice '{id}', which does not exist (expected advice/{id}.md)");
        }

        foreach (var (id, file, line, rule) in followUpReferences)
        {
            if (advice.TryGetValue(id, out var item) && item.Audience != Audience.Owner)
            {
                problems.Add(file, line, $"rule '{rule}' schedules advice '{id}' by email, but it is written for advisors (audience: advisor)");
            }
        }

        foreach (var (id, file, line, where) in bandReferences.Where(r => r.Id.Length > 0 && model.Bands.All(b => b.Id != r.Id)))
        {
            problems.Add(file, line, $"{where} names band '{id}', which is not in model.yaml (bands: {string.Join(", ", model.Bands.Select(b => b.Id))})");
        }

        foreach (var (id, file, line) in flagReferences.Where(r => flags.All(f => f.Id != r.Id)))
        {
            problems.Add(file, line, $"flag '{id}' is not declared (declare it under 'flags:' in this rules file)");
        }

        foreach (var (id, file, line) in factorReferences.Where(r => r.Id.Length > 0 && model.FindFactor(r.Id) is null))
        {
            problems.Add(file, line, $"factor '{id}' is not in model.yaml (factors: {string.Join(", ", model.Factors.Select(f => f.Id))})");
        }

        foreach (var (target, file, line) in capTargets.Where(t => t.Target != ScoreTargets.Overall && model.FindFactor(t.Target) is null))
        {
            problems.Add(file, line, $"cap target '{target}' must be 'overall' or a factor id");
        }

        foreach (var (id, file, line) in stageEffects.Where(s => model.Stages.All(x => x.Id != s.Id)))
        {
            problems.Add(file, line, $"stage '{id}' is not one of the stages of model.yaml");
        }

        // Conditions: every id exists and every test fits its question.
        var resolver = new ConditionResolver(model, questionnaire, flags);
        var resolved = new Dictionary<Condition, Resolved>(ReferenceEqualityComparer.Instance);
        foreach (var (root, owner) in conditionOwners)
        {
            resolved[root] = resolver.Resolve(root, (condition, message) =>
            {
                var (file, line) = conditionLocations.TryGetValue(condition, out var at) ? at : (owner.File, owner.Line);
                problems.Add(file, line, $"{owner.Owner}: {message}");
            });
        }

        foreach (var question in questionnaire.Questions.Where(q => q.ShowIf is not null))
        {
            CheckShowIfSubjects(question, questionnaire);
        }

        CheckFactors(model, questionnaire, advice);
        CheckUsage(advice, flags);
        if (problems.HasProblems)
        {
            return null;
        }

        if (!CheckShowIfCycles(questionnaire))
        {
            return null;
        }

        CheckReachability(questionnaire, resolved);
        return OrderRules(flags);
    }

    private void CheckShowIfSubjects(Question question, Questionnaire questionnaire)
    {
        foreach (var id in ShowIfOrder.ConditionQuestions(question.ShowIf!))
        {
            if (questionnaire.Find(id) is { } other && other.Section.IsProfile == false && question.Section.IsProfile)
            {
                problems.Add(question.Section.File, question.Line, $"profile question '{question.Id}' cannot depend on questionnaire question '{id}'");
            }
        }
    }

    private void CheckFactors(CsfModel model, Questionnaire questionnaire, IReadOnlyDictionary<string, AdviceItem> advice)
    {
        foreach (var factor in model.Factors)
        {
            if (questionnaire.FindSection(factor.Id) is { } section && section.Questions.Count < MinimumQuestionsPerFactor)
            {
                problems.Add(section.File, 1, $"factor '{factor.Id}' has {section.Questions.Count} questions; it needs at least {MinimumQuestionsPerFactor}");
            }

            foreach (var level in new[] { ScoreLevel.Weak, ScoreLevel.Middling })
            {
                if (!advice.Values.Any(a => a.FactorId == factor.Id && a.Audience == Audience.Owner && a.ForScore == level))
                {
                    // The advice is what is missing, so there is no line of it to show; the
                    // factor's entry in model.yaml is where the author can see which one it is.
                    problems.Add("model.yaml", factorLines.GetValueOrDefault(factor.Id), $"factor '{factor.Id}' has no advice for owners with 'for-score: {level.ToString().ToLowerInvariant()}' (add one in advice/)");
                }
            }
        }
    }

    private void CheckUsage(IReadOnlyDictionary<string, AdviceItem> advice, IReadOnlyList<FlagDefinition> flags)
    {
        var used = adviceReferences.Select(r => r.Id).ToHashSet(StringComparer.Ordinal);
        foreach (var item in advice.Values.Where(a => !used.Contains(a.Id)).OrderBy(a => a.Id, StringComparer.Ordinal))
        {
            problems.Add(item.File, 2, $"advice '{item.Id}' is not advised or scheduled by any rule, so nobody would ever see it");
        }

        var raised = rules.SelectMany(r => r.Then.Flags).ToHashSet(StringComparer.Ordinal);
        foreach (var flag in ruleFlags.Where(f => !raised.Contains(f.Id)))
        {
            var at = flagLines[flag.Id].Split(':');
            problems.Add(at[0], int.Parse(at[1], System.Globalization.CultureInfo.InvariantCulture), $"flag '{flag.Id}' is declared but no rule raises it");
        }
    }

    private bool CheckShowIfCycles(Questionnaire questionnaire)
    {
        var state = new int[questionnaire.Questions.Count];
        var path = new Stack<Question>();
        var ok = true;
        foreach (var question in questionnaire.Questions)
        {
            Visit(question);
        }

        return ok;

        void Visit(Question question)
        {
            if (state[question.Index] == 2)
            {
                return;
            }

            if (state[question.Index] == 1)
            {
                var cycle = path.Reverse().SkipWhile(q => q != question).Select(q => q.Id).Append(question.Id);
                problems.Add(question.Section.File, question.Line, $"show-if conditions form a cycle: {string.Join(" -> ", cycle)} (a question cannot depend on itself)");
                ok = false;
                return;
            }

            state[question.Index] = 1;
            path.Push(question);
            foreach (var dependency in ShowIfOrder.Dependencies(question, questionnaire))
            {
                Visit(questionnaire.Questions[dependency]);
            }

            path.Pop();
            state[question.Index] = 2;
        }
    }

    /// <summary>
    /// A question is unreachable when no combination of answers to the questions its show-if
    /// reads (themselves shown or hidden by their own show-ifs) makes it visible. The search
    /// tries the answers that matter to the conditions, bounded in size.
    /// </summary>
    private void CheckReachability(Questionnaire questionnaire, Dictionary<Condition, Resolved> resolved)
    {
        const int maxCombinations = 200_000;
        var constants = NumericConstants(resolved.Values);
        var ages = resolved.Values.SelectMany(DerivedConstants).SelectMany(c => new[] { c - 1, c, c + 1 }).Append(0).Append(300).Distinct().ToList();
        foreach (var question in questionnaire.Questions.Where(q => q.ShowIf is not null))
        {
            var ancestors = new List<Question>();
            void Add(Question q)
            {
                foreach (var d in ShowIfOrder.Dependencies(q, questionnaire).Select(i => questionnaire.Questions[i]))
                {
                    if (!ancestors.Contains(d))
                    {
                        Add(d);
                        ancestors.Add(d); // dependencies first: a topological order
                    }
                }
            }

            Add(question);
            var candidates = ancestors.Select(a => Candidates(a, constants)).ToList();
            long combinations = candidates.Aggregate(1L, (n, c) => n * c.Count);
            if (combinations > maxCombinations)
            {
                continue; // too many to try: trust the author
            }

            var state = new SearchState(questionnaire);
            var usesAge = ancestors.Append(question).Any(q => q.ShowIf is not null && DerivedConstants(resolved[q.ShowIf]).Any());
            var found = false;
            foreach (var age in usesAge ? ages : [0])
            {
                state.Age = age;
                if (found = Search(0))
                {
                    break;
                }
            }

            if (!found)
            {
                problems.Add(question.Section.File, question.Line,
                    $"question '{question.Id}' can never be shown: no answers to {string.Join(", ", ancestors.Select(a => a.Id))} satisfy its show-if");
            }

            bool Search(int depth)
            {
                if (depth == ancestors.Count)
                {
                    foreach (var a in ancestors)
                    {
                        state.Visible[a.Index] = a.ShowIf is null || ConditionInterpreter.Evaluate(resolved[a.ShowIf], state);
                    }

                    return ConditionInterpreter.Evaluate(resolved[question.ShowIf!], state);
                }

                foreach (var value in candidates[depth])
                {
                    state.Values[ancestors[depth].Index] = value;
                    if (Search(depth + 1))
                    {
                        return true;
                    }
                }

                return false;
            }
        }
    }

    /// <summary>The values firm-age is compared with in a condition tree.</summary>
    private static IEnumerable<double> DerivedConstants(Resolved r) => r switch
    {
        ResolvedAll all => all.Items.SelectMany(DerivedConstants),
        ResolvedAny any => any.Items.SelectMany(DerivedConstants),
        ResolvedNot not => DerivedConstants(not.Inner),
        ResolvedDerived { Field: DerivedField.FirmAge } d => [d.Value],
        _ => [],
    };

    private static Dictionary<int, HashSet<double>> NumericConstants(IEnumerable<Resolved> roots)
    {
        var constants = new Dictionary<int, HashSet<double>>();
        void Walk(Resolved r)
        {
            switch (r)
            {
                case ResolvedAll all:
                    all.Items.ToList().ForEach(Walk);
                    break;
                case ResolvedAny any:
                    any.Items.ToList().ForEach(Walk);
                    break;
                case ResolvedNot not:
                    Walk(not.Inner);
                    break;
                case ResolvedCompare c:
                    if (!constants.TryGetValue(c.Question, out var set))
                    {
                        constants[c.Question] = set = [];
                    }

                    set.Add(c.Value);
                    break;
            }
        }

        foreach (var root in roots)
        {
            Walk(root);
        }

        return constants;
    }

    private static List<AnswerValue> Candidates(Question question, Dictionary<int, HashSet<double>> constants)
    {
        var values = new List<AnswerValue> { AnswerValue.None };
        if (question.OffersDontKnow)
        {
            values.Add(AnswerValue.DontKnowAnswer);
        }

        var numbers = constants.TryGetValue(question.Index, out var set) ? set.SelectMany(c => new[] { c - 1, c, c + 1 }).ToList() : [];
        switch (question.Kind)
        {
            case QuestionKind.Single:
                values.AddRange(question.Options.Select(o => AnswerValue.ForOption(o.Index)));
                break;
            case QuestionKind.Multiple:
                values.AddRange(question.Options.Select(o => AnswerValue.ForOptions(1UL << o.Index)));
                var open = question.Options.Where(o => !o.Exclusive).ToList();
                values.Add(AnswerValue.ForOptions(open.Aggregate(0UL, (m, o) => m | (1UL << o.Index))));
                // Counts the conditions test (at-least 2, at-most 3): the first k options.
                foreach (var k in numbers.Where(n => n >= 0 && n <= open.Count).Select(n => (int)n).Distinct())
                {
                    values.Add(AnswerValue.ForOptions(open.Take(k).Aggregate(0UL, (m, o) => m | (1UL << o.Index))));
                }

                break;
            case QuestionKind.Scale:
                values.AddRange(Enumerable.Range(1, 5).Select(v => AnswerValue.ForNumber(v)));
                break;
            case QuestionKind.Number:
                var range = question.Number!;
                values.AddRange(numbers.Append(range.Min).Append(range.Max).Where(n => n >= range.Min && n <= range.Max).Distinct().Select(AnswerValue.ForNumber));
                break;
            case QuestionKind.Countries:
                var codes = Countries.Names.Keys.Order(StringComparer.Ordinal).ToArray();
                values.AddRange(numbers.Append(0).Append(1).Where(n => n >= 0 && n <= codes.Length).Distinct()
                    .Select(n => AnswerValue.ForCountries([.. codes.Take((int)n)])));
                break;
        }

        return values;
    }

    /// <summary>Orders rules so that readers of a flag or the stage follow the rules that set them.</summary>
    private List<Rule>? OrderRules(IReadOnlyList<FlagDefinition> flags)
    {
        var reads = rules.Select(r => Leaves(r.When).ToList()).ToList();
        var edges = rules.Select(_ => new List<int>()).ToList();
        var incoming = new int[rules.Count];
        for (var writer = 0; writer < rules.Count; writer++)
        {
            var writes = rules[writer].Then.Flags.Select(f => "flag:" + f).ToList();
            if (rules[writer].Then.Stage is not null)
            {
                writes.Add("stage");
            }

            for (var reader = 0; reader < rules.Count; reader++)
            {
                if (writes.Intersect(reads[reader]).Any())
                {
                    edges[writer].Add(reader);
                    incoming[reader]++;
                }
            }
        }

        var ready = new PriorityQueue<int, int>();
        for (var i = 0; i < rules.Count; i++)
        {
            if (incoming[i] == 0)
            {
                ready.Enqueue(i, i);
            }
        }

        var order = new List<Rule>();
        while (ready.TryDequeue(out var next, out _))
        {
            order.Add(rules[next]);
            foreach (var reader in edges[next])
            {
                if (--incoming[reader] == 0)
                {
                    ready.Enqueue(reader, reader);
                }
            }
        }

        if (order.Count == rules.Count)
        {
            return order;
        }

        foreach (var rule in rules.Where(r => !order.Contains(r)))
        {
            problems.Add(rule.File, rule.Line, $"rule '{rule.Id}' is part of a cycle: it reads a flag or the stage that it, or a rule it depends on, sets");
        }

        _ = flags;
        return null;

        static IEnumerable<string> Leaves(Condition c) => c switch
        {
            AllOf all => all.Conditions.SelectMany(Leaves),
            AnyOf any => any.Conditions.SelectMany(Leaves),
            Not not => Leaves(not.Inner),
            FlagSet f => ["flag:" + f.FlagId],
            StageIn => ["stage"],
            _ => [],
        };
    }

    /// <summary>Answers under test in the reachability search; scores, flags and stage do not occur in show-ifs.</summary>
    private sealed class SearchState(Questionnaire questionnaire) : IConditionState
    {
        public AnswerValue[] Values { get; } = new AnswerValue[questionnaire.Questions.Count];

        public bool[] Visible { get; } = new bool[questionnaire.Questions.Count];

        public int StageRank => -1;

        /// <summary>The firm age under test (it depends on the year of the assessment, not on an answer).</summary>
        public double Age { get; set; }

        public AnswerValue Answer(int question) => Visible[question] ? Values[question] : AnswerValue.None;

        public double? Derived(DerivedField field)
        {
            double? Number(string id) => questionnaire.Find(id) is { } q && Answer(q.Index) is { Kind: AnswerKind.Number } v ? v.Number : null;
            var founded = Number(DerivedFields.FoundedQuestion);
            return field == DerivedField.FirmAge ? founded is null ? null : Age : Number(DerivedFields.FirstExportYearQuestion) - founded;
        }

        public double Score(ScoreScope scope, int index) => double.NaN;

        public bool Flag(int flag) => false;
    }
}
