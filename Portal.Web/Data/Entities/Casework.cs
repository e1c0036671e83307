namespace Portal.Web.Data.Entities;

/// <summary>An advisor's place in an organisation. An advisor works for one organisation at a time.</summary>
public sealed class OrganisationMember
{
    public string UserId { get; set; } = "";

    public PortalUser User { get; set; } = default!;

    public Guid OrganisationId { get; set; }

    public Organisation Organisation { get; set; } = default!;

    public DateTime JoinedAt { get; set; }
}

public enum CaseStatus
{
    New = 0,
    Contacted = 1,
    InSupport = 2,
    Closed = 3,
}

/// <summary>
/// An organisation's casework on one firm: status, the advisor it is assigned to, when the
/// firm was last contacted. Opened when the firm first shares with the organisation; kept
/// when the firm withdraws its consent (its notes stay with the organisation), but then no
/// advisor can open it.
/// </summary>
public sealed class CaseFile
{
    public Guid Id { get; set; } = Guid.NewGuid();

    public Guid FirmId { get; set; }

    public Firm Firm { get; set; } = default!;

    public Guid OrganisationId { get; set; }

    public Organisation Organisation { get; set; } = default!;

    public CaseStatus Status { get; set; }

    public DateTime StatusChangedAt { get; set; }

    public string? AssignedAdvisorId { get; set; }

    public PortalUser? AssignedAdvisor { get; set; }

    public DateTime OpenedAt { get; set; }

    /// <summary>The last time an advisor recorded contact with the firm (a note marked as contact, or a status move to Contacted).</summary>
    public DateTime? LastContactAt { get; set; }

    public List<CaseNote> Notes { get; set; } = [];

    public List<CaseStatusChange> StatusChanges { get; set; } = [];
}

/// <summary>One step of a case's status, with its date: the case's history.</summary>
public sealed class CaseStatusChange
{
    public Guid Id { get; set; } = Guid.NewGuid();

    public Guid CaseFileId { get; set; }

    public CaseStatus From { get; set; }

    public CaseStatus To { get; set; }

    public DateTime At { get; set; }

    public string ByUserId { get; set; } = "";
}

/// <summary>An advisor's note on a case. Notes belong to the organisation and outlive the firm's consent.</summary>
public sealed class CaseNote
{
    public Guid Id { get; set; } = Guid.NewGuid();

    public Guid CaseFileId { get; set; }

    public string AuthorId { get; set; } = "";

    public PortalUser Author { get; set; } = default!;

    public DateTime At { get; set; }

    public string Text { get; set; } = "";

    /// <summary>The note records a conversation with the firm: it counts as the last contact.</summary>
    public bool IsContact { get; set; }
}

/// <summary>
/// An advisor's confirmation or correction of one answer of a submitted assessment, with the
/// reason. The owner's results stay as the owner answered; the firm file scores the answers
/// with these applied as the "advisor-validated" view.
/// </summary>
public sealed class AnswerValidation
{
    public Guid Id { get; set; } = Guid.NewGuid();

    public Guid AssessmentId { get; set; }

    public Guid OrganisationId { get; set; }

    public string QuestionId { get; set; } = "";

    /// <summary>The answer the advisor holds to be right, in the canonical JSON shape; equal to the owner's when confirmed.</summary>
    public string ValueJson { get; set; } = "";

    public string Reason { get; set; } = "";

    public string ByUserId { get; set; } = "";

    public DateTime At { get; set; }
}

/// <summary>
/// Who looked at or changed a firm's data, other than its own owners: who, what, when. Kept
/// after the firm withdraws its consent; read by Admins, and by the owner for their firm.
/// </summary>
public sealed class AuditEntry
{
    public long Id { get; set; }

    public DateTime At { get; set; }

    public string ActorId { get; set; } = "";

    /// <summary>The actor's email at the time, so the entry reads the same if the account goes.</summary>
    public string ActorEmail { get; set; } = "";

    public Guid? FirmId { get; set; }

    /// <summary>What was done, as a short verb phrase ("viewed the firm file", "added a note").</summary>
    public string Action { get; set; } = "";

    public string? Detail { get; set; }
}
