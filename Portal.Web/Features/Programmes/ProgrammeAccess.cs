using Microsoft.EntityFrameworkCore;
using Portal.Web.Data;
using Portal.Web.Data.Entities;

namespace Portal.Web.Features.Programmes;

/// <summary>A programme as one of its staff sees it.</summary>
public sealed record ProgrammeContext(Guid ProgrammeId, string Name, Guid OrganisationId, string OrganisationName);

/// <summary>
/// The one place that decides what programme staff may see: a programme only if they are on
/// its staff, and a firm of it only while the firm is enrolled (accepted, not left) AND still
/// shares with the programme's organisation. Anything else is "not found", never
/// "forbidden", so ids reveal nothing.
/// </summary>
public sealed class ProgrammeAccess(IDbContextFactory<PortalDbContext> dbFactory)
{
    /// <summary>The programme, if the user is on its staff; otherwise null (a 404).</summary>
    public async Task<ProgrammeContext?> ForStaffAsync(string userId, Guid programmeId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.ProgrammeStaff.AsNoTracking()
            .Where(s => s.UserId == userId && s.ProgrammeId == programmeId)
            .Select(s => new ProgrammeContext(s.ProgrammeId, s.Programme.Name, s.Programme.OrganisationId, s.Programme.Organisation.Name))
            .FirstOrDefaultAsync(ct);
    }

    /// <summary>The programmes the user is on the staff of, by name.</summary>
    public async Task<IReadOnlyList<ProgrammeContext>> ProgrammesOfAsync(string userId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.ProgrammeStaff.AsNoTracking()
            .Where(s => s.UserId == userId)
            .OrderBy(s => s.Programme.Name)
            .Select(s => new ProgrammeContext(s.ProgrammeId, s.Programme.Name, s.Programme.OrganisationId, s.Programme.Organisation.Name))
            .ToListAsync(ct);
    }

    /// <summary>Whether the user is on the staff of the programme the cohort belongs to.</summary>
    public static IQueryable<Cohort> CohortsOfStaff(PortalDbContext db, string userId) =>
        db.Cohorts.Where(c => db.ProgrammeStaff.Any(s => s.ProgrammeId == c.ProgrammeId && s.UserId == userId));

    /// <summary>
    /// The cohort's enrolments whose firm staff may see now: accepted, not left, and the firm
    /// still shares with the programme's organisation. Every figure and export starts here.
    /// </summary>
    public static IQueryable<Enrolment> VisibleEnrolments(PortalDbContext db, Guid cohortId) =>
        db.Enrolments.Where(e => e.CohortId == cohortId && e.FirmId != null && e.EnrolledAt != null && e.LeftAt == null
            && db.FirmShares.Any(s => s.FirmId == e.FirmId && s.RevokedAt == null && s.OrganisationId == e.Cohort.Programme.OrganisationId));
}
