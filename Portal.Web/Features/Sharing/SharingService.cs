using Microsoft.EntityFrameworkCore;
using Portal.Web.Data;
using Portal.Web.Data.Entities;
using Portal.Web.Features.Advisors;
using Portal.Web.Features.Assessments;
using Portal.Web.Features.FollowUps;

namespace Portal.Web.Features.Sharing;

public sealed record OrganisationChoice(Guid Id, string Name, string? Description, bool Shared, DateTime? SharedSince);

/// <summary>The owner's consent: which advisor organisations may see the firm's results.</summary>
public sealed class SharingService(IDbContextFactory<PortalDbContext> dbFactory, AssessmentService assessments, TimeProvider clock)
{
    public async Task<IReadOnlyList<OrganisationChoice>> ListAsync(string userId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var firm = await assessments.EnsureFirmAsync(db, userId, ct);
        var active = await db.FirmShares.AsNoTracking().Where(s => s.FirmId == firm.Id && s.RevokedAt == null)
            .ToDictionaryAsync(s => s.OrganisationId, s => s.GrantedAt, ct);
        var organisations = await db.Organisations.AsNoTracking().OrderBy(o => o.Name).ToListAsync(ct);
        return organisations.Select(o => new OrganisationChoice(o.Id, o.Name, o.Description, active.ContainsKey(o.Id), active.TryGetValue(o.Id, out var since) ? since : null)).ToList();
    }

    /// <summary>Starts sharing with the organisation (no change if already shared).</summary>
    public async Task ShareAsync(string userId, Guid organisationId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var firm = await assessments.EnsureFirmAsync(db, userId, ct);
        if (!await db.Organisations.AnyAsync(o => o.Id == organisationId, ct)
            || !await AddShareAsync(db, firm.Id, organisationId, userId, clock.GetUtcNow().UtcDateTime, ct))
        {
            return;
        }

        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            // A second click raced the first: the unique index keeps one active consent.
        }
    }

    /// <summary>
    /// The owner's consent in the caller's unit of work, so it is saved with what it goes with
    /// (accepting a programme's invitation): false when the firm already shares with the organisation.
    /// </summary>
    internal static async Task<bool> AddShareAsync(PortalDbContext db, Guid firmId, Guid organisationId, string userId, DateTime now, CancellationToken ct)
    {
        if (await db.FirmShares.AnyAsync(s => s.FirmId == firmId && s.OrganisationId == organisationId && s.RevokedAt == null, ct))
        {
            return false;
        }

        db.FirmShares.Add(new FirmShare { FirmId = firmId, OrganisationId = organisationId, GrantedAt = now, GrantedByUserId = userId });
        // The organisation's case on the firm opens with the consent (or reopens, with its notes).
        await AdvisorAccess.OpenAsync(db, firmId, organisationId, now, ct);
        return true;
    }

    /// <summary>Stops sharing at once; the organisation's advisors lose access to the firm's file, and their messages not yet sent are cancelled.</summary>
    public async Task RevokeAsync(string userId, Guid organisationId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var firm = await assessments.EnsureFirmAsync(db, userId, ct);
        var now = clock.GetUtcNow().UtcDateTime;
        foreach (var share in await db.FirmShares.Where(s => s.FirmId == firm.Id && s.OrganisationId == organisationId && s.RevokedAt == null).ToListAsync(ct))
        {
            share.RevokedAt = now;
            share.RevokedByUserId = userId;
        }

        // The organisation's messages still to go would say the firm shares with it, and an
        // Admin must not resend a failed one: they are cancelled with the consent.
        var messages = await db.FollowUps
            .Where(f => f.FirmId == firm.Id && f.Kind == EmailKind.AdvisorMessage
                && (f.Status == FollowUpStatus.Pending || f.Status == FollowUpStatus.Failed)
                && db.OrganisationMembers.Any(m => m.UserId == f.SenderId && m.OrganisationId == organisationId))
            .ToListAsync(ct);
        foreach (var message in messages)
        {
            message.Status = FollowUpStatus.Cancelled;
            message.CancelledAt = now;
            message.CancelReason = CancelReasons.ConsentWithdrawn;
        }

        await db.SaveChangesAsync(ct);
    }
}
