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
        var random = new Random(seed);
        // Questions other questions' show-ifs read change which questions count; improving
        // those is a change of route, not of a single answer.
        var routing = Content.Questionnaire.Questions
            .SelectMany(q => q.ShowIf is null ? [] : ShowIfOrder.ConditionQuestions(q.ShowIf)).ToHashSet();
        var candidates = Content.Questionnaire.Questions
            .Where(q => !q.IsProfile && !routing.Contains(q.Id) && q.Weight > 0 && q.Kind is QuestionKind.Single or QuestionKind.Scale)
            .ToList();

        for (var i = 0; i < Sets / 10; i++)
        {
            var answers = RandomAnswers.Generate(Content, seed + i, answerRate: 1);
            var before = answers.Assess();
            foreach (var question in candidates.OrderBy(_ => random.Next()).Take(10))
            {
                var current = before.Answers[question];
                var currentPoints = current.IsDontKnow || !current.HasValue ? -1 : Assessor.Points(Content.Compiled, question.Index, current);
                foreach (var (value, points) in RandomAnswers.ScoredValues(question).Where(v => v.Points > currentPoints))
                {
                    var improved = RandomAnswers.Generate(Content, seed + i, answerRate: 1);
                    var after = (value is System.Text.Json.Nodes.JsonValue v && v.TryGetValue<int>(out var n)
                        ? improved.Set(question.Id, n)
                        : improved.Set(question.Id, value!.GetValue<string>())).Assess();
                    Assert.True(after.OverallScore >= before.OverallScore - 1e-9,
                        $"seed {seed + i}: {question.Id} improved to {value} ({points} points) lowered the score {before.OverallScore} -> {after.OverallScore}");
                }
            }
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
            Assert.Equal(ConditionInterpreter.Evaluate(resolved, state), ConditionCompiler.Compile(resolved)(state));
            Assert.NotNull(ResultJson.Condition(condition));
        }
    }
}
