using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Portal.Domain.Content;
using Portal.Web.Data;
using Portal.Web.Features.Audit;
using Portal.Web.Features.FollowUps;

namespace Portal.Web.Features.Programmes;

/// <summary>
/// The cohort's exports: its firms with their latest results (one row per firm enrolled and
/// sharing now), and the per-factor summary of the dashboard. Numbers are rounded as the pages
/// show them; dates are days in the reader's time zone.
/// </summary>
public sealed class CohortExportService(
    IDbContextFactory<PortalDbContext> dbFactory, CohortDashboardService dashboards, ContentCatalog catalog,
    AuditLog audit, IOptions<ProgrammeOptions> options, TimeProvider clock)
{
    public const string ExportedFirms = "exported in a cohort's list of firms";

    public const string StatusNoAssessment = "Enrolled, no assessment yet";
    public const string StatusBaseline = "Baseline submitted";
    public const string StatusFollowUp = "Follow-up submitted";

    private CsfModel Model => catalog.Current.Model;

    /// <summary>
    /// The firms' table. Each firm in it is recorded in the audit log (its owners see who took
    /// their results away in a file), in the same unit of work as the read.
    /// </summary>
    public async Task<ExportTable> FirmsAsync(CohortScope scope, string userId, string format, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var visible = ProgrammeAccess.VisibleEnrolments(db, scope.CohortId);
        var firms = await (
                from e in visible
                from l in db.Assessments.Where(a => a.FirmId == e.FirmId && a.IsLatest).DefaultIfEmpty()
                from b in db.Assessments.Where(a => a.Id == e.BaselineAssessmentId).DefaultIfEmpty()
                orderby e.Firm!.Name.ToLower(), e.Firm!.Name, e.FirmId
                select new
                {
                    EnrolmentId = e.Id,
                    FirmId = e.FirmId!.Value,
                    e.Firm!.Name,
                    e.InvitedAt,
                    e.EnrolledAt,
                    e.BaselineAssessmentId,
                    LatestId = l == null ? (Guid?)null : l.Id,
                    LatestAt = l == null ? null : l.SubmittedAt,
                    Overall = l == null ? null : l.OverallScore,
                    BandId = l == null ? null : l.BandId,
                    StageId = l == null ? null : l.StageId,
                    StageGroupId = l == null ? null : l.StageGroupId,
                    BaselineAt = b == null ? null : b.SubmittedAt,
                    BaselineOverall = b == null ? null : b.OverallScore,
                })
            .ToListAsync(ct);
        var scores = (await (
                    from e in visible
                    from a in db.Assessments.Where(a => a.FirmId == e.FirmId && a.IsLatest)
                    from s in db.AssessmentFactorScores.Where(s => s.AssessmentId == a.Id)
                    select new { e.Id, s.FactorId, s.Score })
                .ToListAsync(ct))
            .ToDictionary(s => (s.Id, s.FactorId), s => s.Score);

        var actor = await db.Users.Where(u => u.Id == userId).Select(u => new { u.Email, u.TimeZoneId }).SingleAsync(ct);
        var zone = TimeZones.Resolve(actor.TimeZoneId);
        var factors = Model.Factors;
        var columns = new List<ExportColumn>
        {
            new("Firm", ExportKind.Text, 32),
            new("Status", ExportKind.Text, 24),
            new("Invited on", ExportKind.Date, 12),
            new("Enrolled on", ExportKind.Date, 12),
            new("Baseline submitted on", ExportKind.Date, 12),
            new("Latest submitted on", ExportKind.Date, 12),
            new("Stage", ExportKind.Text, 22),
            new("Stage in detail", ExportKind.Text, 26),
            new("Readiness band", ExportKind.Text, 16),
            new("Overall score (0-100)", ExportKind.Score, 12),
        };
        columns.AddRange(factors.Select(f => new ExportColumn($"{f.Name} score", ExportKind.Score, Math.Clamp(f.Name.Length + 2, 10, 24))));
        columns.Add(new("Baseline overall score", ExportKind.Score, 12));
        columns.Add(new("Change in overall score since baseline", ExportKind.Score, 14));

        var rows = firms.Select(f =>
        {
            var followUp = f.LatestId is { } latest && f.BaselineAssessmentId is { } baseline && latest != baseline;
            var row = new List<object?>
            {
                f.Name.Length > 0 ? f.Name : "(no name yet)",
                f.LatestId is null ? StatusNoAssessment : followUp ? StatusFollowUp : StatusBaseline,
                Day(f.InvitedAt, zone),
                Day(f.EnrolledAt, zone),
                Day(f.BaselineAt, zone),
                Day(f.LatestAt, zone),
                f.StageGroupId is { } group ? Model.StageGroups.FirstOrDefault(g => g.Id == group)?.Name ?? group : null,
                f.StageId is { } stage ? Model.Stages.FirstOrDefault(s => s.Id == stage)?.Name ?? stage : null,
                f.BandId is { } band ? Model.Bands.FirstOrDefault(b => b.Id == band)?.Name ?? band : null,
                Whole(f.Overall),
            };
            row.AddRange(factors.Select(x => (object?)Whole(scores.GetValueOrDefault((f.EnrolmentId, x.Id)))));
            row.Add(Whole(f.BaselineOverall));
            // The change of the shown whole numbers, as the firm file shows it; only after a follow-up.
            row.Add(followUp && f.Overall is { } now && f.BaselineOverall is { } then ? CohortFigures.Whole(now) - CohortFigures.Whole(then) : null);
            return row.ToArray();
        }).ToList();

        foreach (var firm in firms)
        {
            audit.Add(db, userId, actor.Email ?? userId, firm.FirmId, ExportedFirms, $"{scope.CohortName} ({scope.Programme.Name}), {format}");
        }

        await db.SaveChangesAsync(ct);
        return new ExportTable("Firms", columns, rows, About(scope, zone,
            [("What", $"The firms enrolled in the cohort that share their results with {scope.Programme.OrganisationName}, with their latest assessment."),
             ("Scores", "0 to 100, whole numbers as the portal shows them. The change is the latest overall score less the baseline's, for firms that reassessed."),
             ("Status", $"{StatusNoAssessment}; {StatusBaseline} (the first assessment in the cohort); {StatusFollowUp} (reassessed since).")]));
    }

    /// <summary>The per-factor summary, as the dashboard shows it; suppressed rows say so.</summary>
    public async Task<ExportTable> FactorsAsync(CohortScope scope, string userId, CancellationToken ct = default)
    {
        var summaries = await dashboards.GetFactorSummariesAsync(scope, ct);
        string? zoneId;
        await using (var db = await dbFactory.CreateDbContextAsync(ct))
        {
            zoneId = await db.Users.Where(u => u.Id == userId).Select(u => u.TimeZoneId).SingleAsync(ct);
        }

        var min = options.Value.MinGroupSize;
        ExportColumn[] columns =
        [
            new("Factor", ExportKind.Text, 30),
            new("Firms scored", ExportKind.Count, 10),
            new("Mean", ExportKind.Figure, 9),
            new("Lowest", ExportKind.Figure, 9),
            new("Lower quartile", ExportKind.Figure, 10),
            new("Median", ExportKind.Figure, 9),
            new("Upper quartile", ExportKind.Figure, 10),
            new("Highest", ExportKind.Figure, 9),
            new("Firms reassessed", ExportKind.Count, 11),
            new("Average change since baseline", ExportKind.Figure, 14),
            new("Note", ExportKind.Text, 60),
        ];
        var rows = summaries.Select(s =>
        {
            var notes = new List<string>();
            if (s.Suppressed)
            {
                notes.Add($"Scores not shown: fewer than {min} firms scored, so one firm could be recognised.");
            }

            if (s.ChangeSuppressed)
            {
                notes.Add($"Change not shown: fewer than {min} firms reassessed, so one firm could be recognised.");
            }

            return new object?[]
            {
                s.Name, s.Firms, Figure(s.Mean), Figure(s.Lowest), Figure(s.LowerQuartile), Figure(s.Median), Figure(s.UpperQuartile), Figure(s.Highest),
                s.FirmsCompared, Figure(s.AverageChange), notes.Count == 0 ? null : string.Join(" ", notes),
            };
        }).ToList();
        return new ExportTable("Factors", columns, rows, About(scope, TimeZones.Resolve(zoneId),
            [("What", $"Per factor, the latest scores of the firms enrolled in the cohort that share with {scope.Programme.OrganisationName}, and the average change since their baseline over the firms that reassessed."),
             ("Figures", "Scores 0 to 100; means, quartiles and changes rounded to one decimal. Quartiles as QUARTILE.INC."),
             ("Anonymity", $"Figures over fewer than {min} firms are left out, so no firm can be recognised.")]));
    }

    private List<(string Label, string Value)> About(CohortScope scope, TimeZoneInfo zone, IEnumerable<(string, string)> more) =>
        new List<(string Label, string Value)>
        {
            ("Programme", scope.Programme.Name),
            ("Organisation", scope.Programme.OrganisationName),
            ("Cohort", scope.CohortName),
            ("Runs", $"{scope.StartsOn.ToString("d MMMM yyyy", CultureInfo.InvariantCulture)} to {scope.EndsOn.ToString("d MMMM yyyy", CultureInfo.InvariantCulture)}"),
            ("Exported", TimeZones.DateAndTime(clock.GetUtcNow().UtcDateTime, zone) + $" ({TimeZones.Name(zone)})"),
        }.Concat(more).ToList();

    private static DateOnly? Day(DateTime? utc, TimeZoneInfo zone) =>
        utc is { } at ? DateOnly.FromDateTime(TimeZones.ToLocal(at, zone)) : null;

    private static double? Whole(double? score) => score is { } s ? CohortFigures.Whole(s) : null;

    private static double? Figure(double? value) => value is { } v ? CohortFigures.OneDecimal(v) : null;
}
