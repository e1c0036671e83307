using Microsoft.EntityFrameworkCore;
using Portal.Web.Data;
using Portal.Web.Data.Entities;
using Portal.Web.Features.FollowUps;

namespace Portal.Web.Features.Audit;

/// <summary>One line of the audit log, as shown to Admins and owners.</summary>
/// <param name="ActorOrganisation">The organisation the actor works for now, if they are an advisor placed in one.</param>
public sealed record AuditLine(DateTime At, string ActorEmail, string Action, string? Detail, Guid? FirmId, string? FirmName, string? ActorOrganisation = null);

/// <summary>
/// What an Admin looks for: parts of the firm's name, the actor's email and the action, and
/// whole days from and to (inclusive) in the Admin's own time zone. Empty parts match everything.
/// </summary>
public sealed record AuditFilter(string? Firm = null, string? Actor = null, string? Action = null, DateOnly? From = null, DateOnly? To = null);

/// <param name="Zone">The reader's time zone, for the times on the page.</param>
public sealed record AuditPage(IReadOnlyList<AuditLine> Lines, int Total, int Page, int PageCount, TimeZoneInfo Zone);

/// <summary>
/// Records who viewed or changed a firm's data, other than the firm's own owners, and reads
/// it back. A record is written in the caller's unit of work when there is one (a change and
/// its record are saved together), or on its own for a view.
/// </summary>
public sealed class AuditLog(IDbContextFactory<PortalDbContext> dbFactory, TimeProvider clock)
{
    public const int MaxDetail = 1000;

    public const int PageSize = 50;

    /// <summary>Adds the entry to the caller's context; it is saved with the caller's change.</summary>
    public void Add(PortalDbContext db, string actorId, string actorEmail, Guid? firmId, string action, string? detail = null) =>
        db.AuditEntries.Add(new AuditEntry
        {
            At = clock.GetUtcNow().UtcDateTime,
            ActorId = actorId,
            ActorEmail = actorEmail,
            FirmId = firmId,
            Action = action,
            Detail = detail is { Length: > MaxDetail } ? detail[..MaxDetail] : detail,
        });

    /// <summary>Records a view (or any action with nothing else to save) at once.</summary>
    public async Task RecordAsync(string actorId, string actorEmail, Guid? firmId, string action, string? detail = null, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        Add(db, actorId, actorEmail, firmId, action, detail);
        await db.SaveChangesAsync(ct);
    }

    /// <summary>The whole log for Admins, newest first, filtered and paged in the database.</summary>
    public async Task<AuditPage> ListAsync(string readerId, AuditFilter filter, int page, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var zone = await ZoneOfAsync(db, readerId, ct);
        var entries = db.AuditEntries.AsNoTracking();
        if (Term(filter.Firm) is { } firm)
        {
            entries = entries.Where(e => db.Firms.Any(f => f.Id == e.FirmId && f.Name.ToLower().Contains(firm)));
        }

        if (Term(filter.Actor) is { } actor)
        {
            entries = entries.Where(e => e.ActorEmail.ToLower().Contains(actor));
        }

        if (Term(filter.Action) is { } action)
        {
            entries = entries.Where(e => e.Action.ToLower().Contains(action));
        }

        if (filter.From is { } from)
        {
            var start = StartOfDay(from, zone);
            entries = entries.Where(e => e.At >= start);
        }

        if (filter.To is { } to)
        {
            var end = StartOfDay(to.AddDays(1), zone);
            entries = entries.Where(e => e.At < end);
        }

        return await PageAsync(db, entries, page, zone, ct);
    }

    /// <summary>
    /// What others did with the owner's firm (the firms the account is a member of), newest
    /// first. Owners' own actions are never recorded, so this is only other people's.
    /// </summary>
    public async Task<AuditPage> ListForOwnerAsync(string ownerId, int page, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var zone = await ZoneOfAsync(db, ownerId, ct);
        var firms = db.FirmMembers.Where(m => m.UserId == ownerId).Select(m => (Guid?)m.FirmId);
        var entries = db.AuditEntries.AsNoTracking().Where(e => firms.Contains(e.FirmId));
        return await PageAsync(db, entries, page, zone, ct);
    }

    private static async Task<AuditPage> PageAsync(PortalDbContext db, IQueryable<AuditEntry> entries, int page, TimeZoneInfo zone, CancellationToken ct)
    {
        var total = await entries.CountAsync(ct);
        var pageCount = Math.Max(1, (total + PageSize - 1) / PageSize);
        page = Math.Clamp(page, 1, pageCount);
        var lines = await entries.OrderByDescending(e => e.At).ThenByDescending(e => e.Id)
            .Skip((page - 1) * PageSize).Take(PageSize)
            .Select(e => new AuditLine(e.At, e.ActorEmail, e.Action, e.Detail, e.FirmId,
                db.Firms.Where(f => f.Id == e.FirmId).Select(f => f.Name).FirstOrDefault(),
                db.OrganisationMembers.Where(m => m.UserId == e.ActorId).Select(m => m.Organisation.Name).FirstOrDefault()))
            .ToListAsync(ct);
        return new AuditPage(lines, total, page, pageCount, zone);
    }

    private static async Task<TimeZoneInfo> ZoneOfAsync(PortalDbContext db, string userId, CancellationToken ct) =>
        TimeZones.Resolve(await db.Users.Where(u => u.Id == userId).Select(u => u.TimeZoneId).FirstOrDefaultAsync(ct));

    private static string? Term(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim().ToLowerInvariant();

    /// <summary>Midnight of the day in the zone, as UTC; where the clocks skip midnight, the day starts when they land.</summary>
    internal static DateTime StartOfDay(DateOnly day, TimeZoneInfo zone)
    {
        var local = day.ToDateTime(TimeOnly.MinValue, DateTimeKind.Unspecified);
        while (zone.IsInvalidTime(local))
        {
            local = local.AddMinutes(30);
        }

        return TimeZoneInfo.ConvertTimeToUtc(local, zone);
    }
}
