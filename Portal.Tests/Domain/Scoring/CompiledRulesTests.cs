using Portal.Domain.Content;
using Portal.Domain.Plans;
using Portal.Domain.Rules;
using Portal.Domain.Scoring;
using Portal.Tests.TestSupport;

namespace Portal.Tests.Domain.Scoring;

/// <summary>
/// The parts of scoring made fast at content load: the rules and show-ifs compiled into
/// straight-line methods, and the action plan's keys packed into 64-bit numbers. Each must give
/// what the plain definitions give (the interpreter, the field-by-field order), on many answer sets.
/// </summary>
public sealed class CompiledRulesTests
{
    private static readonly PortalContent Content = TestContent.Real;

    [Fact]
    public void PackedPlanKeys_GiveTheFieldByFieldOrder_OnManyAnswerSets()
    {
        Assert.NotNull(Content.Compiled.PlanKeys); // the real content packs; otherwise this compares the fallback with itself
        var plans = 0;
        for (var seed = 1; seed <= 400; seed++)
        {
            var result = RandomAnswers.Generate(Content, seed * 31).Assess();
            var e = result.Evaluation;
            var packed = ActionPlanBuilder.Rank(Content, e, e.AdvicePriority, Content.Compiled.PlanKeys);
            var fieldByField = ActionPlanBuilder.Rank(Content, e, e.AdvicePriority, layout: null);
            Assert.Equal(fieldByField, packed);
            Assert.Equal(fieldByField, result.ActionPlan.Select(p => Content.AdviceList.IndexOf(p.Advice)));
            plans += packed.Length > 1 ? 1 : 0;
        }

        Assert.True(plans > 300, $"Only {plans} of 400 answer sets gave a plan of two or more items to order.");
    }

    [Fact]
    public void PlanKeyLayout_FitsTheRealContent_AndRefusesContentTooLargeFor64Bits()
    {
        var real = Content.Compiled.PlanKeys!;
        Assert.InRange(real.TotalBits, 1, 64);

        // 2^20 rules and advice items with a factor worth 100% need 1 + 2 + 37 + 4 + 20 + 20 bits.
        Assert.Null(PlanKeyLayout.For(rules: 1 << 20, advice: 1 << 20, maxReasons: 9, maxOverallWeight: 100, maxPriority: 3));
        Assert.NotNull(PlanKeyLayout.For(rules: 1 << 8, advice: 1 << 8, maxReasons: 9, maxOverallWeight: 100, maxPriority: 3));
        Assert.Null(PlanKeyLayout.For(rules: 10, advice: 10, maxReasons: 1, maxOverallWeight: double.NaN, maxPriority: 3));
    }

    [Fact]
    public void PackedKeys_OrderFieldByField_FromTheMostSignificant()
    {
        var layout = PlanKeyLayout.For(rules: 200, advice: 100, maxReasons: 5, maxOverallWeight: 20, maxPriority: 3)!;
        ulong Key(bool focus = true, int priority = 2, double impact = 5e9, int reasons = 1, int rule = 10, int advice = 7) =>
            layout.Pack(focus, priority, impact, reasons, rule, advice);

        var expectedOrder = new[]
        {
            Key(priority: 3, impact: 0),          // in focus and high priority first, whatever the impact
            Key(impact: 20e9 + 1),                // the largest impact the layout holds
            Key(impact: 5e9, reasons: 5),         // more reasons before fewer
            Key(reasons: 1, rule: 3, advice: 99), // the earlier first rule
            Key(rule: 10, advice: 6),             // then the advice index
            Key(rule: 10, advice: 7),
            Key(rule: 199, advice: 0),
            Key(impact: 0),
            Key(focus: false, priority: 3, impact: 20e9),
        };

        Assert.Equal(expectedOrder, expectedOrder.Order());
        Assert.Equal([99, 6, 7, 0], expectedOrder[3..7].Select(layout.Advice));
        Assert.True(layout.Fits(20e9 + 1));
        Assert.False(layout.Fits(20e9 + 2));
        Assert.False(layout.Fits(-1));
    }

    [Fact]
    public void TheRules_AreSplitIntoSeveralCompiledMethods_ThatTogetherRunEveryRuleOnce()
    {
        var compiled = Content.Compiled;
        Assert.Equal((Content.Rules.Count + RuleProgram.RulesPerMethod - 1) / RuleProgram.RulesPerMethod, compiled.RuleProgram.Length);

        // Every rule's effects applied once: the "all worst" firm fires many rules, and its
        // triage total is the sum of the fired rules' points (clamped), each counted once.
        var result = Answers.For(Content).AllWorst().Assess();
        var fired = Content.Rules.Where(result.Fired).ToList();
        Assert.True(fired.Count > RuleProgram.RulesPerMethod, "The sample should fire rules from more than one compiled method.");
        Assert.Equal(Math.Clamp(fired.Sum(r => r.Then.Triage), 0, 100), result.TriagePriority);
        Assert.Equal(result.Evaluation.Fired.Count(f => f), fired.Count);
    }
}
