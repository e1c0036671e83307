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
/// records each outcome as soon as it is known. A run that dies leaves its claim to expire;
/// the rows are then picked up again, so nothing is lost and only the message that was
/// in flight at the moment of the crash can go out twice.
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

    public async Task<DispatchSummary> RunAsync(CancellationToken cancellationToken)
    {
        int sent = 0, retrying = 0, failed = 0, cancelled = 0;
        await using var session = delivery.OpenSession();
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var (token, rows) = await ClaimAsync(cancellationToken);
            if (rows.Count == 0)
            {
                break;
            }

            var serverDown = false;
            await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
            {
                foreach (var email in await messages.PrepareAsync(db, rows, cancellationToken))
                {
                    if (serverDown)
                    {
                        // The server cannot be reached: this row was not tried. It counts as an
                        // attempt all the same, so a long outage ends in 'failed', never in silence.
                        Count(await RecordFailureAsync(email.Row, token, "Not sent: the mail server could not be reached.", cancellationToken));
                        continue;
                    }

                    if (email.OptedOut)
                    {
                        cancelled += await FinishAsync(email.Row.Id, token, FollowUpStatus.Cancelled, null, cancellationToken);
                        continue;
                    }

                    if (email.Message is null)
                    {
                        failed += await FinishAsync(email.Row.Id, token, FollowUpStatus.Failed, email.Failure, cancellationToken);
                        continue;
                    }

                    try
                    {
                        await session.SendAsync(email.Message, cancellationToken);
                    }
                    catch (Exception e) when (e is not OperationCanceledException)
                    {
                        logger.LogWarning("Email {FollowUpId} ({Kind}) could not be sent: {Error}", email.Row.Id, email.Row.Kind, e.Message);
                        serverDown = e is not EmailRejectedException;
                        Count(await RecordFailureAsync(email.Row, token, e.Message, cancellationToken));
                        continue;
                    }

                    // Recorded before the next send: a crash from here on repeats nothing.
                    await MarkSentAsync(email, token, cancellationToken);
                    sent++;
                }
            }

            if (serverDown)
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

    /// <summary>
    /// Claims up to a batch of due rows for this run. The update repeats the conditions of
    /// the select, so of two runs that picked the same rows only one gets each row, in
    /// SQLite (one writer at a time) and in PostgreSQL (an updated row is re-checked).
    /// </summary>
    internal async Task<(Guid Token, List<FollowUp> Rows)> ClaimAsync(CancellationToken ct)
    {
        var settings = options.Value;
        var now = clock.GetUtcNow().UtcDateTime;
        var token = Guid.NewGuid();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var due = await db.FollowUps
            .Where(f => f.Status == FollowUpStatus.Pending && f.NextAttemptAt <= now && (f.ClaimExpiresAt == null || f.ClaimExpiresAt < now))
            .OrderBy(f => f.NextAttemptAt)
            .Select(f => f.Id)
            .Take(settings.BatchSize)
            .ToListAsync(ct);
        if (due.Count == 0)
        {
            return (token, []);
        }

        var until = now.AddSeconds(settings.ClaimSeconds);
        await db.FollowUps
            .Where(f => due.Contains(f.Id) && f.Status == FollowUpStatus.Pending && (f.ClaimExpiresAt == null || f.ClaimExpiresAt < now))
            .ExecuteUpdateAsync(s => s.SetProperty(f => f.ClaimToken, token).SetProperty(f => f.ClaimExpiresAt, until), ct);
        var rows = await db.FollowUps.AsNoTracking().Where(f => f.ClaimToken == token).OrderBy(f => f.NextAttemptAt).ToListAsync(ct);
        return (token, rows);
    }

    private async Task MarkSentAsync(PreparedEmail email, Guid token, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var to = email.Message!.To.Mailboxes.FirstOrDefault()?.Address;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        // Even if a reassessment cancelled it meanwhile: it went out, and the log must say so.
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
            // The claim expired while this run was sending, and another run took the row.
            logger.LogWarning("Email {FollowUpId} was sent after its claim expired; another run may send it again", email.Row.Id);
        }
    }

    /// <summary>Records a failed attempt: retried after the back-off, or failed for good. True when it is failed for good.</summary>
    private async Task<bool> RecordFailureAsync(FollowUp row, Guid token, string error, CancellationToken ct)
    {
        var settings = options.Value;
        var attempts = row.Attempts + 1;
        var givesUp = attempts >= settings.MaxAttempts;
        var next = clock.GetUtcNow().UtcDateTime + settings.RetryDelay(attempts);
        var status = givesUp ? FollowUpStatus.Failed : FollowUpStatus.Pending;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await db.FollowUps.Where(f => f.Id == row.Id && f.ClaimToken == token)
            .ExecuteUpdateAsync(s => s
                .SetProperty(f => f.Attempts, attempts)
                .SetProperty(f => f.LastError, Truncate(error, MaxErrorLength))
                .SetProperty(f => f.Status, status)
                .SetProperty(f => f.NextAttemptAt, next)
                .SetProperty(f => f.ClaimToken, (Guid?)null)
                .SetProperty(f => f.ClaimExpiresAt, (DateTime?)null), CancellationToken.None);
        return givesUp;
    }

    private async Task<int> FinishAsync(Guid id, Guid token, FollowUpStatus status, string? error, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.FollowUps.Where(f => f.Id == id && f.ClaimToken == token)
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
