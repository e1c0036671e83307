using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
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
/// RulesEngine runs with FastExpressionCompiler, never clearly slower than its default compiler
/// (System.Linq.Expressions) in alternating rounds here (docs/benchmarks.md).
/// </summary>
[MemoryDiagnoser]
[Config(typeof(PeerBenchmarkConfig))]
public class PeerScoringBenchmarks
{
    public const int Batch = 200;

    private PortalContent content = default!;
    private AnswerSet[] assessments = [];
    private PeerScorer peer = default!;
    private RuleParameter[] peerInputs = [];

    /// <summary>How many assessments each invocation scores (smaller in the smoke test).</summary>
    public int Assessments { get; set; } = Batch;

    /// <summary>RulesEngine 6.0.1 compiles with System.Linq.Expressions unless told to use FastExpressionCompiler.</summary>
    public bool FastExpressionCompiler { get; set; } = true;

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
/// In process, 3 warm-up and 15 measured iterations: BenchmarkDotNet's own copy of the project
/// (Portal.Web included) took over two minutes to build on the shared machine, and the quiet
/// spells there last a few minutes; in process, measuring starts at once.
/// </summary>
public sealed class PeerBenchmarkConfig : ManualConfig
{
    public PeerBenchmarkConfig() => AddJob(Job.Default
        .WithToolchain(InProcessEmitToolchain.Instance)
        .WithWarmupCount(3)
        .WithIterationCount(15)
        .WithId("InProcess"));
}
