using Hangfire;
using Microsoft.EntityFrameworkCore;
using Portal.Web.Data;
using Portal.Web.Data.Entities;
using Portal.Web.Jobs;

namespace Portal.Web.Features.FollowUps;

/// <summary>
/// Puts emails that must go out now (account emails, a resend) into the outbox and asks a
/// job worker to dispatch at once rather than at the next scheduled run. Sending through the
/// outbox gives them the same retries and delivery log as advice emails.
/// </summary>
public sealed class Outbox(IDbContextFactory<PortalDbContext> dbFactory, FollowUpMessages messages, IBackgroundJobClient jobs, TimeProvider clock)
{
    public async Task SendAccountEmailAsync(string? userId, string to, string template, AccountEmailPayload payload, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        AddAccountEmail(db, userId, to, template, payload);
        await db.SaveChangesAsync(ct);
        DispatchNow();
    }

    /// <summary>
    /// An email due now, in the caller's unit of work (saved with the change that sends it, such
    /// as an invitation). The caller calls <see cref="DispatchNow"/> once it has saved.
    /// </summary>
    public void AddAccountEmail(PortalDbContext db, string? userId, string to, string template, AccountEmailPayload payload)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        db.FollowUps.Add(new FollowUp
        {
            Kind = EmailKind.Account,
            Template = template,
            UserId = userId,
            RecipientEmail = to,
            ProtectedPayload = messages.ProtectPayload(payload),
            CreatedAt = now,
            DueAt = now,
            NextAttemptAt = now,
            Status = FollowUpStatus.Pending,
        });
    }

    /// <summary>
    /// Schedules an advisor's message to every owner of the firm at <paramref name="dueAt"/>
    /// (UTC), in the caller's unit of work (saved with the note or change that goes with it).
    /// Owners who turned advisors' messages off get it recorded as cancelled.
    /// </summary>
    public static async Task<int> AddAdvisorMessageAsync(PortalDbContext db, Guid firmId, string senderId, string subject, string body,
        DateTime dueAt, DateTime now, CancellationToken ct)
    {
        var owners = await db.FirmMembers.Where(m => m.FirmId == firmId).Select(m => m.UserId).ToListAsync(ct);
        var off = await db.EmailOptOuts.Where(o => owners.Contains(o.UserId) && o.Topic == EmailTopics.AdvisorMessages).Select(o => o.UserId).ToListAsync(ct);
        foreach (var owner in owners)
        {
            var optedOut = off.Contains(owner);
            db.FollowUps.Add(new FollowUp
            {
                Kind = EmailKind.AdvisorMessage,
                Template = Portal.Domain.Emails.EmailModels.AdvisorMessage,
                Topic = EmailTopics.AdvisorMessages,
                FirmId = firmId,
                UserId = owner,
                SenderId = senderId,
                Subject = subject,
                Body = body,
                CreatedAt = now,
                DueAt = dueAt,
                NextAttemptAt = dueAt,
                Status = optedOut ? FollowUpStatus.Cancelled : FollowUpStatus.Pending,
                CancelledAt = optedOut ? now : null,
                CancelReason = optedOut ? CancelReasons.Unsubscribed : null,
            });
        }

        return owners.Count - off.Count;
    }

    /// <summary>A worker runs the dispatcher now; concurrent runs are safe (rows are claimed).</summary>
    public void DispatchNow() => jobs.Enqueue<DispatchDueFollowUpsJob>(job => job.RunAsync(CancellationToken.None));
}
