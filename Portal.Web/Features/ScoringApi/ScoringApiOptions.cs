using System.ComponentModel.DataAnnotations;

namespace Portal.Web.Features.ScoringApi;

/// <summary>Section <c>ScoringApi</c>: limits of the anonymous what-if scoring endpoint.</summary>
public sealed class ScoringApiOptions
{
    public const string SectionName = "ScoringApi";

    /// <summary>Requests allowed per client address per minute.</summary>
    [Range(1, 100_000, ErrorMessage = "must be between 1 and 100000")]
    public int PermitsPerMinute { get; set; } = 60;

    /// <summary>Largest request body accepted, in kilobytes.</summary>
    [Range(1, 1024, ErrorMessage = "must be between 1 and 1024 kilobytes")]
    public int MaxBodyKilobytes { get; set; } = 64;
}
