using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Portal.Domain.Content;
using Portal.Domain.Scoring;
using RulesEngine.Models;

namespace Portal.Benchmarks.Peer;

/// <summary>
/// The portal's engine beside Microsoft RulesEngine running the same content rules
/// (<see cref="PeerTranslation"/>), on the same persona-based assessments, per assessment.
/// Goal: the portal at least 20 times faster. Set-up checks that both agree on every
/// assessment scored, so a fast wrong answer cannot win. Answers are prepared for each engine
/// beforehand (the portal's AnswerSet, the peer's arrays); neither preparation is timed.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 10)]
[Config(typeof(SlowBuildConfig))]
public class PeerScoringBenchmarks
{
    public const int Batch = 200;

    private PortalContent content = default!;
    private AnswerSet[] assessments = [];
    private PeerScorer peer = default!;
    private RuleParameter[] peerInputs = [];

    /// <summary>How many assessments each invocation scores (smaller in the smoke test).</summary>
    public int Assessments { get; set; } = Batch;

    /// <summary>RulesEngine's two ways of compiling expressions (System.Linq.Expressions, its default in 6.0.1, or FastExpressionCompiler): the peer gets both.</summary>
    [Params(false, true)]
    public bool FastExpressionCompiler { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        content = BenchmarkContent.Load();
        assessments = PersonaAssessments.Generate(content, Assessments);
        peer = new PeerScorer(content, PeerScorer.Settings(FastExpressionCompiler));
        peer.Compile();
        peerInputs = assessments.Select(peer.Prepare).ToArray();
        PeerCheck.ThrowIfDifferent(content, peer, assessments, peerInputs);
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Batch)]
    public int RulesEnginePeer()
    {
        var triage = 0;
        foreach (var input in peerInputs)
        {
            triage += peer.Score(input).Triage;
        }

        return triage;
    }

    [Benchmark(OperationsPerInvoke = Batch)]
    public int PortalEngine()
    {
        var triage = 0;
        foreach (var answers in assessments)
        {
            triage += Assessor.Assess(content, answers).TriagePriority;
        }

        return triage;
    }
}

/// <summary>
/// BenchmarkDotNet builds its own copy of the project (Portal.Web included) and gives up after two
/// minutes; on two cores shared with other builds that copy took longer.
/// </summary>
public sealed class SlowBuildConfig : ManualConfig
{
    public SlowBuildConfig() => WithBuildTimeout(TimeSpan.FromMinutes(10));
}
