extern alias benchmarks;

using benchmarks::Portal.Benchmarks.Peer;
using Portal.Domain.Content;
using Portal.Domain.Scoring;
using Portal.Tests.TestSupport;

namespace Portal.Tests.Benchmarks;

/// <summary>
/// The RulesEngine peer of the scoring benchmark computes what the portal computes: the same
/// rules fire, the same scores, bands, flags, stage, triage, plan and follow-ups, on
/// persona-based assessments the benchmark does not use (another seed).
/// </summary>
public sealed class PeerTranslationTests
{
    private static readonly Lazy<PeerScorer> Peer = new(() =>
    {
        var peer = new PeerScorer(Content);
        peer.Compile();
        return peer;
    });

    private static PortalContent Content => TestContent.Real;

    [Fact]
    public void OnFiftyPersonaAssessments_ThePeerAgreesWithThePortal_OnEverything()
    {
        var assessments = PersonaAssessments.Generate(Content, 50, seed: 2026);
        var inputs = assessments.Select(Peer.Value.Prepare).ToArray();

        var differences = PeerCheck.Differences(Content, Peer.Value, assessments, inputs);

        Assert.True(differences.Count == 0, string.Join("\n", differences.Take(20)));
        // Agreement means something only if the sample exercises the rules: many fire, firms
        // reach different stages, and plans are not empty.
        var outcomes = assessments.Select(a => ScoringOutcome.From(Content, Assessor.Assess(Content, a))).ToList();
        var firedSomewhere = Enumerable.Range(0, Content.Rules.Count).Count(r => outcomes.Any(o => o.Fired[r]));
        Assert.True(firedSomewhere > Content.Rules.Count / 2, $"only {firedSomewhere} of {Content.Rules.Count} rules fired in the sample");
        Assert.True(outcomes.Select(o => o.Stage).Distinct().Count() >= 4);
        Assert.All(outcomes, o => Assert.NotEmpty(o.Plan));
    }

    [Fact]
    public void OnSparseAnswers_WithFactorsAndPillarsNotAssessed_ThePeerAgreesWithThePortal()
    {
        var random = new Random(3);
        var assessments = Enumerable.Range(0, 30)
            .Select(_ => AnswerSet.Parse(Content.Questionnaire, SyntheticAnswers.Generate(Content, random, answerRate: 0.15, dontKnowRate: 0.3).ToJsonString(), 2026).Answers)
            .OfType<AnswerSet>()
            .ToArray();

        var differences = PeerCheck.Differences(Content, Peer.Value, assessments, assessments.Select(Peer.Value.Prepare).ToArray());

        Assert.True(differences.Count == 0, string.Join("\n", differences.Take(20)));
        var outcomes = assessments.Select(a => ScoringOutcome.From(Content, Assessor.Assess(Content, a))).ToList();
        Assert.True(assessments.Length >= 20);
        Assert.Contains(outcomes, o => o.Factors.Any(f => f is null));
        Assert.Contains(outcomes, o => o.Pillars.Any(p => p is null));
    }

    [Fact]
    public void AnotherAssessmentsResult_IsReportedAsDifferent()
    {
        var assessments = PersonaAssessments.Generate(Content, 5, seed: 2026);
        var shifted = assessments.Skip(1).Append(assessments[0]).Select(Peer.Value.Prepare).ToArray();

        var differences = PeerCheck.Differences(Content, Peer.Value, assessments, shifted);

        Assert.All(Enumerable.Range(0, 5), i => Assert.Contains(differences, d => d.StartsWith($"assessment {i}: ", StringComparison.Ordinal)));
        Assert.Throws<InvalidOperationException>(() => PeerCheck.ThrowIfDifferent(Content, Peer.Value, assessments, shifted));
    }

    [Fact]
    public void EveryRuleAndEveryShowIf_IsTranslatedOnce()
    {
        var translation = Peer.Value.Translation;

        var rules = translation.RuleSteps.SelectMany(s => s.Workflow.Rules.Select(r => r.RuleName)).ToList();
        Assert.Equal(Content.Rules.Select(r => r.Id).Order(StringComparer.Ordinal), rules.Order(StringComparer.Ordinal));
        var showIfs = translation.VisibilitySteps.SelectMany(s => s.Targets).ToList();
        Assert.Equal(Content.Questionnaire.Questions.Where(q => q.ShowIf is not null).Select(q => q.Index).Order(), showIfs.Order());
        Assert.Equal(Content.Model.Factors.Count + 1, translation.Factors.Workflow.Rules.Count()); // and the "don't know" flag
        Assert.Equal(Content.Model.Pillars.Count, translation.Pillars.Workflow.Rules.Count());
    }

    [Fact]
    public void TheBenchmark_SetsUpAndBothMethodsScore_TheSameTriageTotal()
    {
        var benchmark = new PeerScoringBenchmarks { Assessments = 10 };

        benchmark.Setup(); // throws if the engines disagree on any of the ten

        var peer = benchmark.RulesEnginePeer();
        var ours = benchmark.PortalEngine();
        Assert.Equal(ours, peer);
        Assert.True(ours > 0, "ten firms with no triage points at all: nothing was scored");
    }
}
