using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Microsoft.EntityFrameworkCore;
using Portal.Domain.Content;
using Portal.Web.Data;
using Portal.Web.Data.Entities;
using Portal.Web.Features.Audit;
using Portal.Web.Features.FollowUps;

namespace Portal.Web.Features.DataRights;

/// <summary>The download: its file name and its UTF-8 JSON.</summary>
public sealed record FirmDataFile(string FileName, byte[] Json);

/// <summary>
/// Everything the portal holds about an owner's firm and account, as one JSON document the
/// owner can keep or take elsewhere. Only rows of the owner's own firm and account are read;
/// every query starts from the firm id the owner is a member of.
/// </summary>
public sealed class FirmDataExport(IDbContextFactory<PortalDbContext> dbFactory, ContentCatalog catalog, AuditLog audit, TimeProvider clock)
{
    /// <summary>The shape of the file; raised when a field changes meaning or goes.</summary>
    public const int FormatVersion = 1;

    public const string ExportedAction = "downloaded the firm's data";

    /// <summary>
    /// Indented, camelCase, enums by name. The file is a download, never HTML, so characters
    /// such as é, ü and quotes stay readable instead of being escaped to \u sequences.
    /// </summary>
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Converters = { new JsonStringEnumConverter() },
    };

    private PortalContent Content => catalog.Current;

    /// <summary>The owner's file, or null when the account no longer exists. The download goes into the audit log.</summary>
    public async Task<FirmDataFile?> ExportAsync(string userId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var user = await db.Users.AsNoTracking().Where(u => u.Id == userId)
            .Select(u => new { u.Email, u.EmailConfirmed, u.TimeZoneId, u.TwoFactorEnabled })
            .FirstOrDefaultAsync(ct);
        if (user is null)
        {
            return null;
        }

        var now = clock.GetUtcNow().UtcDateTime;
        var firm = await db.FirmMembers.AsNoTracking().Where(m => m.UserId == userId)
            .Select(m => new { m.Firm.Id, m.Firm.Name, m.Firm.CreatedAt })
            .FirstOrDefaultAsync(ct);
        var email = user.Email ?? "";
        var optOuts = await db.EmailOptOuts.AsNoTracking().Where(o => o.UserId == userId).OrderBy(o => o.Topic)
            .Select(o => new OptOutData(o.Topic, o.At)).ToListAsync(ct);
        var account = new AccountData(email, user.EmailConfirmed, user.TwoFactorEnabled,
            new EmailPreferencesData(user.TimeZoneId, optOuts));

        var document = firm is null
            ? new FirmDataDocument(About(now, null), account, null, [], [], [], [], [], await EmailsAsync(db, null, userId, email, ct), [], [])
            : new FirmDataDocument(
                About(now, firm.Name),
                account,
                new FirmData(firm.Id, firm.Name, firm.CreatedAt, await ProfileAsync(db, firm.Id, ct)),
                await OwnersAsync(db, firm.Id, userId, ct),
                await AssessmentsAsync(db, firm.Id, ct),
                await SharingAsync(db, firm.Id, ct),
                await CaseworkAsync(db, firm.Id, ct),
                await AdvisorMessagesAsync(db, firm.Id, ct),
                await EmailsAsync(db, firm.Id, userId, email, ct),
                await ProgrammesAsync(db, firm.Id, ct),
                await ActivityAsync(db, firm.Id, ct));

        // The owner's own action: recorded without the firm, as owners' own actions never appear on their firm's activity page.
        audit.Add(db, userId, email, null, ExportedAction, firm is null ? "an account with no firm" : FirmLabel(firm.Name));
        await db.SaveChangesAsync(ct);

        var zone = TimeZones.Resolve(user.TimeZoneId);
        var day = TimeZoneInfo.ConvertTimeFromUtc(now, zone).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        return new FirmDataFile($"{FileStem(firm?.Name)}-portal-data-{day}.json", JsonSerializer.SerializeToUtf8Bytes(document, Json));
    }

    internal static string FirmLabel(string name) => name.Length > 0 ? name : "a firm with no name yet";

    /// <summary>The firm's name as a file name: letters and digits (any script) joined by hyphens; "firm" when nothing is left.</summary>
    internal static string FileStem(string? name)
    {
        var stem = new StringBuilder();
        foreach (var c in (name ?? "").Normalize(NormalizationForm.FormC))
        {
            if (char.IsLetterOrDigit(c))
            {
                stem.Append(char.ToLowerInvariant(c));
            }
            else if (stem.Length > 0 && stem[^1] != '-')
            {
                stem.Append('-');
            }
        }

        var text = stem.ToString().Trim('-');
        if (text.Length > 60)
        {
            text = text[..60].TrimEnd('-');
        }

        return text.Length == 0 ? "firm" : text;
    }

    private AboutData About(DateTime now, string? firmName) => new(
        $"Everything the {Portal.Domain.Emails.EmailModels.PortalName} holds about {(firmName is null ? "your account" : FirmLabel(firmName))} and your account, as it was when you downloaded it.",
        now,
        FormatVersion,
        Content.Version,
        [
            "account: your email address, whether it is confirmed, two-factor sign-in, your time zone and the emails you turned off",
            "firm: the firm's name, when it was created, and its profile answers",
            "owners: everyone who acts for the firm, with the date they joined",
            "assessments: every assessment (drafts and submitted) with its answers and, once submitted, its results: overall score, band, stage, scores per factor, flags, the ranked action plan, the full scored report, and any earlier results replaced when programme staff re-scored it with newer content",
            "sharing: the organisations the firm shares (or shared) its results with, and when",
            "casework: what each of those organisations records about working with the firm: status and its history, when it last contacted you, and how many internal notes and answer checks it holds",
            "advisorMessages: the messages advisors sent or scheduled to the firm's owners, in full",
            "emails: every email sent or planned to the firm's owners about the firm, and to you about your account, with its subject, dates and status",
            "programmes: the programme cohorts the firm was invited to or joined, with the dates",
            "activity: who other than the firm's owners looked at or changed the firm's data, as on the page Who has looked at your firm",
        ],
        [
            "Advisors' internal notes and their checks of your answers: the file says how many there are and when, not what they say. They are the organisation's working record and may name other people; ask the organisation for them.",
            "Other people's accounts: only the email address of each person who acts for the firm, and the email address and organisation of those who looked at it.",
            "Passwords and security keys: the portal keeps only what it needs to check them, which is no use outside it.",
        ],
        "Times are in UTC (ISO 8601). Ids such as band, stage, factor and question ids are those of the portal's content; their names are given beside them as the content names them today.");

    private async Task<List<AnswerData>> ProfileAsync(PortalDbContext db, Guid firmId, CancellationToken ct) =>
        (await db.FirmProfileAnswers.AsNoTracking().Where(a => a.FirmId == firmId).OrderBy(a => a.QuestionId)
            .Select(a => new { a.QuestionId, a.ValueJson, a.UpdatedAt }).ToListAsync(ct))
        .Select(a => new AnswerData(a.QuestionId, Content.Questionnaire.Find(a.QuestionId)?.Text, Parse(a.ValueJson), a.UpdatedAt))
        .ToList();

    private static async Task<List<OwnerData>> OwnersAsync(PortalDbContext db, Guid firmId, string userId, CancellationToken ct) =>
        await db.FirmMembers.AsNoTracking().Where(m => m.FirmId == firmId).OrderBy(m => m.JoinedAt)
            .Select(m => new OwnerData(m.User.Email ?? "", m.Role, m.JoinedAt, m.UserId == userId))
            .ToListAsync(ct);

    private async Task<List<AssessmentData>> AssessmentsAsync(PortalDbContext db, Guid firmId, CancellationToken ct)
    {
        var assessments = await db.Assessments.AsNoTracking().Where(a => a.FirmId == firmId).OrderBy(a => a.Number).ToListAsync(ct);
        var ids = assessments.Select(a => a.Id).ToList();
        var answers = (await db.AssessmentAnswers.AsNoTracking().Where(a => ids.Contains(a.AssessmentId)).OrderBy(a => a.QuestionId).ToListAsync(ct))
            .ToLookup(a => a.AssessmentId);
        var scores = (await db.AssessmentFactorScores.AsNoTracking().Where(s => ids.Contains(s.AssessmentId)).ToListAsync(ct)).ToLookup(s => s.AssessmentId);
        var flags = (await db.AssessmentFlags.AsNoTracking().Where(f => ids.Contains(f.AssessmentId)).OrderBy(f => f.FlagId).ToListAsync(ct)).ToLookup(f => f.AssessmentId);
        var plan = (await db.AssessmentPlanItems.AsNoTracking().Where(p => ids.Contains(p.AssessmentId)).OrderBy(p => p.Rank).ToListAsync(ct)).ToLookup(p => p.AssessmentId);
        var earlier = (await db.AssessmentResultVersions.AsNoTracking().Where(v => ids.Contains(v.AssessmentId)).OrderBy(v => v.ReplacedAt).ToListAsync(ct))
            .ToLookup(v => v.AssessmentId);
        var model = Content.Model;
        return assessments.Select(a => new AssessmentData(
            a.Id,
            a.Number,
            a.Status,
            a.StartedAt,
            a.UpdatedAt,
            a.SubmittedAt,
            a.ContentVersion,
            answers[a.Id].Select(x => new AnswerData(x.QuestionId, Content.Questionnaire.Find(x.QuestionId)?.Text, Parse(x.ValueJson), x.UpdatedAt)).ToList(),
            Parse(a.AnswersJson),
            a.Status != AssessmentStatus.Submitted ? null : new ResultData(
                a.OverallScore,
                a.BandId,
                model.Bands.FirstOrDefault(b => b.Id == a.BandId)?.Name,
                a.StageId,
                model.Stages.FirstOrDefault(s => s.Id == a.StageId)?.Name,
                a.StageGroupId,
                model.StageGroups.FirstOrDefault(g => g.Id == a.StageGroupId)?.Name,
                a.TriagePriority,
                a.IsLatest,
                scores[a.Id].OrderBy(s => model.FindFactor(s.FactorId)?.Index ?? int.MaxValue).ThenBy(s => s.FactorId)
                    .Select(s => new FactorScoreData(s.FactorId, model.FindFactor(s.FactorId)?.Name, s.Score)).ToList(),
                flags[a.Id].Select(f => new NamedData(f.FlagId, Content.FindFlag(f.FlagId)?.Name)).ToList(),
                plan[a.Id].Select(p => new PlanItemData(p.Rank, p.AdviceId, Content.Advice.GetValueOrDefault(p.AdviceId)?.Title)).ToList(),
                Parse(a.ResultJson)),
            earlier[a.Id].Select(v => new EarlierResultData(v.ContentVersion, v.OverallScore, v.BandId, v.StageId, v.ReplacedAt, Parse(v.ResultJson))).ToList()))
            .ToList();
    }

    private static async Task<List<ShareData>> SharingAsync(PortalDbContext db, Guid firmId, CancellationToken ct) =>
        await db.FirmShares.AsNoTracking().Where(s => s.FirmId == firmId).OrderBy(s => s.GrantedAt)
            .Select(s => new ShareData(s.Organisation.Name, s.GrantedAt, s.RevokedAt))
            .ToListAsync(ct);

    private static async Task<List<CaseData>> CaseworkAsync(PortalDbContext db, Guid firmId, CancellationToken ct)
    {
        var files = await db.CaseFiles.AsNoTracking().Where(c => c.FirmId == firmId).OrderBy(c => c.OpenedAt)
            .Select(c => new
            {
                c.Id,
                c.OrganisationId,
                Organisation = c.Organisation.Name,
                c.Status,
                c.StatusChangedAt,
                c.OpenedAt,
                c.LastContactAt,
                Assigned = c.AssignedAdvisorId != null,
                History = c.StatusChanges.OrderBy(s => s.At).Select(s => new StatusChangeData(s.From, s.To, s.At)).ToList(),
                Notes = c.Notes.Count,
                FirstNote = c.Notes.Min(n => (DateTime?)n.At),
                LastNote = c.Notes.Max(n => (DateTime?)n.At),
            })
            .ToListAsync(ct);
        var checks = await db.AnswerValidations.AsNoTracking()
            .Where(v => db.Assessments.Any(a => a.Id == v.AssessmentId && a.FirmId == firmId))
            .GroupBy(v => v.OrganisationId).Select(g => new { g.Key, Count = g.Count() })
            .ToDictionaryAsync(g => g.Key, g => g.Count, ct);
        return files.Select(c => new CaseData(c.Organisation, c.Status, c.StatusChangedAt, c.OpenedAt, c.LastContactAt, c.Assigned, c.History,
            new InternalNotesData(c.Notes, c.FirstNote, c.LastNote), checks.GetValueOrDefault(c.OrganisationId))).ToList();
    }

    private static async Task<List<AdvisorMessageData>> AdvisorMessagesAsync(PortalDbContext db, Guid firmId, CancellationToken ct) =>
        await db.FollowUps.AsNoTracking().Where(f => f.FirmId == firmId && f.Kind == EmailKind.AdvisorMessage)
            .OrderBy(f => f.DueAt).ThenBy(f => f.CreatedAt)
            .Select(f => new AdvisorMessageData(
                db.Users.Where(u => u.Id == f.UserId).Select(u => u.Email).FirstOrDefault(),
                db.Users.Where(u => u.Id == f.SenderId).Select(u => u.Email).FirstOrDefault(),
                db.OrganisationMembers.Where(m => m.UserId == f.SenderId).Select(m => m.Organisation.Name).FirstOrDefault(),
                f.Subject,
                f.Body,
                f.CreatedAt,
                f.DueAt,
                f.SentAt,
                f.Status))
            .ToListAsync(ct);

    /// <summary>
    /// The firm's emails (to any of its owners) and the account's own (confirmations, resets,
    /// invitations to its address). Links inside account emails carry tokens and are left out.
    /// </summary>
    private static async Task<List<EmailData>> EmailsAsync(PortalDbContext db, Guid? firmId, string userId, string email, CancellationToken ct)
    {
        var address = email.ToLower();
        return await db.FollowUps.AsNoTracking()
            .Where(f => (firmId != null && f.FirmId == firmId)
                || (f.FirmId == null && f.UserId == userId)
                || (f.FirmId == null && f.UserId == null && f.RecipientEmail != null && f.RecipientEmail.ToLower() == address))
            .OrderBy(f => f.DueAt).ThenBy(f => f.CreatedAt).ThenBy(f => f.Id)
            .Select(f => new EmailData(
                f.RecipientEmail ?? db.Users.Where(u => u.Id == f.UserId).Select(u => u.Email).FirstOrDefault(),
                f.Kind,
                f.Template,
                f.Topic,
                f.AdviceId,
                f.Subject,
                f.CreatedAt,
                f.DueAt,
                f.SentAt,
                f.Status,
                f.Attempts,
                f.CancelledAt,
                f.CancelReason))
            .ToListAsync(ct);
    }

    private static async Task<List<ProgrammeData>> ProgrammesAsync(PortalDbContext db, Guid firmId, CancellationToken ct) =>
        await db.Enrolments.AsNoTracking().Where(e => e.FirmId == firmId).OrderBy(e => e.EnrolledAt)
            .Select(e => new ProgrammeData(
                e.Cohort.Programme.Name,
                e.Cohort.Programme.Organisation.Name,
                e.Cohort.Name,
                e.InvitedEmail,
                e.InvitedAt,
                e.EnrolledAt,
                e.LeftAt,
                db.Assessments.Where(a => a.Id == e.BaselineAssessmentId).Select(a => (int?)a.Number).FirstOrDefault()))
            .ToListAsync(ct);

    /// <summary>What the firm's activity page lists (others' actions on the firm), all of it, oldest first.</summary>
    private static async Task<List<ActivityData>> ActivityAsync(PortalDbContext db, Guid firmId, CancellationToken ct) =>
        await db.AuditEntries.AsNoTracking().Where(e => e.FirmId == firmId).OrderBy(e => e.At).ThenBy(e => e.Id)
            .Select(e => new ActivityData(e.At, e.ActorEmail,
                db.OrganisationMembers.Where(m => m.UserId == e.ActorId).Select(m => m.Organisation.Name).FirstOrDefault(), e.Action))
            .ToListAsync(ct);

    /// <summary>Stored canonical JSON as JSON in the file (not as a string holding JSON).</summary>
    private static JsonNode? Parse(string? json) => string.IsNullOrEmpty(json) ? null : JsonNode.Parse(json);
}

public sealed record FirmDataDocument(
    AboutData About,
    AccountData Account,
    FirmData? Firm,
    IReadOnlyList<OwnerData> Owners,
    IReadOnlyList<AssessmentData> Assessments,
    IReadOnlyList<ShareData> Sharing,
    IReadOnlyList<CaseData> Casework,
    IReadOnlyList<AdvisorMessageData> AdvisorMessages,
    IReadOnlyList<EmailData> Emails,
    IReadOnlyList<ProgrammeData> Programmes,
    IReadOnlyList<ActivityData> Activity);

public sealed record AboutData(string Description, DateTime ExportedAt, int FormatVersion, string ContentVersion,
    IReadOnlyList<string> Contents, IReadOnlyList<string> NotIncluded, string Notes);

public sealed record AccountData(string Email, bool EmailConfirmed, bool TwoFactorEnabled, EmailPreferencesData EmailPreferences);

public sealed record EmailPreferencesData(string? TimeZone, IReadOnlyList<OptOutData> TurnedOff);

public sealed record OptOutData(string Topic, DateTime Since);

public sealed record FirmData(Guid Id, string Name, DateTime CreatedAt, IReadOnlyList<AnswerData> Profile);

public sealed record AnswerData(string QuestionId, string? Question, JsonNode? Value, DateTime UpdatedAt);

public sealed record OwnerData(string Email, string Role, DateTime JoinedAt, bool You);

public sealed record AssessmentData(
    Guid Id,
    int Number,
    AssessmentStatus Status,
    DateTime StartedAt,
    DateTime UpdatedAt,
    DateTime? SubmittedAt,
    string? ContentVersion,
    IReadOnlyList<AnswerData> Answers,
    JsonNode? SubmittedAnswers,
    ResultData? Result,
    IReadOnlyList<EarlierResultData> EarlierResults);

public sealed record ResultData(
    double? OverallScore,
    string? BandId,
    string? Band,
    string? StageId,
    string? Stage,
    string? StageGroupId,
    string? StageGroup,
    int? TriagePriority,
    bool Latest,
    IReadOnlyList<FactorScoreData> FactorScores,
    IReadOnlyList<NamedData> Flags,
    IReadOnlyList<PlanItemData> ActionPlan,
    JsonNode? Report);

public sealed record FactorScoreData(string FactorId, string? Factor, double? Score);

public sealed record NamedData(string Id, string? Name);

public sealed record PlanItemData(int Rank, string AdviceId, string? Title);

public sealed record EarlierResultData(string? ContentVersion, double? OverallScore, string? BandId, string? StageId, DateTime ReplacedAt, JsonNode? Report);

public sealed record ShareData(string Organisation, DateTime GrantedAt, DateTime? RevokedAt);

public sealed record CaseData(string Organisation, CaseStatus Status, DateTime StatusChangedAt, DateTime OpenedAt, DateTime? LastContactAt,
    bool AssignedToAnAdvisor, IReadOnlyList<StatusChangeData> StatusHistory, InternalNotesData InternalNotes, int AnswerChecks);

public sealed record StatusChangeData(CaseStatus From, CaseStatus To, DateTime At);

public sealed record InternalNotesData(int Count, DateTime? First, DateTime? Last);

public sealed record AdvisorMessageData(string? To, string? From, string? Organisation, string? Subject, string? Body,
    DateTime WrittenAt, DateTime DueAt, DateTime? SentAt, FollowUpStatus Status);

public sealed record EmailData(string? To, EmailKind Kind, string Template, string? Topic, string? AdviceId, string? Subject,
    DateTime CreatedAt, DateTime DueAt, DateTime? SentAt, FollowUpStatus Status, int Attempts, DateTime? CancelledAt, string? CancelReason);

public sealed record ProgrammeData(string Programme, string Organisation, string Cohort, string? InvitedEmail, DateTime? InvitedAt,
    DateTime? EnrolledAt, DateTime? LeftAt, int? BaselineAssessmentNumber);

public sealed record ActivityData(DateTime At, string Who, string? Organisation, string Action);
