using Portal.Domain.Content;
using Portal.Domain.Questionnaires;
using Portal.Domain.Rules;
using Portal.Domain.Scoring;
using Portal.Tests.TestSupport;

namespace Portal.Tests.Domain.Scoring;

/// <summary>Properties that must hold for any answers, checked over generated answer sets (seeded).</summary>
public sealed class ScoringPropertiesTests
{
    private const int Sets = 300;
    private static PortalContent Content => TestContent.Real;

    public static TheoryData<int> Seeds() => [.. Enumerable.Range(1, 10).Select(i => i * 7919)];

    [Theory]
    [MemberData(nameof(Seeds))]
    public void ImprovingOneAnswer_NeverLowersTheOverallScore(int seed)
    {
        // Every scored question of every kind, including the questions that others' show-ifs
        // read: improving one of those can show or hide other questions, and the score must
        // still not fall.
        var questions = Content.Questionnaire.Questions.Where(q => !q.IsProfile && q.Weight > 0 && Content.Compiled.MaxPoints[q.Index] > 0).ToList();
        var routing = Content.Questionnaire.Questions
            .SelectMany(q => q.ShowIf is null ? [] : ShowIfOrder.ConditionQuestions(q.ShowIf)).ToHashSet();
        var improvedKinds = new HashSet<QuestionKind>();
        var improvedRouting = 0;
        for (var i = 0; i < Sets / 10; i++)
        {
            var generated = RandomAnswers.Generate(Content, seed + i, answerRate: 1).Build();
            var first = Assessor.Assess(Content, generated);
            // A hidden question's stored answer would start to count when an improvement shows
            // the question again; an owner who changes a route answers the new questions then.
            var answers = questions.Where(q => !first.IsVisible(q)).Aggregate(generated, (a, q) => a.With(q, AnswerValue.None));
            var before = Assessor.Assess(Content, answers);
            foreach (var question in questions.Where(q => before.IsVisible(q) && answers[q].HasValue))
            {
                var current = answers[question];
                var currentPoints = current.IsDontKnow ? -1 : Assessor.Points(Content.Compiled, question.Index, current);
                foreach (var better in Improvements(question, current).Where(v => Assessor.Points(Content.Compiled, question.Index, v) > currentPoints))
                {
                    var after = Assessor.Assess(Content, answers.With(question, better));
                    Assert.True(after.OverallScore >= before.OverallScore - 1e-9,
                        $"seed {seed + i}: {question.Id} improved from “{answers.Describe(question)}” to “{after.Answers.Describe(question)}” lowered the score {before.OverallScore} -> {after.OverallScore}");
                    improvedKinds.Add(question.Kind);
                    improvedRouting += routing.Contains(question.Id) ? 1 : 0;
                }
            }
        }

        // The test must have exercised what it claims to cover.
        Assert.Superset(new HashSet<QuestionKind> { QuestionKind.Single, QuestionKind.Multiple, QuestionKind.Scale }, improvedKinds);
        Assert.True(improvedRouting > 0, "no question that others depend on was improved");
    }

    /// <summary>Answers with more points than the current one: higher options and scale values; for multiple choice, one more option with points (in place of a "none of these").</summary>
    private static IEnumerable<AnswerValue> Improvements(Question question, AnswerValue current)
    {
        switch (question.Kind)
        {
            case QuestionKind.Single:
                return question.Options.Select(o => AnswerValue.ForOption(o.Index));
            case QuestionKind.Scale:
                return Enumerable.Range(1, 5).Select(v => AnswerValue.ForNumber(v));
            case QuestionKind.Multiple:
                var chosen = current.IsDontKnow || question.Options.Any(o => o.Exclusive && (current.Options & (1UL << o.Index)) != 0) ? 0UL : current.Options;
                return question.Options.Where(o => !o.Exclusive && o.Points > 0 && (chosen & (1UL << o.Index)) == 0)
                    .Select(o => AnswerValue.ForOptions(chosen | (1UL << o.Index)));
            default:
                return [];
        }
    }

    [Fact]
    public void AllBestAnswers_LandInTheTopBand()
    {
        var result = Answers.For(Content).AllBest().Assess();

        Assert.Equal(Content.Model.Bands[^1].Id, result.OverallBand!.Id);
        Assert.Empty(result.Caps);
        Assert.All(result.Factors, f => Assert.Equal(100, f.Score!.Value, 6));
    }

    [Fact]
    public void AllWorstAnswers_LandInTheBottomBand()
    {
        var result = Answers.For(Content).AllWorst().Assess();

        Assert.Equal(Content.Model.Bands[0].Id, result.OverallBand!.Id);
        Assert.All(result.Factors.Where(f => f.Score is not null), f => Assert.Equal(0, f.Score!.Value, 6));
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Results_AreDeterministic_AcrossRunsAndLoads(int seed)
    {
        using var copy = TestContent.Copy();
        var reloaded = copy.Load().Content!;
        for (var i = 0; i < Sets / 10; i++)
        {
            var json = RandomAnswers.Generate(Content, seed + i).ToJson().ToJsonString();
            var first = ResultJson.From(Assessor.Assess(Content, AnswerSet.Parse(Content.Questionnaire, json, 2026).Answers!)).ToJsonString();
            var second = ResultJson.From(Assessor.Assess(Content, AnswerSet.Parse(Content.Questionnaire, json, 2026).Answers!)).ToJsonString();
            var other = ResultJson.From(Assessor.Assess(reloaded, AnswerSet.Parse(reloaded.Questionnaire, json, 2026).Answers!)).ToJsonString();
            Assert.Equal(first, second);
            Assert.Equal(first, other);
        }
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void EveryPlanItem_CitesASourceThatExists(int seed)
    {
        for (var i = 0; i < Sets / 10; i++)
        {
            var result = RandomAnswers.Generate(Content, seed + i).Assess();
            foreach (var item in result.ActionPlan)
            {
                Assert.NotEmpty(item.Advice.Sources);
                Assert.All(item.Advice.Sources, s => Assert.True(Content.Sources.ContainsKey(s.SourceId), $"{item.Advice.Id} cites {s.SourceId}"));
            }
        }
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void ScoresStayWithin0And100(int seed)
    {
        for (var i = 0; i < Sets / 10; i++)
        {
            var result = RandomAnswers.Generate(Content, seed + i).Assess();
            Assert.All(result.Factors.Where(f => f.Score is not null), f => Assert.InRange(f.Score!.Value, 0, 100));
            Assert.All(result.Pillars.Where(p => p.Score is not null), p => Assert.InRange(p.Score!.Value, 0, 100));
            if (result.OverallScore is { } overall)
            {
                Assert.InRange(overall, 0, 100);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void CompiledConditions_AgreeWithTheInterpreter(int seed)
    {
        var compiled = Content.Compiled;
        for (var i = 0; i < Sets / 10; i++)
        {
            var result = RandomAnswers.Generate(Content, seed + i).Assess();
            var state = result.Evaluation;
            for (var r = 0; r < Content.Rules.Count; r++)
            {
                Assert.Equal(ConditionInterpreter.Evaluate(compiled.RuleResolved[r], state), result.Fired(Content.Rules[r]));
            }

            foreach (var q in Content.Questionnaire.Questions.Where(q => compiled.ShowIfResolved[q.Index] is not null))
            {
                Assert.Equal(ConditionInterpreter.Evaluate(compiled.ShowIfResolved[q.Index]!, state), state.Visible[q.Index]);
            }
        }
    }

    [Fact]
    public void EveryConditionKind_IsResolvedCompiledAndInterpreted()
    {
        // A new Condition subtype must be handled everywhere; this fails until it is.
        var kinds = typeof(Condition).Assembly.GetTypes().Where(t => t.IsSubclassOf(typeof(Condition)) && !t.IsAbstract).ToList();
        var resolver = new ConditionResolver(Content.Model, Content.Questionnaire, Content.Flags);
        var state = Answers.For(Content).AllWorst().Assess().Evaluation;
        Condition Sample(Type type) => type.Name switch
        {
            nameof(AllOf) => new AllOf([new AnswerIs("cs.activity", "none")]),
            nameof(AnyOf) => new AnyOf([new AnswerIs("cs.activity", "none")]),
            nameof(Not) => new Not(new AnswerIs("cs.activity", "none")),
            nameof(AnswerIs) => new AnswerIs("cs.activity", "none"),
            nameof(AnswerIn) => new AnswerIn("cs.activity", ["none", "agents"]),
            nameof(AnswerAtLeast) => new AnswerAtLeast("cs.barriers", 1),
            nameof(AnswerAtMost) => new AnswerAtMost("cs.barriers", 1),
            nameof(AnswerGiven) => new AnswerGiven("cs.activity", true),
            nameof(DerivedAtLeast) => new DerivedAtLeast(DerivedField.FirmAge, 5),
            nameof(DerivedAtMost) => new DerivedAtMost(DerivedField.YearsToFirstExport, 6),
            nameof(ScoreBelow) => new ScoreBelow("capacity", 40),
            nameof(ScoreAtLeast) => new ScoreAtLeast("overall", 40),
            nameof(FlagSet) => new FlagSet(CsfModel.DontKnowFlag),
            nameof(StageIn) => new StageIn(["exporter"]),
            _ => throw new InvalidOperationException($"Add a sample for the new condition {type.Name} here, and handle it in the resolver, compiler, interpreter, explanations and ResultJson."),
        };

        foreach (var kind in kinds)
        {
            var condition = Sample(kind);
            var resolved = resolver.Resolve(condition, (_, message) => Assert.Fail(message));
            Assert.Equal(ConditionInterpreter.Evaluate(resolved, state), RuleProgram.CompileOne(resolved)(state));
            Assert.NotNull(ResultJson.Condition(condition));
        }
    }
}
