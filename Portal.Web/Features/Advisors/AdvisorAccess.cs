using Microsoft.EntityFrameworkCore;
using Portal.Web.Data;
using Portal.Web.Data.Entities;

namespace Portal.Web.Features.Advisors;

/// <summary>The signed-in advisor and the organisation they work for.</summary>
public sealed record AdvisorContext(string UserId, string Email, Guid OrganisationId, string OrganisationName);

/// <summary>
/// The one place that decides whether an advisor may see a firm: only while the firm shares
/// its results with the advisor's organisation. Every advisor page and service asks here
/// first; a firm that does not share (or no longer shares, or does not exist) is "not found"
/// to the advisor, never "forbidden", so ids reveal nothing.
/// </summary>
public sealed class AdvisorAccess(IDbContextFactory<PortalDbContext> dbFactory)
{
    /// <summary>The advisor's organisation, or null for an advisor no Admin has placed in one yet.</summary>
    public async Task<AdvisorContext?> ForUserAsync(string userId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.OrganisationMembers.AsNoTracking()
            .Where(m => m.UserId == userId)
            .Select(m => new AdvisorContext(m.UserId, m.User.Email ?? "", m.OrganisationId, m.Organisation.Name))
            .FirstOrDefaultAsync(ct);
    }

    /// <summary>Firms that share with the organisation now.</summary>
    public static IQueryable<Firm> SharingFirms(PortalDbContext db, Guid organisationId) =>
        db.Firms.Where(f => db.FirmShares.Any(s => s.FirmId == f.Id && s.OrganisationId == organisationId && s.RevokedAt == null));

    /// <summary>Whether the firm shares with the advisor's organisation now.</summary>
    public static Task<bool> CanSeeAsync(PortalDbContext db, AdvisorContext advisor, Guid firmId, CancellationToken ct) =>
        db.FirmShares.AnyAsync(s => s.FirmId == firmId && s.OrganisationId == advisor.OrganisationId && s.RevokedAt == null, ct);

    /// <summary>
    /// The organisation's case on the firm, opened on first sight, or null when the firm does
    /// not share with the advisor's organisation.
    /// </summary>
    public static async Task<CaseFile?> CaseAsync(PortalDbContext db, AdvisorContext advisor, Guid firmId, DateTime now, CancellationToken ct)
    {
        if (!await CanSeeAsync(db, advisor, firmId, ct))
        {
            return null;
        }

        return await db.CaseFiles.FirstOrDefaultAsync(c => c.FirmId == firmId && c.OrganisationId == advisor.OrganisationId, ct)
            ?? await OpenAsync(db, firmId, advisor.OrganisationId, now, ct);
    }

    /// <summary>Opens the case for a firm that has just shared (kept if one exists from an earlier consent).</summary>
    public static async Task<CaseFile> OpenAsync(PortalDbContext db, Guid firmId, Guid organisationId, DateTime now, CancellationToken ct)
    {
        var existing = await db.CaseFiles.FirstOrDefaultAsync(c => c.FirmId == firmId && c.OrganisationId == organisationId, ct);
        if (existing is not null)
        {
            return existing;
        }

        var file = new CaseFile { FirmId = firmId, OrganisationId = organisationId, Status = CaseStatus.New, StatusChangedAt = now, OpenedAt = now };
        db.CaseFiles.Add(file);
        return file;
    }
}
