using System.ComponentModel.DataAnnotations;

namespace Portal.Web.Features.FollowUps;

/// <summary>Section <c>FollowUps</c>: how the outbox of emails is dispatched.</summary>
public sealed class FollowUpOptions : IValidatableObject
{
    public const string SectionName = "FollowUps";

    /// <summary>How often the dispatcher looks for due emails. 0 turns the schedule off (a test, or a node that only serves pages).</summary>
    [Range(0, 60, ErrorMessage = "must be between 0 (off) and 60 minutes")]
    public int DispatchEveryMinutes { get; set; } = 1;

    /// <summary>Rows claimed at a time by one dispatcher.</summary>
    [Range(1, 10_000, ErrorMessage = "must be between 1 and 10000")]
    public int BatchSize { get; set; } = 100;

    /// <summary>How long a claim holds: a dispatcher that dies leaves its rows to others after this.</summary>
    [Range(10, 86_400, ErrorMessage = "must be between 10 and 86400 seconds")]
    public int ClaimSeconds { get; set; } = 300;

    /// <summary>Attempts before an email is marked failed.</summary>
    [Range(1, 100, ErrorMessage = "must be between 1 and 100")]
    public int MaxAttempts { get; set; } = 10;

    /// <summary>Wait after the first failure; it doubles after each further one, up to <see cref="RetryMaxSeconds"/>.</summary>
    [Range(1, 86_400, ErrorMessage = "must be between 1 and 86400 seconds")]
    public int RetryBaseSeconds { get; set; } = 60;

    [Range(1, 604_800, ErrorMessage = "must be between 1 and 604800 seconds")]
    public int RetryMaxSeconds { get; set; } = 3600;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (RetryMaxSeconds < RetryBaseSeconds)
        {
            yield return new ValidationResult("must be at least FollowUps:RetryBaseSeconds", [nameof(RetryMaxSeconds)]);
        }
    }

    /// <summary>The wait before the next attempt, after <paramref name="attempts"/> failed ones.</summary>
    public TimeSpan RetryDelay(int attempts)
    {
        var seconds = RetryBaseSeconds * Math.Pow(2, Math.Clamp(attempts - 1, 0, 30));
        return TimeSpan.FromSeconds(Math.Min(seconds, RetryMaxSeconds));
    }
}
