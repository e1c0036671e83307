using Portal.Domain.Content;
using Portal.Domain.Rules;
using Portal.Domain.Scoring;
using Portal.Tests.TestSupport;

namespace Portal.Tests.Domain.Scoring;

public sealed class AssessorTests
{
    private static PortalContent Content => TestContent.Real;

    private static Answers New() => Answers.For(Content);

    [Fact]
    public void Assess_NoForeignContacts_FlagsLonelyInternational()
    {
        var result = New().Set("cs.activity", "agents").Set("cs.foreign-contacts", "none").Assess();

        Assert.True(result.HasFlag("lonely-international"));
        Assert.Contains(result.ActionPlan, i => i.Advice.Id == "build-foreign-contacts");
        Assert.Contains(result.FollowUps, f => f.Advice.Id == "build-foreign-contacts" && f.AfterDays == 14);
    }

    [Fact]
    public void NotYetConsideringExport_IsNotLonelyInternational()
    {
        var result = New().Set("cs.activity", "none").Set("cs.intent", "no-plans").Set("cs.foreign-contacts", "none").Assess();

        Assert.Equal("not-considering", result.Stage.Id);
        Assert.False(result.HasFlag("lonely-international"));
    }

    [Fact]
    public void HiddenQuestion_DoesNotCount_AndRulesIgnoreItsStoredAnswer()
    {
        // cs.team-collaboration applies only to firms that sell abroad through agents or their own units.
        var withAgents = New().Set("cs.activity", "agents").Set("cs.team-collaboration", 1).Assess();
        var notExporting = New().Set("cs.activity", "none").Set("cs.intent", "decided").Set("cs.team-collaboration", 1).Assess();

        var question = Content.Questionnaire.Find("cs.team-collaboration")!;
        Assert.True(withAgents.IsVisible(question));
        Assert.False(notExporting.IsVisible(question));
        Assert.Contains(withAgents.ActionPlan, i => i.Advice.Id == "connect-home-and-international-teams");
        Assert.DoesNotContain(notExporting.ActionPlan, i => i.Advice.Id == "connect-home-and-international-teams");
        var explained = notExporting.Explain(Content.Model.FindFactor("current-scenario")!);
        Assert.Contains(explained.Questions, c => c.Question == question && !c.Counted && c.Note.Contains("Does not apply", StringComparison.Ordinal));
    }

    [Fact]
    public void SkippedQuestions_DoNotCount()
    {
        var result = New().Set("cs.intent", "part-of-strategy").Assess();

        var factor = result.Factor("current-scenario");
        Assert.Equal(100, factor.Score);
        Assert.Equal(1, factor.Answered);
        Assert.Null(result.Factor("capacity").Score);
    }

    [Fact]
    public void DontKnow_ScoresAsAGap_AndRaisesTheFlag()
    {
        var skipped = New().Set("cs.intent", "part-of-strategy").Assess();
        var dontKnow = New().Set("cs.intent", "part-of-strategy").DontKnow("cs.benchmarking").Assess();

        Assert.Equal(100, skipped.Factor("current-scenario").Score);
        Assert.Equal(50, dontKnow.Factor("current-scenario").Score);
        Assert.True(dontKnow.HasFlag(CsfModel.DontKnowFlag));
        Assert.False(skipped.HasFlag(CsfModel.DontKnowFlag));
    }

    [Fact]
    public void Stage_IsTheMostAdvancedStageWhoseRuleFires_OrTheDefault()
    {
        Assert.Equal("not-considering", New().Assess().Stage.Id);
        Assert.Equal("pre-export", New().Set("cs.activity", "none").Set("cs.intent", "considering").Assess().Stage.Id);
        var production = New().Set("cs.activity", "production").Assess();
        Assert.Equal("production-abroad", production.Stage.Id);
        Assert.Equal("exporter", production.StageGroup.Id);
    }

    [Fact]
    public void CriticalFactorFarBelowThreshold_CapsTheOverallBand()
    {
        var result = New().AllBest().Section("capacity", Answers.WorstValue).Assess();

        var capacity = result.Factor("capacity");
        Assert.True(capacity.Score < Content.Model.FindFactor("capacity")!.Knockout!.Below, $"capacity {capacity.Score}");
        Assert.True(result.UncappedOverallBand!.Rank > Content.Model.FindBand("developing").Rank, $"uncapped {result.UncappedOverallBand.Id} at {result.OverallScore}");
        Assert.Equal("developing", result.OverallBand!.Id);
        var cap = Assert.Single(result.Caps, c => c.Reason == CapReason.Knockout);
        Assert.Equal("capacity", cap.Factor!.Id);
        Assert.Contains("critical success factor", cap.Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public void WeakCompetenciesAsAWhole_CapTheOverallBand_AndSayWhy()
    {
        // Everything else at its best; policy (no knock-out) at its worst; the other
        // competencies raised answer by answer to just above their knock-out, so that only
        // the pillar as a whole is weak.
        var answers = New().AllBest().Section("policy", Answers.WorstValue);
        foreach (var id in new[] { "capacity", "networks", "innovation" })
        {
            answers.Section(id, Answers.WorstValue);
            var knockout = Content.Model.FindFactor(id)!.Knockout!.Below;
            foreach (var question in Content.Questionnaire.FindSection(id)!.Questions)
            {
                if (answers.Assess().Factor(id).Score >= knockout)
                {
                    break;
                }

                answers.Best(question);
            }
        }

        var result = answers.Assess();

        var rule = Content.Rules.Single(r => r.Then.Caps.Any(c => c.Target == ScoreTargets.Overall));
        var weak = Assert.IsType<ScoreBelow>(rule.When);
        Assert.Equal("competencies", weak.Target);
        Assert.All(result.Factors.Where(f => f.Factor.Knockout is not null), f => Assert.True(f.Score >= f.Factor.Knockout!.Below, $"{f.Factor.Id} {f.Score} is knocked out"));
        Assert.True(result.Pillars.Single(p => p.Pillar.Id == "competencies").Score < weak.Value, "competencies are not weak");
        Assert.True(result.UncappedOverallBand!.Rank > Content.Model.FindBand("developing").Rank, $"uncapped {result.UncappedOverallBand.Id} at {result.OverallScore}");
        Assert.Equal("developing", result.OverallBand!.Id);
        var cap = Assert.Single(result.Caps);
        Assert.Equal((CapReason.Rule, ScoreTargets.Overall, rule.Id, rule.Explain), (cap.Reason, cap.Target, cap.Rule!.Id, cap.Explanation));
        Assert.Null(cap.Factor);
    }

    [Fact]
    public void StrongCompetencies_LeaveTheOverallBandUncapped()
    {
        var result = New().AllBest().Assess();

        Assert.Empty(result.Caps);
        Assert.Equal(result.UncappedOverallBand, result.OverallBand);
    }

    [Fact]
    public void RuleCapOnOverall_HoldsTheOverallBandDown_AndTheLowestCapWins()
    {
        using var copy = TestContent.Copy().Write("rules/zz-cap.yaml", """
            rules:
              - id: zz-cap-ready
                explain: Held at Ready.
                when: { answer: cs.benefits-analysis, is: no }
                then:
                  cap: { target: overall, band: ready }
              - id: zz-cap-early
                explain: Held at Early.
                when: { answer: cs.benefits-analysis, is: no }
                then:
                  cap: { target: overall, band: early }
            """);
        var content = copy.Load().Content!;

        var capped = Answers.For(content).AllBest().Set("cs.benefits-analysis", "no").Assess();
        var uncapped = Answers.For(content).AllBest().Assess();

        Assert.Equal("strong", capped.UncappedOverallBand!.Id);
        Assert.Equal("early", capped.OverallBand!.Id);
        Assert.Equal(["zz-cap-early", "zz-cap-ready"], capped.Caps.Select(c => c.Rule!.Id).Order());
        Assert.All(capped.Caps, c => Assert.Equal((CapReason.Rule, ScoreTargets.Overall), (c.Reason, c.Target)));
        Assert.Equal("Held at Early.", capped.Caps.Single(c => c.Band.Id == "early").Explanation);
        // Factor bands are not touched by a cap on the overall band.
        Assert.All(capped.Factors, f => Assert.Equal(f.UncappedBand, f.Band));
        Assert.Empty(uncapped.Caps);
        Assert.Equal("strong", uncapped.OverallBand!.Id);
    }

    [Fact]
    public void ActionPlan_IsOrderedByPriorityThenImpact()
    {
        var result = New().AllWorst().Set("cs.activity", "agents").Assess();

        Assert.True(result.ActionPlan.Count > 5);
        for (var i = 1; i < result.ActionPlan.Count; i++)
        {
            var (before, after) = (result.ActionPlan[i - 1], result.ActionPlan[i]);
            Assert.True(before.Priority > after.Priority || (before.Priority == after.Priority && before.Impact >= after.Impact - 1e-9),
                $"{before.Advice.Id} ({before.Priority}, {before.Impact}) before {after.Advice.Id} ({after.Priority}, {after.Impact})");
        }

        Assert.Equal(result.ActionPlan.Count, result.ActionPlan.Select(i => i.Advice.Id).Distinct().Count());
        Assert.All(result.ActionPlan, i => Assert.NotEmpty(i.Because));
    }

    [Fact]
    public void FollowUps_AreOnePerAdviceItem_EarliestFirst()
    {
        var result = New().AllWorst().Set("cs.activity", "agents").Assess();

        Assert.NotEmpty(result.FollowUps);
        Assert.Equal(result.FollowUps.Count, result.FollowUps.Select(f => f.Advice.Id).Distinct().Count());
        Assert.Equal(result.FollowUps.OrderBy(f => f.AfterDays).Select(f => f.AfterDays), result.FollowUps.Select(f => f.AfterDays));
        Assert.All(result.FollowUps, f => Assert.Equal(Audience.Owner, f.Advice.Audience));
    }

    [Fact]
    public void FirmNotConsideringExport_GetsStrategyAdviceLast_AndNeverByEmail()
    {
        var result = New().AllWorst().Set("cs.intent", "no-plans").Set("cs.activity", "none").Assess();

        Assert.Equal("not-yet-considering", result.StageGroup.Id);
        var strategy = result.ActionPlan.Where(i => Content.Model.FindFactor(i.Advice.FactorId)!.Pillar.Id == "strategy").ToList();
        Assert.NotEmpty(strategy);
        Assert.All(strategy, i => Assert.False(i.InFocus));
        var firstOutOfFocus = result.ActionPlan.ToList().FindIndex(i => !i.InFocus);
        Assert.All(result.ActionPlan.Skip(firstOutOfFocus), i => Assert.False(i.InFocus));
        Assert.DoesNotContain(result.FollowUps, f => Content.Model.FindFactor(f.Advice.FactorId)!.Pillar.Id == "strategy");
        Assert.Contains(result.ActionPlan.Where(i => i.Audience == Audience.Owner).Take(5), i => i.Advice.Id == "weigh-benefits-and-barriers");
    }

    [Fact]
    public void Exporter_HasEveryPillarInFocus()
    {
        var result = New().AllWorst().Set("cs.activity", "agents").Assess();

        Assert.All(result.ActionPlan, i => Assert.True(i.InFocus));
        Assert.Contains(result.FollowUps, f => Content.Model.FindFactor(f.Advice.FactorId)!.Pillar.Id == "strategy");
    }

    [Fact]
    public void TriagePriority_StaysWithin0And100()
    {
        Assert.InRange(New().AllWorst().Set("cs.activity", "agents").Assess().TriagePriority, 0, 100);
        Assert.InRange(New().AllBest().Assess().TriagePriority, 0, 100);
    }

    [Fact]
    public void FactorExplanation_AddsUpToTheScore()
    {
        var result = New().AllWorst().Section("capacity", q => q.Id.GetHashCode(StringComparison.Ordinal) % 2 == 0 ? Answers.BestValue(q) : Answers.WorstValue(q)).Assess();
        var factor = Content.Model.FindFactor("capacity")!;

        var explanation = result.Explain(factor);

        var counted = explanation.Questions.Where(q => q.Counted).ToList();
        var recomputed = 100 * counted.Sum(q => q.Weight * q.Points / q.MaxPoints) / counted.Sum(q => q.Weight);
        Assert.Equal(result.Factor("capacity").Score!.Value, recomputed, 6);
        Assert.Contains($"scores {result.Factor("capacity").Score:0} out of 100", explanation.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public void Trace_HasEveryRule_AndFiredRulesSayWhy()
    {
        var result = New().AllWorst().Set("cs.activity", "agents").Assess();

        Assert.Equal(Content.Rules.Count, result.Trace.Count);
        Assert.All(result.Trace.Where(t => t.Fired), t => Assert.NotEmpty(t.Evidence));
        var lonely = result.Trace.Single(t => t.Rule.Id == "lonely-international");
        Assert.True(lonely.Fired);
        Assert.Contains(lonely.Evidence, e => e.QuestionId == "cs.foreign-contacts" && e.Text.Contains("you answered “None”", StringComparison.Ordinal));
    }

    [Fact]
    public void AnswersReadAgainstOtherContent_AreRefused()
    {
        using var copy = TestContent.Copy();
        var other = copy.Load().Content!;
        var answers = Answers.For(other).Set("cs.activity", "none").Build();

        Assert.Throws<ArgumentException>(() => Assessor.Assess(Content, answers));
    }

    [Fact]
    public void YearsToFirstExport_IsDerivedFromFoundedAndFirstExportYear()
    {
        using var copy = TestContent.Copy().Write("rules/zz-derived.yaml", """
            flags:
              - { id: zz-early, name: Early, description: International within six years. }
              - { id: zz-old, name: Old, description: Older than twenty years. }
            rules:
              - id: zz-early
                explain: Early.
                when: { profile: years-to-first-export, at-most: 6 }
                then: { flag: zz-early }
              - id: zz-old
                explain: Old.
                when: { profile: firm-age, at-least: 20 }
                then: { flag: zz-old }
            """);
        var content = copy.Load().Content!;

        var early = Answers.For(content).Set("founded", 2001).Set("cs.activity", "agents").Set("ti.first-export-year", 2005).Assess(2026);
        var late = Answers.For(content).Set("founded", 1980).Set("cs.activity", "agents").Set("ti.first-export-year", 2001).Assess(2026);

        Assert.True(early.HasFlag("zz-early"));
        Assert.True(early.HasFlag("zz-old"));
        Assert.False(late.HasFlag("zz-early"));
        Assert.True(late.HasFlag("zz-old"));
        Assert.False(Answers.For(content).Set("founded", 2020).Assess(2026).HasFlag("zz-old"));
    }

    [Fact]
    public void RuleCaps_HoldTheFactorBandDown()
    {
        using var copy = TestContent.Copy().Write("rules/zz-cap.yaml", """
            rules:
              - id: zz-cap
                explain: No written analysis, so the current scenario is held at Developing.
                when: { answer: cs.benefits-analysis, is: no }
                then:
                  cap: { target: current-scenario, band: developing }
            """);
        var content = copy.Load().Content!;

        var result = Answers.For(content).Section("current-scenario", Answers.BestValue).Set("cs.benefits-analysis", "no").Assess();

        var factor = result.Factor("current-scenario");
        Assert.Equal("strong", factor.UncappedBand!.Id);
        Assert.Equal("developing", factor.Band!.Id);
        var cap = Assert.Single(result.Caps);
        Assert.Equal(CapReason.Rule, cap.Reason);
        Assert.Equal("zz-cap", cap.Rule!.Id);
    }
}
