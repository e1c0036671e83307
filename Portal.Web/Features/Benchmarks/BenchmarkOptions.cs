namespace Portal.Web.Features.Benchmarks;

/// <summary>Section <c>Benchmarks</c>: what only a benchmark run turns on, in Development.</summary>
public sealed class BenchmarkOptions
{
    public const string SectionName = "Benchmarks";

    /// <summary>
    /// Maps the floor endpoints (<see cref="FloorEndpoints"/>) in Development; ignored, with a
    /// warning, in any other environment.
    /// </summary>
    public bool FloorEndpoints { get; set; }
}
