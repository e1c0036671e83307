using System.ComponentModel.DataAnnotations;

namespace Portal.Web.Jobs;

/// <summary>Section <c>Jobs</c>: the Hangfire server inside the web process.</summary>
public sealed class JobsOptions
{
    public const string SectionName = "Jobs";

    [Range(1, 64, ErrorMessage = "must be between 1 and 64")]
    public int WorkerCount { get; set; } = 2;

    /// <summary>How often delayed jobs are checked; Hangfire's default is 15 s, tests use 1 s.</summary>
    [Range(1, 300, ErrorMessage = "must be between 1 and 300 seconds")]
    public int SchedulePollingIntervalSeconds { get; set; } = 15;
}
