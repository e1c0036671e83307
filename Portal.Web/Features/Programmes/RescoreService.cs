using Microsoft.EntityFrameworkCore;
using Portal.Domain.Content;
using Portal.Domain.Scoring;
using Portal.Web.Data;
using Portal.Web.Data.Entities;
using Portal.Web.Features.Advisors;
using Portal.Web.Features.Audit;
using Portal.Web.Features.FollowUps;

namespace Portal.Web.Features.Programmes;

/// <summary>A result as the rescore page shows it: the content it was scored with, band, stage and score.</summary>
public sealed record ResultSummary(string? ContentVersion, string? BandId, string BandName, string? StageId, string StageName, double? Score);

/// <summary>A firm's latest assessment: the result it has, and the one the current content gives its stored answers.</summary>
public sealed record RescoreLine(Guid FirmId, string FirmName, int Number, ResultSummary Now, ResultSummary Rescored)
{
    public bool BandChanges => Now.BandId != Rescored.BandId;

    public bool StageChanges => Now.StageId != Rescored.StageId;
}

/// <summary>An assessment whose stored answers the current questionnaire no longer accepts, and why.</summary>
public sealed record UnusableAnswers(Guid FirmId, string FirmName, int Number, string? ContentVersion, string Reason);

/// <summary>An assessment re-scored earlier: the result it had before, and the one it has now.</summary>
public sealed record RescoredBefore(string FirmName, int Number, DateTime ReplacedAt, string ReplacedBy, ResultSummary Earlier, ResultSummary Current);

/// <param name="Firms">The cohort's firms staff may see.</param>
/// <param name="NotAssessed">Of those, the firms with no submitted assessment.</param>
/// <param name="AlreadyCurrent">Latest assessments already scored with the current content.</param>
public sealed record RescorePreview(
    ProgrammeContext Programme,
    Guid CohortId,
    string CohortName,
    string ContentVersion,
    int Firms,
    int NotAssessed,
    int AlreadyCurrent,
    IReadOnlyList<RescoreLine> Changes,
    IReadOnlyList<RescoreLine> Unchanged,
    IReadOnlyList<UnusableAnswers> Unusable,
    IReadOnlyList<RescoredBefore> History,
    TimeZoneInfo Zone)
{
    /// <summary>What Apply would re-score: every assessment whose answers the current content can score.</summary>
    public int ToApply => Changes.Count + Unchanged.Count;
}

/// <summary>The audit log's words for re-scoring.</summary>
public static class RescoreAudit
{
    public static string Firm(string contentVersion) => $"re-scored with content {contentVersion}";

    public static string Cohort(string contentVersion) => $"re-scored cohort with content {contentVersion}";
}

/// <summary>
/// Re-scores a cohort's stored answers with the content the portal runs now. The preview
/// saves nothing; applying is an explicit, audited action that keeps each replaced result in
/// <see cref="AssessmentResultVersion"/>, so the result a firm was first given stays readable.
/// Only each visible firm's latest assessment is touched: earlier ones are history.
/// </summary>
public sealed class RescoreService(IDbContextFactory<PortalDbContext> dbFactory, ProgrammeAccess access, ContentCatalog catalog, AuditLog audit, TimeProvider clock)
{
    /// <summary>At most this many earlier re-scorings are listed; the audit log has them all.</summary>
    public const int HistoryLimit = 200;

    private PortalContent Content => catalog.Current;

    /// <summary>The preview, or null when the user is not on the programme's staff or the cohort is not the programme's (a 404).</summary>
    public async Task<RescorePreview?> PreviewAsync(string userId, Guid programmeId, Guid cohortId, CancellationToken ct = default)
    {
        var programme = await access.ForStaffAsync(userId, programmeId, ct);
        if (programme is null)
        {
            return null;
        }

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var cohortName = await CohortNameAsync(db, programmeId, cohortId, ct);
        if (cohortName is null)
        {
            return null;
        }

        var content = Content;
        var version = content.Version;
        var visible = ProgrammeAccess.VisibleEnrolments(db, cohortId);
        var firms = await visible.Select(e => e.FirmId).Distinct().CountAsync(ct);
        var assessed = await Latest(db, cohortId).CountAsync(ct);
        var alreadyCurrent = await Latest(db, cohortId).CountAsync(a => a.ContentVersion == version, ct);

        // Scoring is code, not SQL: the answers of the assessments to re-score are read, nothing else.
        var stored = await StoredAsync(db, cohortId, version, withResult: false, ct);
        var changes = new List<RescoreLine>();
        var unchanged = new List<RescoreLine>();
        var unusable = new List<UnusableAnswers>();
        foreach (var a in stored)
        {
            var (report, problem) = Rescore(content, a.AnswersJson, a.SubmittedAt);
            if (report is null)
            {
                unusable.Add(new UnusableAnswers(a.FirmId, a.FirmName, a.Number, a.ContentVersion, problem!));
                continue;
            }

            var line = new RescoreLine(a.FirmId, a.FirmName, a.Number,
                Summary(content, a.ContentVersion, a.BandId, a.StageId, a.OverallScore),
                Summary(content, version, report.Overall.Band?.Id, report.Stage.Id, report.Overall.Score));
            (line.BandChanges || line.StageChanges ? changes : unchanged).Add(line);
        }

        var history = await db.AssessmentResultVersions.AsNoTracking()
            .Where(v => db.Assessments.Any(a => a.Id == v.AssessmentId && visible.Any(e => e.FirmId == a.FirmId)))
            .OrderByDescending(v => v.ReplacedAt).ThenBy(v => v.Id)
            .Take(HistoryLimit)
            .Select(v => new
            {
                v.ReplacedAt,
                v.ContentVersion,
                v.BandId,
                v.StageId,
                v.OverallScore,
                ReplacedBy = db.Users.Where(u => u.Id == v.ReplacedById).Select(u => u.Email).FirstOrDefault(),
                Assessment = db.Assessments.Where(a => a.Id == v.AssessmentId)
                    .Select(a => new { a.Number, FirmName = a.Firm.Name, a.ContentVersion, a.BandId, a.StageId, a.OverallScore }).First(),
            })
            .ToListAsync(ct);
        var zone = TimeZones.Resolve(await db.Users.Where(u => u.Id == userId).Select(u => u.TimeZoneId).FirstOrDefaultAsync(ct));
        return new RescorePreview(programme, cohortId, cohortName, version, firms, firms - assessed, alreadyCurrent, changes, unchanged, unusable,
            history.Select(h => new RescoredBefore(h.Assessment.FirmName, h.Assessment.Number, h.ReplacedAt, h.ReplacedBy ?? "a former member of staff",
                Summary(content, h.ContentVersion, h.BandId, h.StageId, h.OverallScore),
                Summary(content, h.Assessment.ContentVersion, h.Assessment.BandId, h.Assessment.StageId, h.Assessment.OverallScore))).ToList(),
            zone);
    }

    /// <summary>
    /// Re-scores, in one transaction, the latest assessment of every visible firm of the cohort
    /// that was scored with other content, keeping the result it replaces. Assessments whose
    /// answers no longer fit are left as they are. A second apply finds nothing left to do.
    /// </summary>
    /// <param name="previewedVersion">The content version the preview showed: if the portal has restarted with other content since, the staff member looks again first.</param>
    public async Task<FormOutcome> ApplyAsync(string userId, Guid programmeId, Guid cohortId, string? previewedVersion, bool confirmed, CancellationToken ct = default)
    {
        var programme = await access.ForStaffAsync(userId, programmeId, ct);
        if (programme is null)
        {
            return FormOutcome.NotFound;
        }

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var cohortName = await CohortNameAsync(db, programmeId, cohortId, ct);
        if (cohortName is null)
        {
            return FormOutcome.NotFound;
        }

        var content = Content;
        var version = content.Version;
        if (!confirmed)
        {
            return FormOutcome.Refused("confirm", "Tick the box to confirm that these results should be re-scored");
        }

        if (previewedVersion != version)
        {
            return FormOutcome.Refused("confirm", $"The portal now runs content {version}, not the version you previewed. Check the preview below again before you apply it");
        }

        var email = await db.Users.Where(u => u.Id == userId).Select(u => u.Email).FirstOrDefaultAsync(ct) ?? "";
        var now = clock.GetUtcNow().UtcDateTime;

        // Holding the write lock (SQLite's, or the cohort's on PostgreSQL), so two people applying
        // at once re-score each assessment once: the second reads what the first committed.
        await using var transaction = await db.BeginWriteTransactionAsync(WriteLocks.Cohort(cohortId), ct);
        var stored = await StoredAsync(db, cohortId, version, withResult: true, ct);
        int rescored = 0, changed = 0, skipped = 0;
        foreach (var a in stored)
        {
            var (report, _) = Rescore(content, a.AnswersJson, a.SubmittedAt);
            if (report is null)
            {
                skipped++;
                continue;
            }

            var oldVersion = a.ContentVersion;
            var resultJson = report.ToJson();
            var updated = await db.Assessments
                .Where(x => x.Id == a.Id && x.IsLatest && x.ContentVersion == oldVersion)
                .ExecuteUpdateAsync(s => s
                    .SetProperty(x => x.ContentVersion, version)
                    .SetProperty(x => x.ResultJson, resultJson)
                    .SetProperty(x => x.OverallScore, report.Overall.Score)
                    .SetProperty(x => x.BandId, report.Overall.Band == null ? null : report.Overall.Band.Id)
                    .SetProperty(x => x.StageId, report.Stage.Id)
                    .SetProperty(x => x.StageGroupId, report.Stage.Group)
                    .SetProperty(x => x.TriagePriority, report.TriagePriority), ct);
            if (updated == 0)
            {
                continue; // re-scored or superseded since it was read
            }

            await db.AssessmentFactorScores.Where(f => f.AssessmentId == a.Id).ExecuteDeleteAsync(ct);
            await db.AssessmentFlags.Where(f => f.AssessmentId == a.Id).ExecuteDeleteAsync(ct);
            await db.AssessmentPlanItems.Where(p => p.AssessmentId == a.Id).ExecuteDeleteAsync(ct);
            db.AssessmentFactorScores.AddRange(report.Factors.Select(f => new AssessmentFactorScore { AssessmentId = a.Id, FactorId = f.Id, Score = f.Score }));
            db.AssessmentFlags.AddRange(report.Flags.Select(f => new AssessmentFlag { AssessmentId = a.Id, FlagId = f.Id }));
            db.AssessmentPlanItems.AddRange(report.ActionPlan.Select(p => new AssessmentPlanItem { AssessmentId = a.Id, AdviceId = p.Advice, Rank = p.Rank }));
            db.AssessmentResultVersions.Add(new AssessmentResultVersion
            {
                AssessmentId = a.Id,
                ContentVersion = oldVersion,
                ResultJson = a.ResultJson ?? "",
                OverallScore = a.OverallScore,
                BandId = a.BandId,
                StageId = a.StageId,
                ReplacedAt = now,
                ReplacedById = userId,
            });

            var before = Summary(content, oldVersion, a.BandId, a.StageId, a.OverallScore);
            var after = Summary(content, version, report.Overall.Band?.Id, report.Stage.Id, report.Overall.Score);
            if (before.BandId != after.BandId || before.StageId != after.StageId)
            {
                changed++;
            }

            audit.Add(db, userId, email, a.FirmId, RescoreAudit.Firm(version),
                $"{programme.Name}, {cohortName}: assessment {a.Number}, band {before.BandName} -> {after.BandName}, stage {before.StageName} -> {after.StageName}, "
                + $"score {Score(before.Score)} -> {Score(after.Score)} (was scored with content {oldVersion ?? "unknown"})");
            rescored++;
        }

        if (rescored == 0)
        {
            await transaction.RollbackAsync(ct);
            return FormOutcome.Success(skipped == 0
                ? $"Nothing to re-score: every assessed firm's latest result is already scored with content {version}."
                : $"Nothing re-scored: the {Plural(skipped, "assessment")} left {(skipped == 1 ? "has" : "have")} answers the current questionnaire no longer accepts.");
        }

        var summary = $"{Plural(rescored, "assessment")} re-scored with content {version}; {changed} changed band or stage"
            + (skipped > 0 ? $"; {skipped} skipped because {(skipped == 1 ? "its" : "their")} answers no longer fit the questionnaire" : "");
        audit.Add(db, userId, email, null, RescoreAudit.Cohort(version), $"{programme.Name}, {cohortName}: {summary}");
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return FormOutcome.Success($"{char.ToUpperInvariant(summary[0])}{summary[1..]}. The earlier results are kept below.");
    }

    /// <summary>
    /// Scores stored answers as the owner's submission did: the answers JSON as stored, in the
    /// year it was submitted. Answers the questionnaire no longer accepts give the reason instead.
    /// </summary>
    internal static (AssessmentReport? Report, string? Problem) Rescore(PortalContent content, string? answersJson, DateTime? submittedAt)
    {
        if (string.IsNullOrWhiteSpace(answersJson))
        {
            return (null, "No answers were stored with this assessment.");
        }

        var parsed = AnswerSet.Parse(content.Questionnaire, answersJson, submittedAt?.Year);
        if (parsed.Answers is null)
        {
            const int shown = 3;
            var reasons = parsed.Problems.Take(shown).Select(p => p.ToString()).ToList();
            if (parsed.Problems.Count > shown)
            {
                reasons.Add($"and {parsed.Problems.Count - shown} more");
            }

            return (null, string.Join("; ", reasons));
        }

        return (AssessmentReport.From(Assessor.Assess(content, parsed.Answers)), null);
    }

    private static Task<string?> CohortNameAsync(PortalDbContext db, Guid programmeId, Guid cohortId, CancellationToken ct) =>
        db.Cohorts.Where(c => c.Id == cohortId && c.ProgrammeId == programmeId).Select(c => c.Name).FirstOrDefaultAsync(ct);

    /// <summary>The latest submitted assessment of each firm of the cohort that staff may see.</summary>
    private static IQueryable<Assessment> Latest(PortalDbContext db, Guid cohortId)
    {
        var visible = ProgrammeAccess.VisibleEnrolments(db, cohortId);
        return db.Assessments.Where(a => a.IsLatest && a.Status == AssessmentStatus.Submitted && visible.Any(e => e.FirmId == a.FirmId));
    }

    /// <param name="withResult">Whether to read the stored result too (only applying keeps it).</param>
    private static Task<List<StoredResult>> StoredAsync(PortalDbContext db, Guid cohortId, string version, bool withResult, CancellationToken ct) =>
        Latest(db, cohortId).AsNoTracking()
            .Where(a => a.ContentVersion != version)
            .OrderBy(a => a.Firm.Name).ThenBy(a => a.FirmId)
            .Select(a => new StoredResult(a.Id, a.FirmId, a.Firm.Name, a.Number, a.SubmittedAt, a.ContentVersion, a.AnswersJson, withResult ? a.ResultJson : null, a.OverallScore, a.BandId, a.StageId))
            .ToListAsync(ct);

    private static ResultSummary Summary(PortalContent content, string? contentVersion, string? bandId, string? stageId, double? score) =>
        new(contentVersion, bandId,
            bandId is null ? "Not assessed" : content.Model.Bands.FirstOrDefault(b => b.Id == bandId)?.Name ?? bandId,
            stageId,
            stageId is null ? "Not known" : content.Model.Stages.FirstOrDefault(s => s.Id == stageId)?.Name ?? stageId,
            score);

    internal static string Score(double? score) => score is { } s ? s.ToString("0.0", System.Globalization.CultureInfo.InvariantCulture) : "none";

    private static string Plural(int count, string noun) => $"{count} {noun}{(count == 1 ? "" : "s")}";

    private sealed record StoredResult(
        Guid Id, Guid FirmId, string FirmName, int Number, DateTime? SubmittedAt, string? ContentVersion,
        string? AnswersJson, string? ResultJson, double? OverallScore, string? BandId, string? StageId);
}
