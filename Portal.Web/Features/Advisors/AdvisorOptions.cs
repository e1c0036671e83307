using System.ComponentModel.DataAnnotations;

namespace Portal.Web.Features.Advisors;

/// <summary>Section <c>Advisors</c>: how the triage queue and the firm file judge a case.</summary>
public sealed class AdvisorOptions
{
    public const string SectionName = "Advisors";

    /// <summary>A firm not contacted this many days after it shared (or since the last contact) is marked overdue.</summary>
    [Range(1, 365, ErrorMessage = "must be between 1 and 365 days")]
    public int OverdueAfterDays { get; set; } = 14;

    /// <summary>Factors whose self-assessed and advisor-validated scores differ by more than this many points are flagged.</summary>
    [Range(1, 100, ErrorMessage = "must be between 1 and 100 points")]
    public int ValidationMarginPoints { get; set; } = 10;

    /// <summary>Firms on one page of the queue.</summary>
    [Range(5, 200, ErrorMessage = "must be between 5 and 200")]
    public int QueuePageSize { get; set; } = 25;
}
