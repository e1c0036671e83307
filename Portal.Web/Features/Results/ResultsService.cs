using Microsoft.EntityFrameworkCore;
using Portal.Domain.Scoring;
using Portal.Web.Data;
using Portal.Web.Data.Entities;
using Portal.Web.Features.Assessments;
using Portal.Web.Features.FollowUps;

namespace Portal.Web.Features.Results;

/// <summary>A submitted assessment's stored result, with the previous one for the change per factor.</summary>
public sealed record ResultsView(
    Guid AssessmentId,
    int Number,
    DateTime SubmittedAt,
    string FirmName,
    AssessmentReport Report,
    AssessmentReport? Previous,
    int? PreviousNumber,
    IReadOnlyList<PlannedEmail> Emails,
    TimeZoneInfo Zone,
    RescoreNote? Rescored = null);

/// <summary>The assessment was re-scored with newer content: when last, and the result it was first given.</summary>
public sealed record RescoreNote(DateTime RescoredAt, string? FirstBandId, double? FirstScore);

/// <summary>A follow-up email of this assessment's plan, as the outbox has it now.</summary>
public sealed record PlannedEmail(string AdviceId, DateTime DueAt, FollowUpStatus Status, DateTime? SentAt, string? CancelReason);

public sealed class ResultsService(IDbContextFactory<PortalDbContext> dbFactory)
{
    /// <summary>The result, if the assessment is submitted and the user is a member of its firm; otherwise null (a 404, never a 403, so ids reveal nothing).</summary>
    public async Task<ResultsView?> GetForOwnerAsync(string userId, Guid assessmentId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var assessment = await db.Assessments.AsNoTracking()
            .Where(a => a.Id == assessmentId && a.Status == AssessmentStatus.Submitted && a.Firm.Members.Any(m => m.UserId == userId))
            .Select(a => new { a.Id, a.FirmId, a.Number, a.SubmittedAt, a.ResultJson, FirmName = a.Firm.Name })
            .FirstOrDefaultAsync(ct);
        if (assessment is null)
        {
            return null;
        }

        return await BuildAsync(db, assessment.Id, assessment.FirmId, assessment.Number, assessment.SubmittedAt!.Value, assessment.ResultJson!, assessment.FirmName, userId, ct);
    }

    /// <summary>For the PDF renderer, which has already checked a signed, short-lived token for this id.</summary>
    internal async Task<ResultsView?> GetForPrintAsync(Guid assessmentId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var assessment = await db.Assessments.AsNoTracking()
            .Where(a => a.Id == assessmentId && a.Status == AssessmentStatus.Submitted)
            .Select(a => new { a.Id, a.FirmId, a.Number, a.SubmittedAt, a.ResultJson, FirmName = a.Firm.Name })
            .FirstOrDefaultAsync(ct);
        return assessment is null ? null
            : await BuildAsync(db, assessment.Id, assessment.FirmId, assessment.Number, assessment.SubmittedAt!.Value, assessment.ResultJson!, assessment.FirmName, null, ct);
    }

    /// <param name="userId">The owner looking, whose emails and time zone are shown; null for the printed report (the firm's first owner).</param>
    private static async Task<ResultsView> BuildAsync(PortalDbContext db, Guid id, Guid firmId, int number, DateTime submittedAt, string resultJson, string firmName, string? userId, CancellationToken ct)
    {
        userId ??= await db.FirmMembers.Where(m => m.FirmId == firmId).OrderBy(m => m.JoinedAt).Select(m => m.UserId).FirstOrDefaultAsync(ct);
        var zone = await db.Users.Where(u => u.Id == userId).Select(u => u.TimeZoneId).FirstOrDefaultAsync(ct);
        var emails = await db.FollowUps.AsNoTracking()
            .Where(f => f.AssessmentId == id && f.UserId == userId && f.AdviceId != null)
            .OrderBy(f => f.DueAt).ThenBy(f => f.AdviceId)
            .Select(f => new PlannedEmail(f.AdviceId!, f.DueAt, f.Status, f.SentAt, f.CancelReason))
            .ToListAsync(ct);
        var previous = await db.Assessments.AsNoTracking()
            .Where(a => a.FirmId == firmId && a.Status == AssessmentStatus.Submitted && a.Number < number)
            .OrderByDescending(a => a.Number)
            .Select(a => new { a.Number, a.ResultJson })
            .FirstOrDefaultAsync(ct);
        var replaced = await db.AssessmentResultVersions.AsNoTracking()
            .Where(v => v.AssessmentId == id)
            .OrderBy(v => v.ReplacedAt)
            .Select(v => new { v.ReplacedAt, v.BandId, v.OverallScore })
            .ToListAsync(ct);
        var rescored = replaced.Count == 0 ? null : new RescoreNote(replaced[^1].ReplacedAt, replaced[0].BandId, replaced[0].OverallScore);
        return new ResultsView(id, number, submittedAt, firmName, AssessmentReport.FromJson(resultJson),
            previous?.ResultJson is { } json ? AssessmentReport.FromJson(json) : null, previous?.Number, emails, TimeZones.Resolve(zone), rescored);
    }
}
