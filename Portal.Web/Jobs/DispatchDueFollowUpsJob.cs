using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Portal.Web.Data;
using Portal.Web.Data.Entities;
using Portal.Web.Email;
using Portal.Web.Features.FollowUps;

namespace Portal.Web.Jobs;

/// <summary>What one run of the dispatcher did.</summary>
public sealed record DispatchSummary(int Sent, int Retrying, int Failed, int Cancelled);

/// <summary>
/// Sends the outbox's due emails. Safe to run on several workers and nodes at once: a run
/// claims a batch of due rows with one conditional update (rows claimed by a run that is
/// still within its claim are not due), sends them one by one over one connection, and
/// records each outcome as soon as it is known. Before each message it checks that the row
/// is still its own and still wanted (a reassessment or an unsubscribe may have cancelled
/// it), and it renews its claim while it works, so a slow server does not hand its rows to
/// another run. A run that dies leaves its claim to expire; the rows are then picked up
/// again, so nothing is lost and only the message in flight at the crash can go out twice.
/// </summary>
public sealed class DispatchDueFollowUpsJob(
    IDbContextFactory<PortalDbContext> dbFactory,
    FollowUpMessages messages,
    IEmailDelivery delivery,
    IOptions<FollowUpOptions> options,
    TimeProvider clock,
    ILogger<DispatchDueFollowUpsJob> logger)
{
    public const string RecurringJobId = "dispatch-follow-ups";

    private const int MaxErrorLength = 2000;

    private DateTime Now => clock.GetUtcNow().UtcDateTime;

    private TimeSpan Lease => TimeSpan.FromSeconds(options.Value.ClaimSeconds);

    public async Task<DispatchSummary> RunAsync(CancellationToken cancellationToken)
    {
        int sent = 0, retrying = 0, failed = 0, cancelled = 0;
        await using var session = delivery.OpenSession();
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var claim = await ClaimAsync(cancellationToken);
            if (claim.Rows.Count == 0)
            {
                if (claim.RaceLost)
                {
                    continue; // another run took the rows this one picked: there may be more
                }

                break;
            }

            var renewAt = Now + Lease / 2;
            string? serverDown = null;
            await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
            {
                foreach (var email in await messages.PrepareAsync(db, claim.Rows, cancellationToken))
                {
                    var id = email.Row.Id;
                    if (Now >= renewAt)
                    {
                        await RenewAsync(claim.Token, cancellationToken);
                        renewAt = Now + Lease / 2;
                    }

                    if (!await IsStillMineAsync(db, id, claim.Token, cancellationToken))
                    {
                        cancelled++; // cancelled since it was claimed (or the claim was lost): leave it be
                        continue;
                    }

                    if (serverDown is not null)
                    {
                        // Not tried: the server is unreachable. It counts as an attempt all the
                        // same, so a long outage ends in 'failed', never in silence.
                        Count(await RecordFailureAsync(email.Row, claim.Token, serverDown, permanent: false));
                        continue;
                    }

                    if (email.OptedOut)
                    {
                        cancelled += await FinishAsync(id, claim.Token, FollowUpStatus.Cancelled, null);
                        continue;
                    }

                    if (email.Message is null)
                    {
                        failed += await FinishAsync(id, claim.Token, FollowUpStatus.Failed, email.Failure);
                        continue;
                    }

                    try
                    {
                        await session.SendAsync(email.Message, cancellationToken);
                    }
                    catch (Exception e) when (e is not OperationCanceledException)
                    {
                        logger.LogWarning("Email {FollowUpId} ({Kind}) could not be sent: {Error}", id, email.Row.Kind, e.Message);
                        if (e is EmailServerUnavailableException)
                        {
                            serverDown = $"Not sent: the mail server could not be reached ({e.Message})";
                        }

                        Count(await RecordFailureAsync(email.Row, claim.Token, e.Message, permanent: e is EmailRejectedException { Permanent: true }));
                        continue;
                    }

                    // Recorded before the next send: a crash from here on repeats nothing.
                    await MarkSentAsync(email, claim.Token);
                    sent++;
                }
            }

            if (serverDown is not null)
            {
                break; // try again on the next run, after the back-off
            }
        }

        if (sent + retrying + failed + cancelled > 0)
        {
            logger.LogInformation("Dispatched emails: {Sent} sent, {Retrying} to retry, {Failed} failed, {Cancelled} cancelled", sent, retrying, failed, cancelled);
        }

        return new DispatchSummary(sent, retrying, failed, cancelled);

        void Count(bool gaveUp)
        {
            if (gaveUp)
            {
                failed++;
            }
            else
            {
                retrying++;
            }
        }
    }

    /// <summary>A run's claim: its token and rows. <see cref="RaceLost"/>: there were due rows, but other runs claimed them first.</summary>
    internal sealed record Claim(Guid Token, List<FollowUp> Rows, bool RaceLost);

    /// <summary>
    /// Claims up to a batch of due rows for this run. The update repeats the conditions of
    /// the select, so of two runs that picked the same rows only one gets each row, in
    /// SQLite (one writer at a time) and in PostgreSQL (an updated row is re-checked).
    /// </summary>
    internal async Task<Claim> ClaimAsync(CancellationToken ct)
    {
        var now = Now;
        var token = Guid.NewGuid();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var due = await db.FollowUps
            .Where(f => f.Status == FollowUpStatus.Pending && f.NextAttemptAt <= now && (f.ClaimExpiresAt == null || f.ClaimExpiresAt < now))
            .OrderBy(f => f.NextAttemptAt)
            .Select(f => f.Id)
            .Take(options.Value.BatchSize)
            .ToListAsync(ct);
        if (due.Count == 0)
        {
            return new Claim(token, [], RaceLost: false);
        }

        var until = now + Lease;
        var claimed = await db.FollowUps
            .Where(f => due.Contains(f.Id) && f.Status == FollowUpStatus.Pending && (f.ClaimExpiresAt == null || f.ClaimExpiresAt < now))
            .ExecuteUpdateAsync(s => s.SetProperty(f => f.ClaimToken, token).SetProperty(f => f.ClaimExpiresAt, until), ct);
        var rows = claimed == 0 ? [] : await db.FollowUps.AsNoTracking().Where(f => f.ClaimToken == token).OrderBy(f => f.NextAttemptAt).ToListAsync(ct);
        return new Claim(token, rows, RaceLost: claimed == 0);
    }

    private static Task<bool> IsStillMineAsync(PortalDbContext db, Guid id, Guid token, CancellationToken ct) =>
        db.FollowUps.AnyAsync(f => f.Id == id && f.ClaimToken == token && f.Status == FollowUpStatus.Pending, ct);

    /// <summary>Extends the claim on the rows of this run that are still to do.</summary>
    private async Task RenewAsync(Guid token, CancellationToken ct)
    {
        var until = Now + Lease;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await db.FollowUps.Where(f => f.ClaimToken == token && f.Status == FollowUpStatus.Pending)
            .ExecuteUpdateAsync(s => s.SetProperty(f => f.ClaimExpiresAt, until), ct);
    }

    private async Task MarkSentAsync(PreparedEmail email, Guid token)
    {
        var now = Now;
        var to = email.Message!.To.Mailboxes.FirstOrDefault()?.Address;
        await using var db = await dbFactory.CreateDbContextAsync(CancellationToken.None);
        // Whatever happened to the row meanwhile, it went out, and the log must say so.
        var updated = await db.FollowUps.Where(f => f.Id == email.Row.Id && f.ClaimToken == token)
            .ExecuteUpdateAsync(s => s
                .SetProperty(f => f.Status, FollowUpStatus.Sent)
                .SetProperty(f => f.SentAt, now)
                .SetProperty(f => f.Attempts, f => f.Attempts + 1)
                .SetProperty(f => f.RecipientEmail, to)
                .SetProperty(f => f.Subject, Truncate(email.Message.Subject, 500))
                .SetProperty(f => f.MessageId, email.Message.MessageId)
                .SetProperty(f => f.ClaimToken, (Guid?)null)
                .SetProperty(f => f.ClaimExpiresAt, (DateTime?)null), CancellationToken.None);
        if (updated == 0)
        {
            logger.LogWarning("Email {FollowUpId} was sent after this run lost its claim; another run may send it again", email.Row.Id);
        }
    }

    /// <summary>
    /// Records a failed attempt: retried after the back-off, or failed for good (after the
    /// last attempt, or at once when the server said it never will). True when failed for good.
    /// Only a row still pending and still ours: a cancelled one stays cancelled.
    /// </summary>
    private async Task<bool> RecordFailureAsync(FollowUp row, Guid token, string error, bool permanent)
    {
        var settings = options.Value;
        var attempts = row.Attempts + 1;
        var givesUp = permanent || attempts >= settings.MaxAttempts;
        var status = givesUp ? FollowUpStatus.Failed : FollowUpStatus.Pending;
        var next = Now + settings.RetryDelay(attempts);
        await using var db = await dbFactory.CreateDbContextAsync(CancellationToken.None);
        await db.FollowUps.Where(f => f.Id == row.Id && f.ClaimToken == token && f.Status == FollowUpStatus.Pending)
            .ExecuteUpdateAsync(s => s
                .SetProperty(f => f.Attempts, attempts)
                .SetProperty(f => f.LastError, Truncate(error, MaxErrorLength))
                .SetProperty(f => f.Status, status)
                .SetProperty(f => f.NextAttemptAt, next)
                .SetProperty(f => f.ClaimToken, (Guid?)null)
                .SetProperty(f => f.ClaimExpiresAt, (DateTime?)null), CancellationToken.None);
        return givesUp;
    }

    private async Task<int> FinishAsync(Guid id, Guid token, FollowUpStatus status, string? error)
    {
        var now = Now;
        await using var db = await dbFactory.CreateDbContextAsync(CancellationToken.None);
        return await db.FollowUps.Where(f => f.Id == id && f.ClaimToken == token && f.Status == FollowUpStatus.Pending)
            .ExecuteUpdateAsync(s => s
                .SetProperty(f => f.Status, status)
                .SetProperty(f => f.LastError, error)
                .SetProperty(f => f.CancelledAt, status == FollowUpStatus.Cancelled ? now : (DateTime?)null)
                .SetProperty(f => f.CancelReason, status == FollowUpStatus.Cancelled ? CancelReasons.Unsubscribed : null)
                .SetProperty(f => f.ClaimToken, (Guid?)null)
                .SetProperty(f => f.ClaimExpiresAt, (DateTime?)null), CancellationToken.None);
    }

    private static string? Truncate(string? value, int length) => value is null || value.Length <= length ? value : value[..length];
}
