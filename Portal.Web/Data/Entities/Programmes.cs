namespace Portal.Web.Data.Entities;

/// <summary>A support programme run by an organisation for groups (cohorts) of firms.</summary>
public sealed class Programme
{
    public Guid Id { get; set; } = Guid.NewGuid();

    public Guid OrganisationId { get; set; }

    public Organisation Organisation { get; set; } = default!;

    public string Name { get; set; } = "";

    public string? Description { get; set; }

    public DateTime CreatedAt { get; set; }

    public List<Cohort> Cohorts { get; set; } = [];
}

/// <summary>A member of a programme's staff. Staff see only the programmes they belong to.</summary>
public sealed class ProgrammeStaffMember
{
    public Guid ProgrammeId { get; set; }

    public Programme Programme { get; set; } = default!;

    public string UserId { get; set; } = "";

    public PortalUser User { get; set; } = default!;

    public DateTime AddedAt { get; set; }
}

/// <summary>A group of firms that go through a programme together, between two dates.</summary>
public sealed class Cohort
{
    public Guid Id { get; set; } = Guid.NewGuid();

    public Guid ProgrammeId { get; set; }

    public Programme Programme { get; set; } = default!;

    public string Name { get; set; } = "";

    public DateOnly StartsOn { get; set; }

    public DateOnly EndsOn { get; set; }

    public DateTime CreatedAt { get; set; }

    public List<Enrolment> Enrolments { get; set; } = [];
}

/// <summary>
/// A firm's place in a cohort, from the invitation on: invited (an email, a token) ->
/// accepted (the firm is enrolled and shares with the programme's organisation) -> left.
/// An enrolment made for a firm that already shares has no invitation. The baseline is the
/// assessment the cohort's "distance travelled" is measured from: the firm's latest submitted
/// assessment when it enrolled, or its first one after.
/// </summary>
public sealed class Enrolment
{
    public Guid Id { get; set; } = Guid.NewGuid();

    public Guid CohortId { get; set; }

    public Cohort Cohort { get; set; } = default!;

    /// <summary>The address the invitation went to (null for a firm enrolled from those already sharing).</summary>
    public string? InvitedEmail { get; set; }

    /// <summary>SHA-256 of the invitation link's token; the token itself is never stored.</summary>
    public string? TokenHash { get; set; }

    public DateTime? InvitedAt { get; set; }

    public string? InvitedById { get; set; }

    /// <summary>Set when the firm accepts (or staff enrol a sharing firm).</summary>
    public Guid? FirmId { get; set; }

    public Firm? Firm { get; set; }

    public DateTime? EnrolledAt { get; set; }

    public string? EnrolledById { get; set; }

    public Guid? BaselineAssessmentId { get; set; }

    public DateTime? LeftAt { get; set; }
}

/// <summary>
/// One action-plan item of a submitted assessment, so a cohort's most common items are
/// counted in the database rather than by reading every stored report.
/// </summary>
public sealed class AssessmentPlanItem
{
    public Guid AssessmentId { get; set; }

    public string AdviceId { get; set; } = "";

    public int Rank { get; set; }
}

/// <summary>
/// A result an assessment had before staff re-scored it with a newer content version: the
/// old results stay available, with who replaced them and when.
/// </summary>
public sealed class AssessmentResultVersion
{
    public Guid Id { get; set; } = Guid.NewGuid();

    public Guid AssessmentId { get; set; }

    public string? ContentVersion { get; set; }

    public string ResultJson { get; set; } = "";

    public double? OverallScore { get; set; }

    public string? BandId { get; set; }

    public string? StageId { get; set; }

    public DateTime ReplacedAt { get; set; }

    public string ReplacedById { get; set; } = "";
}
