using Microsoft.EntityFrameworkCore;
using Portal.Domain.Content;
using Portal.Web.Data;
using Portal.Web.Data.Entities;

namespace Portal.Web.Features.FollowUps;

public sealed record DeliveryLogRow(
    Guid Id, EmailKind Kind, string What, string? To, string? FirmName, DateTime CreatedAt, DateTime DueAt, DateTime? SentAt,
    FollowUpStatus Status, int Attempts, string? LastError, DateTime NextAttemptAt, string? CancelReason);

public sealed record DeliveryLogPage(IReadOnlyList<DeliveryLogRow> Rows, int Total, int Page, int PageCount, IReadOnlyDictionary<FollowUpStatus, int> Counts);

/// <summary>What the outbox sent to whom and when, for Admins; filtering and paging happen in the database.</summary>
public sealed class DeliveryLogService(IDbContextFactory<PortalDbContext> dbFactory, ContentCatalog catalog, Outbox outbox, TimeProvider clock)
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

    /// <summary>Puts a failed email back in the queue, due now, with its attempts counted afresh. False if it is not failed.</summary>
    public async Task<bool> ResendAsync(Guid id, CancellationToken ct = default)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var updated = await db.FollowUps.Where(f => f.Id == id && f.Status == FollowUpStatus.Failed)
            .ExecuteUpdateAsync(s => s
                .SetProperty(f => f.Status, FollowUpStatus.Pending)
                .SetProperty(f => f.Attempts, 0)
                .SetProperty(f => f.NextAttemptAt, now), ct);
        if (updated > 0)
        {
            outbox.DispatchNow();
        }

        return updated > 0;
    }

    private string What(FollowUp row) => row.Subject
        ?? (row.AdviceId is not null && catalog.Current.Advice.TryGetValue(row.AdviceId, out var advice) ? $"Advice: {advice.Title}" : row.Template);
}
