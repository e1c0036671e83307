using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Portal.Domain.Content;
using Portal.Domain.Questionnaires;
using Portal.Domain.Scoring;
using Portal.Web.Data;
using Portal.Web.Data.Entities;
using Portal.Web.Features.Audit;
using Portal.Web.Features.FollowUps;

namespace Portal.Web.Features.Advisors;

/// <summary>Everything an advisor sees about one firm, on one page.</summary>
public sealed record FirmFileView(
    Guid FirmId,
    string FirmName,
    string OrganisationName,
    CaseView Case,
    DateTime SharedSince,
    LatestResult? Latest,
    IReadOnlyList<AssessmentHistoryEntry> History,
    IReadOnlyList<FirmEmail> Emails,
    bool MoreEmails,
    IReadOnlyList<AdvisorChoice> Advisors,
    string AdvisorId,
    TimeZoneInfo Zone,
    int MarginPoints);

public sealed record CaseView(
    CaseStatus Status,
    DateTime StatusChangedAt,
    string? AssignedAdvisorId,
    string? AssignedAdvisorEmail,
    DateTime OpenedAt,
    DateTime? LastContactAt,
    IReadOnlyList<NoteView> Notes,
    IReadOnlyList<StatusChangeView> StatusChanges);

public sealed record NoteView(DateTime At, string AuthorEmail, string Text, bool IsContact);

public sealed record StatusChangeView(DateTime At, CaseStatus From, CaseStatus To, string ByEmail);

public sealed record AdvisorChoice(string Id, string Email);

/// <summary>The latest submitted assessment: its stored result, the answers, and the validated view.</summary>
public sealed record LatestResult(
    int Number,
    DateTime SubmittedAt,
    string? ContentVersion,
    string CurrentContentVersion,
    AssessmentReport Report,
    IReadOnlyList<TriageReason> Triage,
    IReadOnlyList<ProfileLine> Profile,
    IReadOnlyList<AnswerSectionView> Sections,
    ScoreComparison Scores,
    int Validated,
    IReadOnlyList<AnswerProblem> SkippedValidations);

/// <summary>A rule that fired and gave triage points: why the firm is in the queue.</summary>
public sealed record TriageReason(string Rule, string Explain, int Points, IReadOnlyList<EvidenceReport> Evidence);

public sealed record ProfileLine(string Question, string Answer);

public sealed record AnswerSectionView(Section Section, IReadOnlyList<AnswerLine> Answers)
{
    public int DontKnow => Answers.Count(a => a.IsDontKnow);

    public int Validated => Answers.Count(a => a.Validation is not null);
}

public sealed record AnswerLine(Question Question, string Answer, bool Answered, bool IsDontKnow, ValidationView? Validation);

/// <summary>A submitted assessment and its factor scores, for the history with the change per factor.</summary>
public sealed record AssessmentHistoryEntry(int Number, DateTime SubmittedAt, double? Overall, string? BandId, int? TriagePriority, IReadOnlyDictionary<string, double?> Factors);

/// <summary>An email to the firm: follow-up advice, or an advisor's message.</summary>
public sealed record FirmEmail(EmailKind Kind, string What, string? To, DateTime DueAt, FollowUpStatus Status, DateTime? SentAt, string? CancelReason, string? SenderEmail);

/// <summary>
/// Reads the firm file for an advisor: only while the firm shares with the advisor's
/// organisation (otherwise null: a 404). Each view is written to the audit log.
/// </summary>
public sealed class FirmFileService(
    IDbContextFactory<PortalDbContext> dbFactory, ContentCatalog catalog, AuditLog audit, TimeProvider clock, IOptions<AdvisorOptions> options)
{
    /// <summary>Enough for a firm's whole story; older ones are counted, not listed.</summary>
    public const int MaxEmails = 100;

    public const int MaxHistory = 10;

    private PortalContent Content => catalog.Current;

    /// <param name="recordView">Write "viewed the firm file" to the audit log (a page view; not the page shown again after a change).</param>
    public async Task<FirmFileView?> GetAsync(AdvisorContext advisor, Guid firmId, bool recordView, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var now = clock.GetUtcNow().UtcDateTime;
        var file = await AdvisorAccess.CaseAsync(db, advisor, firmId, now, ct);
        if (file is null)
        {
            return null;
        }

        if (recordView)
        {
            audit.Add(db, advisor.UserId, advisor.Email, firmId, FirmFileAudit.Viewed);
        }

        await db.SaveChangesAsync(ct); // the view's record, and a case opened on first sight

        var firmName = await db.Firms.Where(f => f.Id == firmId).Select(f => f.Name).SingleAsync(ct);
        var sharedSince = await db.FirmShares.Where(s => s.FirmId == firmId && s.OrganisationId == advisor.OrganisationId && s.RevokedAt == null)
            .Select(s => s.GrantedAt).FirstAsync(ct);
        var zone = TimeZones.Resolve(await db.Users.Where(u => u.Id == advisor.UserId).Select(u => u.TimeZoneId).FirstOrDefaultAsync(ct));

        var notes = await db.CaseNotes.AsNoTracking().Where(n => n.CaseFileId == file.Id)
            .OrderByDescending(n => n.At)
            .Select(n => new NoteView(n.At, n.Author.Email ?? "", n.Text, n.IsContact))
            .ToListAsync(ct);
        var changes = await db.CaseStatusChanges.AsNoTracking().Where(c => c.CaseFileId == file.Id)
            .OrderByDescending(c => c.At)
            .Select(c => new StatusChangeView(c.At, c.From, c.To, db.Users.Where(u => u.Id == c.ByUserId).Select(u => u.Email).FirstOrDefault() ?? "a former advisor"))
            .ToListAsync(ct);
        var assignedEmail = file.AssignedAdvisorId is null ? null
            : await db.Users.Where(u => u.Id == file.AssignedAdvisorId).Select(u => u.Email).FirstOrDefaultAsync(ct);
        var caseView = new CaseView(file.Status, file.StatusChangedAt, file.AssignedAdvisorId, assignedEmail, file.OpenedAt, file.LastContactAt, notes, changes);

        var advisors = await CaseworkService.OrganisationAdvisors(db, advisor.OrganisationId)
            .OrderBy(u => u.Email)
            .Select(u => new AdvisorChoice(u.Id, u.Email ?? ""))
            .ToListAsync(ct);

        var latest = await ValidationService.LoadLatestAsync(db, Content, firmId, advisor.OrganisationId, ct);
        var (emails, more) = await EmailsAsync(db, firmId, advisor.OrganisationId, ct);
        return new FirmFileView(firmId, firmName, advisor.OrganisationName, caseView, sharedSince,
            latest is null ? null : await LatestAsync(db, latest, ct), await HistoryAsync(db, firmId, ct), emails, more, advisors, advisor.UserId, zone,
            options.Value.ValidationMarginPoints);
    }

    private async Task<LatestResult> LatestAsync(PortalDbContext db, LatestAnswers latest, CancellationToken ct)
    {
        var report = AssessmentReport.FromJson(latest.ResultJson);
        var rules = Content.Rules.ToDictionary(r => r.Id, StringComparer.Ordinal);
        // Points come from today's rules: a stored trace names the rules, not their points.
        var triage = report.Trace
            .Where(t => t.Fired && rules.TryGetValue(t.Rule, out var rule) && rule.Then.Triage != 0)
            .Select(t => new TriageReason(t.Rule, t.Explain, rules[t.Rule].Then.Triage, t.Evidence))
            .OrderByDescending(t => t.Points).ThenBy(t => t.Rule, StringComparer.Ordinal)
            .ToList();

        var scores = ValidatedScoring.Compare(Content, latest.Owner, latest.Corrections, options.Value.ValidationMarginPoints);
        var emails = await ValidationService.EmailsAsync(db, latest.Validations.Select(v => v.ByUserId).Distinct().ToList(), ct);
        var validations = latest.Validations.ToDictionary(v => v.QuestionId, v => ValidationService.View(Content, latest, v, emails), StringComparer.Ordinal);

        var profile = Content.Questionnaire.Profile.Questions
            .Where(q => latest.Owner[q].HasValue)
            .Select(q => new ProfileLine(q.Text, latest.Owner.Describe(q)))
            .ToList();

        // An answer is listed when it applies to the firm as it answered, or as the advisor corrected it.
        var sections = Content.Questionnaire.Sections
            .Select(s => new AnswerSectionView(s, s.Questions
                .Where(q => scores.SelfAssessed.IsVisible(q) || scores.Validated.IsVisible(q) || validations.ContainsKey(q.Id))
                .Select(q => new AnswerLine(q, ValidationService.Describe(Content, latest.Owner, q), latest.Owner[q].HasValue, latest.Owner[q].IsDontKnow,
                    validations.GetValueOrDefault(q.Id)))
                .ToList()))
            .Where(s => s.Answers.Count > 0)
            .ToList();

        return new LatestResult(latest.Number, latest.SubmittedAt, latest.ContentVersion, Content.Version, report, triage, profile, sections, scores,
            validations.Count, scores.Skipped);
    }

    private static async Task<IReadOnlyList<AssessmentHistoryEntry>> HistoryAsync(PortalDbContext db, Guid firmId, CancellationToken ct)
    {
        var assessments = await db.Assessments.AsNoTracking()
            .Where(a => a.FirmId == firmId && a.Status == AssessmentStatus.Submitted)
            .OrderByDescending(a => a.Number)
            .Take(MaxHistory)
            .Select(a => new { a.Id, a.Number, a.SubmittedAt, a.OverallScore, a.BandId, a.TriagePriority })
            .ToListAsync(ct);
        var ids = assessments.Select(a => a.Id).ToList();
        var scores = await db.AssessmentFactorScores.AsNoTracking().Where(s => ids.Contains(s.AssessmentId)).ToListAsync(ct);
        return assessments
            .Select(a => new AssessmentHistoryEntry(a.Number, a.SubmittedAt!.Value, a.OverallScore, a.BandId, a.TriagePriority,
                scores.Where(s => s.AssessmentId == a.Id).ToDictionary(s => s.FactorId, s => s.Score, StringComparer.Ordinal)))
            .ToList();
    }

    /// <summary>
    /// The firm's advice emails, and the messages advisors of this organisation wrote to it
    /// (another organisation's messages are between that organisation and the firm). Newest first.
    /// </summary>
    private async Task<(IReadOnlyList<FirmEmail> Emails, bool More)> EmailsAsync(PortalDbContext db, Guid firmId, Guid organisationId, CancellationToken ct)
    {
        var rows = await db.FollowUps.AsNoTracking()
            .Where(f => f.FirmId == firmId && (f.Kind == EmailKind.Advice
                || (f.Kind == EmailKind.AdvisorMessage && db.OrganisationMembers.Any(m => m.UserId == f.SenderId && m.OrganisationId == organisationId))))
            .OrderByDescending(f => f.DueAt).ThenBy(f => f.Id)
            .Take(MaxEmails + 1)
            .Select(f => new
            {
                f.Kind,
                f.AdviceId,
                f.Subject,
                To = f.RecipientEmail ?? db.Users.Where(u => u.Id == f.UserId).Select(u => u.Email).FirstOrDefault(),
                f.DueAt,
                f.Status,
                f.SentAt,
                f.CancelReason,
                Sender = db.Users.Where(u => u.Id == f.SenderId).Select(u => u.Email).FirstOrDefault(),
            })
            .ToListAsync(ct);
        var emails = rows.Take(MaxEmails).Select(r => new FirmEmail(r.Kind,
                r.Kind == EmailKind.AdvisorMessage ? r.Subject ?? "" : r.AdviceId is { } id && Content.Advice.TryGetValue(id, out var advice) ? advice.Title : r.AdviceId ?? "",
                r.To, r.DueAt, r.Status, r.SentAt, r.CancelReason, r.Sender))
            .ToList();
        return (emails, rows.Count > MaxEmails);
    }
}
