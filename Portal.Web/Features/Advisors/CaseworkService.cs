using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Portal.Web.Data;
using Portal.Web.Data.Entities;
using Portal.Web.Features.Accounts;
using Portal.Web.Features.Audit;
using Portal.Web.Features.FollowUps;

namespace Portal.Web.Features.Advisors;

/// <summary>What the advisor typed into the custom message form, kept as typed so a refused form loses nothing.</summary>
public sealed record MessageDraft(string? Subject, string? Body, string? Date, string? Time);

/// <summary>
/// An organisation's casework on a firm: notes, status, assignment and the advisor's own
/// messages to the firm. Every change first asks <see cref="AdvisorAccess"/> (a firm that no
/// longer shares is not found) and is saved with its audit record in one unit of work.
/// </summary>
public sealed class CaseworkService(IDbContextFactory<PortalDbContext> dbFactory, AuditLog audit, TimeProvider clock)
{
    public const int MaxNote = 4000;
    public const int MaxSubject = 200;
    public const int MaxMessage = 5000;

    /// <summary>How far ahead a message may be scheduled.</summary>
    public const int MaxDaysAhead = 365;

    private DateTime Now => clock.GetUtcNow().UtcDateTime;

    public static string StatusName(CaseStatus status) => status switch
    {
        CaseStatus.New => "New",
        CaseStatus.Contacted => "Contacted",
        CaseStatus.InSupport => "In support",
        CaseStatus.Closed => "Closed",
        _ => status.ToString(),
    };

    public async Task<FormOutcome> AddNoteAsync(AdvisorContext advisor, Guid firmId, string? text, bool isContact, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var file = await AdvisorAccess.CaseAsync(db, advisor, firmId, Now, ct);
        if (file is null)
        {
            return FormOutcome.NotFound;
        }

        text = text?.Trim() ?? "";
        if (text.Length == 0)
        {
            return FormOutcome.Refused("note", "Enter the note");
        }

        if (text.Length > MaxNote)
        {
            return FormOutcome.Refused("note", $"The note must be {MaxNote} characters or fewer (it has {text.Length})");
        }

        db.CaseNotes.Add(new CaseNote { CaseFileId = file.Id, AuthorId = advisor.UserId, At = Now, Text = text, IsContact = isContact });
        if (isContact)
        {
            file.LastContactAt = Now;
        }

        audit.Add(db, advisor.UserId, advisor.Email, firmId, FirmFileAudit.AddedNote, isContact ? "a conversation with the firm" : null);
        await db.SaveChangesAsync(ct);
        return FormOutcome.Success(isContact ? "Your note is added, and the conversation counts as the last contact with the firm." : "Your note is added.");
    }

    /// <summary>Moves the case to any status (each move is dated); Contacted also records the contact.</summary>
    public async Task<FormOutcome> ChangeStatusAsync(AdvisorContext advisor, Guid firmId, string? status, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var file = await AdvisorAccess.CaseAsync(db, advisor, firmId, Now, ct);
        if (file is null)
        {
            return FormOutcome.NotFound;
        }

        if (!Enum.TryParse<CaseStatus>(status, ignoreCase: false, out var to) || !Enum.IsDefined(to) || int.TryParse(status, out _))
        {
            return FormOutcome.Refused("status", "Choose a status");
        }

        if (to == file.Status)
        {
            return FormOutcome.Refused("status", $"The case is already “{StatusName(to)}”. Choose another status to move it");
        }

        db.CaseStatusChanges.Add(new CaseStatusChange { CaseFileId = file.Id, From = file.Status, To = to, At = Now, ByUserId = advisor.UserId });
        audit.Add(db, advisor.UserId, advisor.Email, firmId, FirmFileAudit.ChangedStatus, $"{StatusName(file.Status)} to {StatusName(to)}");
        file.Status = to;
        file.StatusChangedAt = Now;
        if (to == CaseStatus.Contacted)
        {
            file.LastContactAt = Now;
        }

        await db.SaveChangesAsync(ct);
        return FormOutcome.Success($"The case is now “{StatusName(to)}”.");
    }

    /// <summary>Assigns the case to an advisor of the same organisation, or to nobody (an empty id).</summary>
    public async Task<FormOutcome> AssignAsync(AdvisorContext advisor, Guid firmId, string? advisorId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var file = await AdvisorAccess.CaseAsync(db, advisor, firmId, Now, ct);
        if (file is null)
        {
            return FormOutcome.NotFound;
        }

        advisorId = string.IsNullOrWhiteSpace(advisorId) ? null : advisorId;
        string? email = null;
        if (advisorId is not null)
        {
            email = await OrganisationAdvisors(db, advisor.OrganisationId).Where(u => u.Id == advisorId).Select(u => u.Email).FirstOrDefaultAsync(ct);
            if (email is null)
            {
                return FormOutcome.Refused("assignee", "Choose an advisor of your organisation");
            }
        }

        if (file.AssignedAdvisorId == advisorId)
        {
            return FormOutcome.Refused("assignee", advisorId is null ? "The case is not assigned to anyone already" : $"The case is already assigned to {email}");
        }

        file.AssignedAdvisorId = advisorId;
        audit.Add(db, advisor.UserId, advisor.Email, firmId, FirmFileAudit.Assigned, email is null ? "to nobody" : $"to {email}");
        await db.SaveChangesAsync(ct);
        return FormOutcome.Success(email is null ? "The case is no longer assigned to anyone." : $"The case is assigned to {email}.");
    }

    public async Task<FormOutcome> TakeOwnershipAsync(AdvisorContext advisor, Guid firmId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var file = await AdvisorAccess.CaseAsync(db, advisor, firmId, Now, ct);
        if (file is null)
        {
            return FormOutcome.NotFound;
        }

        if (file.AssignedAdvisorId == advisor.UserId)
        {
            return FormOutcome.Success("The case is already yours.");
        }

        file.AssignedAdvisorId = advisor.UserId;
        audit.Add(db, advisor.UserId, advisor.Email, firmId, FirmFileAudit.TookOwnership);
        await db.SaveChangesAsync(ct);
        return FormOutcome.Success("The case is now yours.");
    }

    /// <summary>
    /// Schedules the advisor's message to the firm's owners at the date and time given in the
    /// advisor's own time zone, through the email outbox, saved with its audit record.
    /// </summary>
    public async Task<FormOutcome> ScheduleMessageAsync(AdvisorContext advisor, Guid firmId, MessageDraft draft, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var file = await AdvisorAccess.CaseAsync(db, advisor, firmId, Now, ct);
        if (file is null)
        {
            return FormOutcome.NotFound;
        }

        var zone = TimeZones.Resolve(await db.Users.Where(u => u.Id == advisor.UserId).Select(u => u.TimeZoneId).FirstOrDefaultAsync(ct));
        var errors = new Dictionary<string, string>();
        var subject = draft.Subject?.Trim() ?? "";
        var body = draft.Body?.Trim() ?? "";
        if (subject.Length == 0)
        {
            errors["subject"] = "Enter a subject";
        }
        else if (subject.Length > MaxSubject)
        {
            errors["subject"] = $"The subject must be {MaxSubject} characters or fewer (it has {subject.Length})";
        }
        else if (subject.Any(char.IsControl))
        {
            errors["subject"] = "The subject must be one line";
        }

        if (body.Length == 0)
        {
            errors["body"] = "Enter the message";
        }
        else if (body.Length > MaxMessage)
        {
            errors["body"] = $"The message must be {MaxMessage} characters or fewer (it has {body.Length})";
        }

        var due = DueAt(draft, zone, errors);
        if (errors.Count > 0)
        {
            return new FormOutcome(true, errors, null);
        }

        var recipients = await Outbox.AddAdvisorMessageAsync(db, firmId, advisor.UserId, subject, body, due!.Value, Now, ct);
        audit.Add(db, advisor.UserId, advisor.Email, firmId, FirmFileAudit.ScheduledMessage,
            $"“{subject}” for {TimeZones.DateAndTime(due.Value, TimeZoneInfo.Utc)} UTC");
        await db.SaveChangesAsync(ct);
        var when = $"{TimeZones.DateAndTime(due.Value, zone)} ({TimeZones.Name(zone)})";
        return FormOutcome.Success(recipients > 0
            ? $"Your message “{subject}” will be sent to the firm on {when}."
            : "Your message is recorded, but it will not be sent: the firm has turned off messages from advisors.");
    }

    /// <summary>The advisor's local date and time as UTC; an error per field when it is missing, impossible or in the past.</summary>
    private DateTime? DueAt(MessageDraft draft, TimeZoneInfo zone, Dictionary<string, string> errors)
    {
        var date = draft.Date?.Trim() ?? "";
        var time = draft.Time?.Trim() ?? "";
        DateOnly day = default;
        TimeOnly at = default;
        if (date.Length == 0)
        {
            errors["date"] = "Enter the date to send the message";
        }
        else if (!DateOnly.TryParseExact(date, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out day))
        {
            errors["date"] = "Enter a real date, like 2027-03-15";
        }

        if (time.Length == 0)
        {
            errors["time"] = "Enter the time to send the message";
        }
        else if (!TimeOnly.TryParseExact(time, ["HH:mm", "HH:mm:ss"], CultureInfo.InvariantCulture, DateTimeStyles.None, out at))
        {
            errors["time"] = "Enter a time on the 24-hour clock, like 09:30";
        }

        if (errors.ContainsKey("date") || errors.ContainsKey("time"))
        {
            return null;
        }

        var local = day.ToDateTime(at, DateTimeKind.Unspecified);
        if (zone.IsInvalidTime(local))
        {
            errors["time"] = $"{time} does not exist on that day in {TimeZones.Name(zone)} (the clocks go forward). Choose another time";
            return null;
        }

        var due = TimeZoneInfo.ConvertTimeToUtc(local, zone);
        // Minutes are the form's precision: "now" to the minute is not the past.
        var now = Now;
        if (due < now.AddTicks(-(now.Ticks % TimeSpan.TicksPerMinute)))
        {
            errors["date"] = $"The time to send must be in the future: it is now {TimeZones.DateAndTime(now, zone)} in {TimeZones.Name(zone)}";
            return null;
        }

        if (due > now.AddDays(MaxDaysAhead))
        {
            errors["date"] = "The date must be within a year from today";
            return null;
        }

        return due;
    }

    /// <summary>The advisors of the organisation (members who hold the Advisor role), for assignment.</summary>
    internal static IQueryable<PortalUser> OrganisationAdvisors(PortalDbContext db, Guid organisationId) =>
        db.Users.Where(u => db.OrganisationMembers.Any(m => m.UserId == u.Id && m.OrganisationId == organisationId)
            && db.UserRoles.Any(r => r.UserId == u.Id && db.Roles.Any(role => role.Id == r.RoleId && role.Name == PortalRoles.Advisor)));
}

/// <summary>The audit log's words for what happens on a firm file.</summary>
public static class FirmFileAudit
{
    public const string Viewed = "viewed the firm file";
    public const string ViewedAnswer = "viewed an answer to validate";
    public const string AddedNote = "added a note";
    public const string ChangedStatus = "changed the status";
    public const string Assigned = "assigned the case";
    public const string TookOwnership = "took ownership";
    public const string ValidatedAnswer = "validated an answer";
    public const string ScheduledMessage = "scheduled a message";
}
