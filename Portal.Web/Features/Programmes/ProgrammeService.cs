using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Portal.Web.Data;
using Portal.Web.Data.Entities;
using Portal.Web.Features.Advisors;
using Portal.Web.Features.Audit;
using Portal.Web.Features.FollowUps;

namespace Portal.Web.Features.Programmes;

public sealed record StaffProgrammeRow(Guid Id, string Name, string OrganisationName, int Cohorts);

public sealed record CohortRow(Guid Id, string Name, DateOnly StartsOn, DateOnly EndsOn, int Invited, int Enrolled);

public sealed record ProgrammeView(ProgrammeContext Programme, string? Description, IReadOnlyList<CohortRow> Cohorts);

/// <summary>Where a firm is in a cohort, as staff see it.</summary>
public enum EnrolmentState
{
    /// <summary>Invited by email; no account uses the address yet.</summary>
    Invited,

    /// <summary>Invited, and an account uses the address: the person has registered but not accepted.</summary>
    Registered,

    /// <summary>In the cohort and sharing its results with the programme's organisation.</summary>
    Enrolled,

    /// <summary>In the cohort, but the firm stopped sharing with the organisation: the programme sees nothing of it.</summary>
    NotSharing,

    /// <summary>The firm left the programme.</summary>
    Left,
}

/// <param name="Who">The firm's name while staff may see the firm; otherwise the address staff invited, or a description.</param>
public sealed record EnrolmentRow(Guid Id, string Who, string? InvitedEmail, EnrolmentState State,
    DateTime? InvitedAt, DateTime? LinkExpiresAt, bool LinkExpired, DateTime? EnrolledAt, DateTime? LeftAt);

public sealed record CandidateFirm(Guid FirmId, string Name, DateTime SharingSince, DateTime? LatestSubmittedAt);

/// <param name="Candidates">Firms that share with the organisation and could be enrolled (the first <see cref="ProgrammeService.CandidatePageSize"/>).</param>
/// <param name="CandidateTotal">How many firms match, of which <paramref name="Candidates"/> are the first.</param>
public sealed record CohortView(ProgrammeContext Programme, Guid CohortId, string Name, DateOnly StartsOn, DateOnly EndsOn,
    IReadOnlyList<EnrolmentRow> Enrolments, IReadOnlyList<CandidateFirm> Candidates, int CandidateTotal, TimeZoneInfo Zone, int Deleted = 0);

/// <summary>
/// What programme staff do with their programmes: cohorts, who is in them, enrolling firms
/// that already share with the organisation. Every method takes a <see cref="ProgrammeContext"/>
/// from <see cref="ProgrammeAccess"/>, so it only ever works on a programme the person is on
/// the staff of; a cohort of another programme is "not found".
/// </summary>
public sealed class ProgrammeService(IDbContextFactory<PortalDbContext> dbFactory, IOptions<ProgrammeOptions> options, AuditLog audit, TimeProvider clock)
{
    public const int MaxName = 200;

    public const int CandidatePageSize = 50;

    public const string CreatedCohortAction = "created a cohort";

    public const string EnrolledAction = "enrolled the firm in a programme cohort";

    public async Task<IReadOnlyList<StaffProgrammeRow>> ListAsync(IReadOnlyList<ProgrammeContext> programmes, CancellationToken ct = default)
    {
        var ids = programmes.Select(p => p.ProgrammeId).ToList();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var cohorts = await db.Cohorts.AsNoTracking().Where(c => ids.Contains(c.ProgrammeId))
            .GroupBy(c => c.ProgrammeId).Select(g => new { g.Key, Count = g.Count() })
            .ToDictionaryAsync(g => g.Key, g => g.Count, ct);
        return programmes.Select(p => new StaffProgrammeRow(p.ProgrammeId, p.Name, p.OrganisationName, cohorts.GetValueOrDefault(p.ProgrammeId))).ToList();
    }

    public async Task<ProgrammeView> GetAsync(ProgrammeContext programme, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var description = await db.Programmes.Where(p => p.Id == programme.ProgrammeId).Select(p => p.Description).FirstOrDefaultAsync(ct);
        var cohorts = await db.Cohorts.AsNoTracking().Where(c => c.ProgrammeId == programme.ProgrammeId)
            .OrderByDescending(c => c.StartsOn).ThenBy(c => c.Name)
            .Select(c => new { c.Id, c.Name, c.StartsOn, c.EndsOn, Invited = c.Enrolments.Count(e => e.FirmId == null) })
            .ToListAsync(ct);
        var rows = new List<CohortRow>(cohorts.Count);
        foreach (var cohort in cohorts)
        {
            // A programme has a handful of cohorts; each count is one query through the access rule.
            var enrolled = await ProgrammeAccess.VisibleEnrolments(db, cohort.Id).CountAsync(ct);
            rows.Add(new CohortRow(cohort.Id, cohort.Name, cohort.StartsOn, cohort.EndsOn, cohort.Invited, enrolled));
        }

        return new ProgrammeView(programme, description, rows);
    }

    /// <summary>Creates a cohort: a name unique in the programme, a start and an end not before it (dates as the form sends them, yyyy-MM-dd).</summary>
    public async Task<FormOutcome> CreateCohortAsync(ProgrammeContext programme, string? name, string? startsOn, string? endsOn, string actorId, CancellationToken ct = default)
    {
        name = name?.Trim() ?? "";
        var errors = new Dictionary<string, string>();
        if (name.Length == 0)
        {
            errors["name"] = "Enter the cohort's name";
        }
        else if (name.Length > MaxName)
        {
            errors["name"] = $"The name must be {MaxName} characters or fewer";
        }

        var starts = ParseDate(startsOn, "start", errors, "starts");
        var ends = ParseDate(endsOn, "end", errors, "ends");
        if (starts is { } s && ends is { } e && e < s)
        {
            errors["ends"] = "The end date must be the same as or after the start date";
        }

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        if (!errors.ContainsKey("name") && await db.Cohorts.AnyAsync(c => c.ProgrammeId == programme.ProgrammeId && c.Name == name, ct))
        {
            errors["name"] = $"{programme.Name} already has a cohort called “{name}”: choose another name";
        }

        if (errors.Count > 0)
        {
            return new FormOutcome(true, errors, null);
        }

        db.Cohorts.Add(new Cohort { ProgrammeId = programme.ProgrammeId, Name = name, StartsOn = starts!.Value, EndsOn = ends!.Value, CreatedAt = clock.GetUtcNow().UtcDateTime });
        audit.Add(db, actorId, await EmailOfAsync(db, actorId, ct), null, CreatedCohortAction, $"{name} in {programme.Name}");
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            return FormOutcome.Refused("name", $"{programme.Name} already has a cohort called “{name}”: choose another name");
        }

        return FormOutcome.Success($"The cohort “{name}” was created.");
    }

    /// <summary>The cohort with its enrolments and the firms that could join it, or null when it is not a cohort of the programme.</summary>
    public async Task<CohortView?> GetCohortAsync(ProgrammeContext programme, Guid cohortId, string staffId, string? search = null, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var cohort = await db.Cohorts.AsNoTracking().Where(c => c.Id == cohortId && c.ProgrammeId == programme.ProgrammeId)
            .Select(c => new { c.Id, c.Name, c.StartsOn, c.EndsOn }).FirstOrDefaultAsync(ct);
        if (cohort is null)
        {
            return null;
        }

        var zone = TimeZones.Resolve(await db.Users.Where(u => u.Id == staffId).Select(u => u.TimeZoneId).FirstOrDefaultAsync(ct));
        var now = clock.GetUtcNow().UtcDateTime;
        var validFor = TimeSpan.FromDays(options.Value.InvitationValidDays);
        var visible = ProgrammeAccess.VisibleEnrolments(db, cohortId).Select(e => e.Id);
        var enrolments = await db.Enrolments.AsNoTracking().Where(e => e.CohortId == cohortId)
            .OrderBy(e => e.LeftAt != null).ThenByDescending(e => e.EnrolledAt ?? e.InvitedAt)
            .Select(e => new
            {
                e.Id,
                e.InvitedEmail,
                e.InvitedAt,
                e.EnrolledAt,
                e.LeftAt,
                Accepted = e.FirmId != null,
                Visible = visible.Contains(e.Id),
                FirmName = visible.Contains(e.Id) ? e.Firm!.Name : null,
                HasAccount = e.InvitedEmail != null && db.Users.Any(u => u.NormalizedEmail == e.InvitedEmail.ToUpper()),
            })
            .ToListAsync(ct);
        var rows = enrolments.Select(e =>
        {
            var state = e.LeftAt is not null ? EnrolmentState.Left
                : e.Visible ? EnrolmentState.Enrolled
                : e.Accepted ? EnrolmentState.NotSharing
                : e.HasAccount ? EnrolmentState.Registered
                : EnrolmentState.Invited;
            var who = state switch
            {
                EnrolmentState.Enrolled => e.FirmName is { Length: > 0 } name ? name : "A firm with no name yet",
                EnrolmentState.Left => e.InvitedEmail ?? "A firm that left the programme",
                EnrolmentState.NotSharing => e.InvitedEmail ?? "A firm that stopped sharing its results",
                _ => e.InvitedEmail ?? "",
            };
            DateTime? expires = e.InvitedAt is { } at && !e.Accepted ? at + validFor : null;
            return new EnrolmentRow(e.Id, who, e.InvitedEmail, state, e.InvitedAt, expires, expires < now, e.EnrolledAt, e.LeftAt);
        }).ToList();

        var candidates = Candidates(db, programme, cohortId);
        if (!string.IsNullOrWhiteSpace(search))
        {
            var term = search.Trim().ToLowerInvariant();
            candidates = candidates.Where(f => f.Name.ToLower().Contains(term));
        }

        var total = await candidates.CountAsync(ct);
        var firms = await candidates.OrderBy(f => f.Name).ThenBy(f => f.Id).Take(CandidatePageSize)
            .Select(f => new CandidateFirm(f.Id, f.Name,
                db.FirmShares.Where(s => s.FirmId == f.Id && s.OrganisationId == programme.OrganisationId && s.RevokedAt == null).Min(s => s.GrantedAt),
                db.Assessments.Where(a => a.FirmId == f.Id && a.IsLatest).Select(a => a.SubmittedAt).FirstOrDefault()))
            .ToListAsync(ct);
        var deleted = await db.AnonymousEnrolments.CountAsync(r => r.CohortId == cohortId, ct);
        return new CohortView(programme, cohort.Id, cohort.Name, cohort.StartsOn, cohort.EndsOn, rows, firms, total, zone, deleted);
    }

    /// <summary>
    /// Enrols firms that share with the programme's organisation. Their consent to the
    /// organisation is already given; each enrolment goes into the audit log against the firm,
    /// so the owner sees it on the firm's activity page and can leave.
    /// </summary>
    public async Task<FormOutcome> EnrolAsync(ProgrammeContext programme, Guid cohortId, IReadOnlyCollection<Guid> firmIds, string actorId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var cohort = await db.Cohorts.Where(c => c.Id == cohortId && c.ProgrammeId == programme.ProgrammeId).Select(c => c.Name).FirstOrDefaultAsync(ct);
        if (cohort is null)
        {
            return FormOutcome.NotFound;
        }

        if (firmIds.Count == 0)
        {
            return FormOutcome.Refused("firms", "Choose at least one firm to enrol");
        }

        var chosen = firmIds.Distinct().ToList();
        var firms = await Candidates(db, programme, cohortId).Where(f => chosen.Contains(f.Id))
            .OrderBy(f => f.Name)
            .Select(f => new { f.Id, f.Name, Baseline = db.Assessments.Where(a => a.FirmId == f.Id && a.IsLatest).Select(a => (Guid?)a.Id).FirstOrDefault() })
            .ToListAsync(ct);
        if (firms.Count == 0)
        {
            return FormOutcome.Refused("firms", "None of the firms chosen can be enrolled any more: they stopped sharing with the organisation or are already in the cohort");
        }

        var now = clock.GetUtcNow().UtcDateTime;
        var actor = await EmailOfAsync(db, actorId, ct);
        foreach (var firm in firms)
        {
            // The baseline is where the firm stands now; a firm with no assessment yet gets its first one (AssessmentService.SubmitAsync).
            db.Enrolments.Add(new Enrolment { CohortId = cohortId, FirmId = firm.Id, EnrolledAt = now, EnrolledById = actorId, BaselineAssessmentId = firm.Baseline });
            audit.Add(db, actorId, actor, firm.Id, EnrolledAction, $"{cohort} of {programme.Name} ({programme.OrganisationName})");
        }

        await db.SaveChangesAsync(ct);
        var names = string.Join(", ", firms.Select(f => f.Name.Length > 0 ? f.Name : "a firm with no name yet"));
        var skipped = chosen.Count - firms.Count;
        var note = skipped == 0 ? "" : $" {skipped} of the firms chosen could not be: they stopped sharing with {programme.OrganisationName} or are already in the cohort.";
        return FormOutcome.Success($"Enrolled {(firms.Count == 1 ? "1 firm" : $"{firms.Count} firms")} in {cohort}: {names}.{note}");
    }

    /// <summary>
    /// Firms that share with the organisation and are not in the cohort. A firm that left the
    /// programme (and is in none of its cohorts now) is not offered: it chose to leave, and
    /// can come back through an invitation it accepts.
    /// </summary>
    private static IQueryable<Firm> Candidates(PortalDbContext db, ProgrammeContext programme, Guid cohortId) =>
        AdvisorAccess.SharingFirms(db, programme.OrganisationId)
            .Where(f => !db.Enrolments.Any(e => e.FirmId == f.Id && e.CohortId == cohortId))
            .Where(f => !db.Enrolments.Any(e => e.FirmId == f.Id && e.Cohort.ProgrammeId == programme.ProgrammeId && e.LeftAt != null)
                || db.Enrolments.Any(e => e.FirmId == f.Id && e.Cohort.ProgrammeId == programme.ProgrammeId && e.LeftAt == null && e.EnrolledAt != null));

    private static DateOnly? ParseDate(string? value, string which, Dictionary<string, string> errors, string key)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            errors[key] = $"Enter the {which} date";
            return null;
        }

        if (DateOnly.TryParseExact(value.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            return date;
        }

        errors[key] = $"Enter the {which} date as a real date, like 2027-03-01";
        return null;
    }

    internal static async Task<string> EmailOfAsync(PortalDbContext db, string userId, CancellationToken ct) =>
        await db.Users.Where(u => u.Id == userId).Select(u => u.Email).FirstOrDefaultAsync(ct) ?? "";
}
