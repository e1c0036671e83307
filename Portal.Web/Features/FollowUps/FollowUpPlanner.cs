using Microsoft.EntityFrameworkCore;
using Portal.Domain.Content;
using Portal.Domain.Emails;
using Portal.Domain.Scoring;
using Portal.Web.Data;
using Portal.Web.Data.Entities;

namespace Portal.Web.Features.FollowUps;

public static class CancelReasons
{
    public const string Reassessed = "reassessed";
    public const string Unsubscribed = "unsubscribed";

    /// <summary>An advisor's message whose firm stopped sharing with the advisor's organisation before it went out.</summary>
    public const string ConsentWithdrawn = "consent withdrawn";

    /// <summary>An advisor's message not yet sent when an Admin took the advisor out of their organisation.</summary>
    public const string AdvisorLeft = "advisor left the organisation";
}

/// <summary>
/// Turns a submitted assessment's follow-up plan into outbox rows, in the caller's unit of
/// work so the submission and its emails are saved together or not at all.
/// </summary>
public static class FollowUpPlanner
{
    /// <summary>
    /// One row per follow-up and owner of the firm, due the planned number of days after
    /// submission (in UTC). Pending and failed rows of the firm's earlier plans are cancelled:
    /// a reassessment replaces the plan. A topic the owner has turned off is recorded as
    /// cancelled, so turning it back on can restore it.
    /// </summary>
    public static async Task ScheduleAsync(PortalDbContext db, PortalContent content, Guid firmId, Guid assessmentId,
        AssessmentReport report, DateTime submittedAt, CancellationToken ct)
    {
        // Failed ones too: an Admin must not resend advice of a plan that has been replaced.
        var earlier = await db.FollowUps
            .Where(f => f.FirmId == firmId && f.Kind == EmailKind.Advice && f.AssessmentId != assessmentId
                && (f.Status == FollowUpStatus.Pending || f.Status == FollowUpStatus.Failed))
            .ToListAsync(ct);
        foreach (var row in earlier)
        {
            row.Status = FollowUpStatus.Cancelled;
            row.CancelledAt = submittedAt;
            row.CancelReason = CancelReasons.Reassessed;
        }

        var members = await db.FirmMembers.Where(m => m.FirmId == firmId).Select(m => m.UserId).ToListAsync(ct);
        var optedOut = (await db.EmailOptOuts.Where(o => members.Contains(o.UserId)).Select(o => new { o.UserId, o.Topic }).ToListAsync(ct))
            .Select(o => (o.UserId, o.Topic)).ToHashSet();

        db.FollowUps.AddRange(Plan(content, firmId, assessmentId, report, submittedAt, members, optedOut));
    }

    /// <summary>
    /// The outbox rows of a submission's follow-up plan: one per follow-up and owner, due the
    /// planned number of days after submission, recorded as cancelled for a topic the owner has
    /// turned off. Nothing is read or saved here; the synthetic data generator plans with it too.
    /// </summary>
    public static IEnumerable<FollowUp> Plan(PortalContent content, Guid firmId, Guid assessmentId, AssessmentReport report, DateTime submittedAt,
        IReadOnlyList<string> members, IReadOnlySet<(string UserId, string Topic)> optedOut)
    {
        foreach (var item in report.FollowUps)
        {
            if (!content.Advice.TryGetValue(item.Advice, out var advice))
            {
                continue; // the report was made with the content now loaded; nothing to do for a stale id
            }

            var topic = EmailTopics.ForAdvice(content, advice);
            var due = submittedAt.AddDays(item.AfterDays);
            foreach (var userId in members)
            {
                var off = optedOut.Contains((userId, topic));
                yield return new FollowUp
                {
                    Kind = EmailKind.Advice,
                    Template = EmailModels.FollowUp,
                    Topic = topic,
                    FirmId = firmId,
                    AssessmentId = assessmentId,
                    UserId = userId,
                    AdviceId = advice.Id,
                    CreatedAt = submittedAt,
                    DueAt = due,
                    NextAttemptAt = due,
                    Status = off ? FollowUpStatus.Cancelled : FollowUpStatus.Pending,
                    CancelledAt = off ? submittedAt : null,
                    CancelReason = off ? CancelReasons.Unsubscribed : null,
                };
            }
        }
    }
}
