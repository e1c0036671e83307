namespace Portal.Web.Data.Entities;

public enum EmailKind
{
    /// <summary>A follow-up advice email from a firm's action plan.</summary>
    Advice = 0,

    /// <summary>Confirm an address, reset a password: sent at once, never unsubscribable.</summary>
    Account = 1,

    /// <summary>A message an advisor wrote to the firm, sent at the time the advisor chose.</summary>
    AdvisorMessage = 2,
}

public enum FollowUpStatus
{
    /// <summary>Waiting for its due time, or for its next attempt after a failure.</summary>
    Pending = 0,
    Sent = 1,

    /// <summary>Gave up after the configured number of attempts; the last error says why. An Admin can resend.</summary>
    Failed = 2,

    /// <summary>Not to be sent: replaced by a reassessment, unsubscribed, or the firm left.</summary>
    Cancelled = 3,
}

/// <summary>
/// The outbox: one row per email the portal means to send, written in the same transaction as
/// the change that causes it (a submission, a registration). This table, not the job
/// storage, is the source of truth: the dispatcher claims due rows for a limited time, sends,
/// and records the outcome, so a crash or a restart loses none and repeats at most the one
/// message in flight.
/// </summary>
public sealed class FollowUp
{
    public Guid Id { get; set; } = Guid.NewGuid();

    public EmailKind Kind { get; set; }

    /// <summary>The email template (content/emails/NAME.liquid).</summary>
    public string Template { get; set; } = "";

    /// <summary>What a person can opt out of, e.g. "advice:competencies"; null for account emails.</summary>
    public string? Topic { get; set; }

    public Guid? FirmId { get; set; }

    /// <summary>The submitted assessment whose plan scheduled it.</summary>
    public Guid? AssessmentId { get; set; }

    /// <summary>The recipient's account; their current address is used when it is sent.</summary>
    public string? UserId { get; set; }

    /// <summary>The address it goes (or went) to: fixed for account emails, filled in when sent for the others.</summary>
    public string? RecipientEmail { get; set; }

    public string? AdviceId { get; set; }

    /// <summary>Data only the dispatcher may read (an account email's link), encrypted with Data Protection.</summary>
    public string? ProtectedPayload { get; set; }

    public DateTime CreatedAt { get; set; }

    /// <summary>When it is planned to go out (UTC).</summary>
    public DateTime DueAt { get; set; }

    /// <summary>When the dispatcher may next try: the due time, then later after each failure.</summary>
    public DateTime NextAttemptAt { get; set; }

    public FollowUpStatus Status { get; set; }

    public int Attempts { get; set; }

    public string? LastError { get; set; }

    /// <summary>The dispatcher run that holds it, until <see cref="ClaimExpiresAt"/>.</summary>
    public Guid? ClaimToken { get; set; }

    public DateTime? ClaimExpiresAt { get; set; }

    public DateTime? SentAt { get; set; }

    public string? Subject { get; set; }

    /// <summary>The text of an advisor's message (the subject is in <see cref="Subject"/>); null for other kinds.</summary>
    public string? Body { get; set; }

    /// <summary>The advisor who wrote an advisor message.</summary>
    public string? SenderId { get; set; }

    public string? MessageId { get; set; }

    public DateTime? CancelledAt { get; set; }

    public string? CancelReason { get; set; }
}

/// <summary>A kind of email a person has asked not to get (a <see cref="FollowUp.Topic"/>).</summary>
public sealed class EmailOptOut
{
    public string UserId { get; set; } = "";

    public string Topic { get; set; } = "";

    public DateTime At { get; set; }
}
