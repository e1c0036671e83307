using Microsoft.EntityFrameworkCore;
using Portal.Web.Data;
using Portal.Web.Features.Assessments;
using Portal.Web.Features.Audit;
using Portal.Web.Features.FollowUps;

namespace Portal.Web.Features.Programmes;

/// <param name="Cohorts">The cohorts the firm is (or was) in, by name.</param>
/// <param name="LeftAt">When the firm left; null while it is in the programme.</param>
/// <param name="Sharing">Whether the firm shares its results with the organisation now.</param>
public sealed record FirmProgrammeRow(Guid ProgrammeId, string Programme, string? Description, Guid OrganisationId, string Organisation,
    IReadOnlyList<string> Cohorts, DateTime JoinedAt, DateTime? LeftAt, bool Sharing);

public sealed record FirmProgrammes(IReadOnlyList<FirmProgrammeRow> Programmes, TimeZoneInfo Zone);

/// <summary>The owner's side of programmes: which ones the firm is in, and leaving one.</summary>
public sealed class FirmProgrammesService(IDbContextFactory<PortalDbContext> dbFactory, AssessmentService assessments, AuditLog audit, TimeProvider clock)
{
    public const string LeftAction = "left a programme";

    public async Task<FirmProgrammes> ListAsync(string userId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var zone = TimeZones.Resolve(await db.Users.Where(u => u.Id == userId).Select(u => u.TimeZoneId).FirstOrDefaultAsync(ct));
        var firmId = await db.FirmMembers.Where(m => m.UserId == userId).Select(m => (Guid?)m.FirmId).FirstOrDefaultAsync(ct);
        if (firmId is null)
        {
            return new FirmProgrammes([], zone);
        }

        var enrolments = await db.Enrolments.AsNoTracking().Where(e => e.FirmId == firmId && e.EnrolledAt != null)
            .Select(e => new
            {
                e.Cohort.ProgrammeId,
                Programme = e.Cohort.Programme.Name,
                e.Cohort.Programme.Description,
                e.Cohort.Programme.OrganisationId,
                Organisation = e.Cohort.Programme.Organisation.Name,
                Cohort = e.Cohort.Name,
                EnrolledAt = e.EnrolledAt!.Value,
                e.LeftAt,
                Sharing = db.FirmShares.Any(s => s.FirmId == firmId && s.OrganisationId == e.Cohort.Programme.OrganisationId && s.RevokedAt == null),
            })
            .ToListAsync(ct);

        // A firm is in a handful of programmes at most: grouped here, after one query.
        var rows = enrolments.GroupBy(e => e.ProgrammeId).Select(g =>
        {
            var current = g.Where(e => e.LeftAt is null).ToList();
            var shown = current.Count > 0 ? current : g.ToList();
            var first = g.First();
            return new FirmProgrammeRow(g.Key, first.Programme, first.Description, first.OrganisationId, first.Organisation,
                shown.Select(e => e.Cohort).Distinct().Order(StringComparer.CurrentCulture).ToList(),
                shown.Min(e => e.EnrolledAt), current.Count > 0 ? null : g.Max(e => e.LeftAt), first.Sharing);
        })
        .OrderBy(r => r.LeftAt is not null).ThenBy(r => r.Programme, StringComparer.CurrentCulture)
        .ToList();
        return new FirmProgrammes(rows, zone);
    }

    /// <summary>
    /// The firm leaves every cohort of the programme: from now on the programme's staff do not
    /// see it. Sharing with the organisation is a separate consent and stays until the owner
    /// stops it on the sharing page. Null when done; otherwise why not.
    /// </summary>
    public async Task<string?> LeaveAsync(string userId, Guid programmeId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var firm = await assessments.EnsureFirmAsync(db, userId, ct);
        var programme = await db.Programmes.Where(p => p.Id == programmeId).Select(p => new { p.Name, Organisation = p.Organisation.Name }).FirstOrDefaultAsync(ct);
        if (programme is null)
        {
            return "Your firm is not in that programme";
        }

        var now = clock.GetUtcNow().UtcDateTime;
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var left = await db.Enrolments
            .Where(e => e.FirmId == firm.Id && e.Cohort.ProgrammeId == programmeId && e.EnrolledAt != null && e.LeftAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(e => e.LeftAt, now), ct);
        if (left == 0)
        {
            return $"Your firm is no longer in {programme.Name}";
        }

        // The owner's own action: recorded without the firm, as owners' own actions never appear on their firm's activity page.
        audit.Add(db, userId, await ProgrammeService.EmailOfAsync(db, userId, ct), null, LeftAction,
            $"{(firm.Name.Length > 0 ? firm.Name : "A firm with no name yet")} left {programme.Name} ({programme.Organisation})");
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return null;
    }
}
