using BenchmarkDotNet.Attributes;
using Portal.Domain.Content;
using Portal.Domain.Scoring;

namespace Portal.Benchmarks;

/// <summary>
/// Scoring one full assessment (all sections answered, every rule evaluated). Target: under
/// 20 microseconds and 8 KB allocated. Answers are parsed beforehand, as when a page scores
/// answers it already holds; parsing is measured in <see cref="RescoreBenchmarks"/>.
/// </summary>
[MemoryDiagnoser]
public class ScoringBenchmarks
{
    private PortalContent content = default!;
    private AnswerSet answers = default!;

    [GlobalSetup]
    public void Setup()
    {
        content = BenchmarkContent.Load();
        answers = BenchmarkContent.FullAssessment(content);
        var result = Assessor.Assess(content, answers);
        if (result.Trace.Count != content.Rules.Count || result.OverallScore is null)
        {
            throw new InvalidOperationException("The benchmark's assessment did not score.");
        }
    }

    [Benchmark]
    public AssessmentResult AssessFullAssessment() => Assessor.Assess(content, answers);
}

/// <summary>
/// Re-scoring 100,000 stored assessments from their answers JSON (parse + score), using every
/// core, as a content-version re-score does. Target: under 5 s on two cores.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 1, iterationCount: 5)]
public class RescoreBenchmarks
{
    private PortalContent content = default!;
    private string[] stored = [];

    [Params(100_000)]
    public int Assessments { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        content = BenchmarkContent.Load();
        stored = BenchmarkContent.StoredAssessments(content, Assessments);
    }

    [Benchmark]
    public double RescoreAllInParallel()
    {
        var sums = new double[Environment.ProcessorCount];
        Parallel.For(0, stored.Length, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, () => 0.0,
            (i, _, sum) => sum + (Assessor.Assess(content, BenchmarkContent.Parse(content, stored[i])).OverallScore ?? 0),
            sum => { lock (sums) { sums[0] += sum; } });
        return sums[0];
    }
}
