namespace Portal.Web.Data.Entities;

/// <summary>
/// What is left of a cohort enrolment (or an open invitation) when the firm's owner deletes
/// the firm and account: no firm, no address, no name, only which steps of the cohort's funnel
/// it counted in at that moment, so the funnel keeps counting it as history. Nothing here can
/// lead back to the firm; the "now" figures (bands, factors, exports) never see it.
/// </summary>
public sealed class AnonymousEnrolment
{
    public Guid Id { get; set; } = Guid.NewGuid();

    public Guid CohortId { get; set; }

    /// <summary>It came from an emailed invitation (the funnel's "invited").</summary>
    public bool WasInvited { get; set; }

    /// <summary>An account used the invited address, or the invitation was accepted (the funnel's "registered").</summary>
    public bool WasRegistered { get; set; }

    /// <summary>Enrolled, not left, and sharing with the programme's organisation when deleted (the funnel's "enrolled").</summary>
    public bool WasEnrolled { get; set; }

    /// <summary>It had a baseline assessment when deleted.</summary>
    public bool HadBaseline { get; set; }

    /// <summary>It had reassessed after its baseline when deleted.</summary>
    public bool HadFollowUp { get; set; }

    /// <summary>The day it joined the cohort (a day, not a time: a time could be matched with the audit log); null for an invitation never accepted.</summary>
    public DateOnly? EnrolledOn { get; set; }

    public DateOnly? LeftOn { get; set; }

    public DateOnly DeletedOn { get; set; }
}
