using Microsoft.EntityFrameworkCore;
using Portal.Domain.Content;
using Portal.Web.Data;
using Portal.Web.Data.Entities;

namespace Portal.Web.Features.Programmes;

/// <summary>How many of a version's results a cohort holds.</summary>
public sealed record VersionCount(string? ContentVersion, int Assessments);

/// <summary>
/// One cohort of the staff member's programmes: its visible firms, how many have a submitted
/// assessment, and how many of those latest assessments were scored with other content.
/// </summary>
public sealed record CohortContentLine(
    Guid ProgrammeId, string ProgrammeName, Guid CohortId, string CohortName, int Firms, int Assessed, int Older, IReadOnlyList<VersionCount> OlderVersions);

public sealed record ContentVersionsView(string Version, int Questions, int Sections, int Rules, int Advice, IReadOnlyList<CohortContentLine> Cohorts);

/// <summary>The content the portal runs, and which cohorts hold results scored with older content.</summary>
public sealed class ContentVersionsService(IDbContextFactory<PortalDbContext> dbFactory, ContentCatalog catalog)
{
    public async Task<ContentVersionsView> GetAsync(string userId, CancellationToken ct = default)
    {
        var content = catalog.Current;
        var version = content.Version;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var cohorts = await ProgrammeAccess.CohortsOfStaff(db, userId).AsNoTracking()
            .OrderBy(c => c.Programme.Name).ThenBy(c => c.StartsOn).ThenBy(c => c.Name)
            .Select(c => new { c.Id, c.Name, c.ProgrammeId, ProgrammeName = c.Programme.Name })
            .ToListAsync(ct);

        // A query per cohort: which firms staff may see is decided in one place, per cohort.
        // Staff have a handful of cohorts; each count runs in the database.
        var lines = new List<CohortContentLine>();
        foreach (var cohort in cohorts)
        {
            var visible = ProgrammeAccess.VisibleEnrolments(db, cohort.Id);
            var firms = await visible.Select(e => e.FirmId).Distinct().CountAsync(ct);
            var versions = await db.Assessments
                .Where(a => a.IsLatest && a.Status == AssessmentStatus.Submitted && visible.Any(e => e.FirmId == a.FirmId))
                .GroupBy(a => a.ContentVersion)
                .Select(g => new VersionCount(g.Key, g.Count()))
                .ToListAsync(ct);
            var older = versions.Where(v => v.ContentVersion != version).OrderByDescending(v => v.ContentVersion, StringComparer.Ordinal).ToList();
            lines.Add(new CohortContentLine(cohort.ProgrammeId, cohort.ProgrammeName, cohort.Id, cohort.Name, firms,
                versions.Sum(v => v.Assessments), older.Sum(v => v.Assessments), older));
        }

        return new ContentVersionsView(version, content.Questionnaire.Questions.Count, content.Questionnaire.Sections.Count, content.Rules.Count, content.Advice.Count, lines);
    }
}
