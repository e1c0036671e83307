using BenchmarkDotNet.Attributes;
using Portal.Web.Features.Programmes;

namespace Portal.Benchmarks.Cohorts;

/// <summary>
/// The cohort dashboard as BenchmarkDotNet sees it: the page's whole load
/// (<see cref="CohortDashboardService.GetAsync"/>) and the factors export's, for the largest
/// seeded cohort and for a cohort of every firm sharing with the agency, over the cached
/// database of 10,000 firms x 10 assessments (seeded on first use). The per-query figures
/// come from the <c>cohort-dashboard</c> verb (<see cref="CohortDashboardBenchmark"/>).
/// </summary>
[SimpleJob(launchCount: 1, warmupCount: 2, iterationCount: 10)]
public class CohortDashboardBenchmarks
{
    private CohortDashboardSetup setup = default!;
    private CohortScope scope = default!;

    /// <summary>0: the largest seeded cohort; 1: every firm sharing with the agency.</summary>
    [Params(0, 1)]
    public int Cohort { get; set; }

    [GlobalSetup]
    public async Task SetupAsync()
    {
        setup = await CohortDashboardSetup.OpenAsync(CohortDashboardSetup.DefaultFolder(10_000, 10, 1), 10_000, 10, 1, Console.Out);
        scope = (await setup.ScenariosAsync())[Cohort].Scope;
    }

    [GlobalCleanup]
    public ValueTask CleanupAsync() => setup.DisposeAsync();

    [Benchmark]
    public Task<CohortDashboard> WholeDashboard() => setup.Dashboards.GetAsync(scope);

    [Benchmark]
    public Task<IReadOnlyList<FactorSummary>> FactorSummaries() => setup.Dashboards.GetFactorSummariesAsync(scope);
}
