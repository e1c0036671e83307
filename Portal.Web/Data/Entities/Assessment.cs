namespace Portal.Web.Data.Entities;

public enum AssessmentStatus
{
    Draft = 0,
    Submitted = 1,
}

/// <summary>
/// One pass through the questionnaire. While a draft, its answers live in
/// <see cref="AssessmentAnswer"/> rows, saved one by one as they are given. On submission the
/// answers (with the profile) and the result are stored as an immutable snapshot, with the
/// content version they were scored with, so the result stays readable after content changes.
/// </summary>
public sealed class Assessment
{
    public Guid Id { get; set; } = Guid.NewGuid();

    public Guid FirmId { get; set; }

    public Firm Firm { get; set; } = default!;

    /// <summary>1 for the firm's first assessment, then 2, 3, ...</summary>
    public int Number { get; set; }

    public AssessmentStatus Status { get; set; }

    public DateTime StartedAt { get; set; }

    public DateTime UpdatedAt { get; set; }

    /// <summary>The section the owner last worked on, to continue where they left off.</summary>
    public string? LastSectionId { get; set; }

    public DateTime? SubmittedAt { get; set; }

    public string? ContentVersion { get; set; }

    /// <summary>Profile and answers at submission, canonical JSON.</summary>
    public string? AnswersJson { get; set; }

    /// <summary>The full result at submission (scores, plan, trace), as JSON.</summary>
    public string? ResultJson { get; set; }

    // Summary columns, so lists, queues and cohort figures are computed in the database.
    public double? OverallScore { get; set; }

    public string? BandId { get; set; }

    public string? StageId { get; set; }

    public string? StageGroupId { get; set; }

    public int? TriagePriority { get; set; }

    /// <summary>The firm's newest submitted assessment: queues and cohorts read only these rows.</summary>
    public bool IsLatest { get; set; }

    public List<AssessmentAnswer> Answers { get; set; } = [];

    public List<AssessmentFactorScore> FactorScores { get; set; } = [];

    public List<AssessmentFlag> Flags { get; set; } = [];
}

/// <summary>A draft answer, one row per question, upserted as the owner answers.</summary>
public sealed class AssessmentAnswer : IStoredAnswer
{
    public Guid AssessmentId { get; set; }

    public string QuestionId { get; set; } = "";

    public string ValueJson { get; set; } = "";

    public DateTime UpdatedAt { get; set; }
}

public sealed class AssessmentFactorScore
{
    public Guid AssessmentId { get; set; }

    public string FactorId { get; set; } = "";

    public double? Score { get; set; }
}

public sealed class AssessmentFlag
{
    public Guid AssessmentId { get; set; }

    public string FlagId { get; set; } = "";
}
