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
        var now = clock.GetUtcNow().UtcDateTime;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
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
        await db.SaveChangesAsync(ct);
        DispatchNow();
    }

    /// <summary>A worker runs the dispatcher now; concurrent runs are safe (rows are claimed).</summary>
    public void DispatchNow() => jobs.Enqueue<DispatchDueFollowUpsJob>(job => job.RunAsync(CancellationToken.None));
}
