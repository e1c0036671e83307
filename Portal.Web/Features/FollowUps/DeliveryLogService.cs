using Microsoft.EntityFrameworkCore;
using Portal.Domain.Content;
using Portal.Web.Data;
using Portal.Web.Data.Entities;
using Portal.Web.Features.Audit;

namespace Portal.Web.Features.FollowUps;

public sealed record DeliveryLogRow(
    Guid Id, EmailKind Kind, string What, string? To, string? FirmName, DateTime CreatedAt, DateTime DueAt, DateTime? SentAt,
    FollowUpStatus Status, int Attempts, string? LastError, DateTime NextAttemptAt, string? CancelReason);

public sealed record DeliveryLogPage(IReadOnlyList<DeliveryLogRow> Rows, int Total, int Page, int PageCount, IReadOnlyDictionary<FollowUpStatus, int> Counts);

/// <summary>What the outbox sent to whom and when, for Admins; filtering and paging happen in the database.</summary>
public sealed class DeliveryLogService(IDbContextFactory<PortalDbContext> dbFactory, ContentCatalog catalog, Outbox outbox, AuditLog audit, TimeProvider clock)
{
    public const int PageSize = 50;

    public async Task<DeliveryLogPage> ListAsync(FollowUpStatus? status, string? search, int page, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var counts = await db.FollowUps.GroupBy(f => f.Status).Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(g => g.Key, g => g.Count, ct);

        var query = from f in db.FollowUps
                    join u in db.Users on f.UserId equals u.Id into users
                    from u in users.DefaultIfEmpty()
                    join firm in db.Firms on f.FirmId equals firm.Id into firms
                    from firm in firms.DefaultIfEmpty()
                    select new { Row = f, UserEmail = u == null ? null : u.Email, FirmName = firm == null ? null : firm.Name };
        if (status is { } s)
        {
            query = query.Where(x => x.Row.Status == s);
        }

        if (!string.IsNullOrWhiteSpace(search))
        {
            var term = search.Trim().ToLowerInvariant();
            query = query.Where(x => (x.Row.RecipientEmail != null && x.Row.RecipientEmail.ToLower().Contains(term))
                || (x.UserEmail != null && x.UserEmail.ToLower().Contains(term))
                || (x.FirmName != null && x.FirmName.ToLower().Contains(term)));
        }

        var total = await query.CountAsync(ct);
        var pageCount = Math.Max(1, (total + PageSize - 1) / PageSize);
        page = Math.Clamp(page, 1, pageCount);
        var rows = await query.OrderByDescending(x => x.Row.CreatedAt).ThenBy(x => x.Row.Id)
            .Skip((page - 1) * PageSize).Take(PageSize)
            .ToListAsync(ct);
        return new DeliveryLogPage(
            rows.Select(x => new DeliveryLogRow(x.Row.Id, x.Row.Kind, What(x.Row), x.Row.RecipientEmail ?? x.UserEmail, x.FirmName,
                x.Row.CreatedAt, x.Row.DueAt, x.Row.SentAt, x.Row.Status, x.Row.Attempts, x.Row.LastError, x.Row.NextAttemptAt, x.Row.CancelReason)).ToList(),
            total, page, pageCount, counts);
    }

    /// <summary>The audit log's words for an Admin sending a firm's failed email again.</summary>
    public const string ResentAction = "sent an email to the firm again";

    /// <summary>
    /// Puts a failed email back in the queue, due now, with its attempts counted afresh. False if it is not failed.
    /// Sending a firm's email again is a change to the firm's data by someone other than its owners: it is audited with the change.
    /// </summary>
    public async Task<bool> ResendAsync(Guid id, string actorId, CancellationToken ct = default)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var updated = await db.FollowUps.Where(f => f.Id == id && f.Status == FollowUpStatus.Failed)
            .ExecuteUpdateAsync(s => s
                .SetProperty(f => f.Status, FollowUpStatus.Pending)
                .SetProperty(f => f.Attempts, 0)
                .SetProperty(f => f.NextAttemptAt, now), ct);
        if (updated == 0)
        {
            return false;
        }

        var row = await db.FollowUps.AsNoTracking().Where(f => f.Id == id).Select(f => new { f.FirmId, f.Subject, f.AdviceId, f.Template }).SingleAsync(ct);
        if (row.FirmId is { } firmId && !await db.FirmMembers.AnyAsync(m => m.FirmId == firmId && m.UserId == actorId, ct))
        {
            var actorEmail = await db.Users.Where(u => u.Id == actorId).Select(u => u.Email).FirstOrDefaultAsync(ct) ?? "";
            audit.Add(db, actorId, actorEmail, firmId, ResentAction, row.Subject ?? row.AdviceId ?? row.Template);
            await db.SaveChangesAsync(ct);
        }

        await transaction.CommitAsync(ct);
        outbox.DispatchNow();
        return true;
    }

    private string What(FollowUp row) => row.Subject
        ?? (row.AdviceId is not null && catalog.Current.Advice.TryGetValue(row.AdviceId, out var advice) ? $"Advice: {advice.Title}" : row.Template);
}
