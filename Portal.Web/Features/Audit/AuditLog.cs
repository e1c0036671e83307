using Microsoft.EntityFrameworkCore;
using Portal.Web.Data;
using Portal.Web.Data.Entities;

namespace Portal.Web.Features.Audit;

/// <summary>One line of the audit log, as shown to Admins and owners.</summary>
public sealed record AuditLine(DateTime At, string ActorEmail, string Action, string? Detail, Guid? FirmId, string? FirmName);

/// <summary>
/// Records who viewed or changed a firm's data, other than the firm's own owners, and reads
/// it back. A record is written in the caller's unit of work when there is one (a change and
/// its record are saved together), or on its own for a view.
/// </summary>
public sealed class AuditLog(IDbContextFactory<PortalDbContext> dbFactory, TimeProvider clock)
{
    public const int MaxDetail = 1000;

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
}
