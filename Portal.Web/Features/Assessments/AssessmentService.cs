using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Portal.Domain.Content;
using Portal.Domain.Questionnaires;
using Portal.Domain.Scoring;
using Portal.Web.Data;
using Portal.Web.Data.Entities;
using Portal.Web.Features.FollowUps;

namespace Portal.Web.Features.Assessments;

public enum TaskState
{
    NotStarted,
    InProgress,
    Completed,
}

/// <summary>A section as a task: its state, and how many of the questions that apply are answered.</summary>
public sealed record SectionTask(Section Section, TaskState State, int Answered, int Applicable, int MissingRequired);

public sealed record AssessmentSummary(Guid Id, int Number, DateTime? SubmittedAt, double? Score, string? BandId, string? StageId);

public sealed record OwnerOverview(
    Guid FirmId,
    string FirmName,
    Guid? DraftId,
    int? DraftNumber,
    IReadOnlyList<SectionTask> Tasks,
    int PercentComplete,
    string? ContinueSectionId,
    IReadOnlyList<AssessmentSummary> Submitted)
{
    public bool AllComplete => Tasks.All(t => t.State == TaskState.Completed);
}

public sealed record SectionView(
    Section Section,
    string FirmName,
    IReadOnlyDictionary<string, JsonNode?> Values,
    IReadOnlySet<string> Visible,
    IReadOnlyList<string> Unusable,
    string? PreviousSectionId,
    string? NextSectionId);

public sealed record SaveResult(string? Error, IReadOnlySet<string> Visible);

/// <summary>Errors by question id (nothing saved), or Refused (nothing saved), or the progress after saving.</summary>
public sealed record BatchSaveResult(IReadOnlyDictionary<string, string> Errors, string? Refused, int PercentDone);

public sealed record AnsweredQuestion(Question Question, string Answer);

public sealed record CheckedSection(Section Section, IReadOnlyList<AnsweredQuestion> Answers);

/// <summary>Something submit needs first: a question (or the firm's name) in a section.</summary>
public sealed record MissingAnswer(Section Section, string? QuestionId, string Text);

public sealed record CheckAnswersView(string FirmName, IReadOnlyList<CheckedSection> Sections, IReadOnlyList<MissingAnswer> Missing);

public sealed record SubmitResult(Guid? AssessmentId, IReadOnlyList<MissingAnswer> Missing);

/// <summary>
/// The owner's side of an assessment. Every method takes the signed-in user's id and reaches
/// the firm only through its membership, so no URL or id can reach another firm's data.
/// </summary>
public sealed class AssessmentService(IDbContextFactory<PortalDbContext> dbFactory, ContentCatalog catalog, TimeProvider clock)
{
    public const string FirmNameField = "firm-name";
    public const int MaxFirmName = 200;

    private PortalContent Content => catalog.Current;

    private DateTime Now => clock.GetUtcNow().UtcDateTime;

    public async Task<OwnerOverview> GetOverviewAsync(string userId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var firm = await EnsureFirmAsync(db, userId, ct);
        var draft = await FindDraftAsync(db, firm.Id, ct);
        if (draft is null && !await db.Assessments.AnyAsync(a => a.FirmId == firm.Id, ct))
        {
            draft = await StartDraftAsync(db, firm.Id, ct); // the first assessment starts by itself
        }

        var submitted = await db.Assessments.AsNoTracking()
            .Where(a => a.FirmId == firm.Id && a.Status == AssessmentStatus.Submitted)
            .OrderByDescending(a => a.Number)
            .Select(a => new AssessmentSummary(a.Id, a.Number, a.SubmittedAt, a.OverallScore, a.BandId, a.StageId))
            .ToListAsync(ct);

        var (answers, _) = await AssembleAsync(db, firm.Id, draft?.Id, ct);
        var tasks = Tasks(answers, firm.Name, draft is not null);
        var percent = PercentDone(tasks);
        string? next = null;
        if (draft is not null)
        {
            var last = tasks.FirstOrDefault(t => t.Section.Id == draft.LastSectionId);
            next = last is { State: not TaskState.Completed } ? last.Section.Id : tasks.FirstOrDefault(t => t.State != TaskState.Completed)?.Section.Id;
        }

        return new OwnerOverview(firm.Id, firm.Name, draft?.Id, draft?.Number, tasks, percent, next, submitted);
    }

    /// <summary>Starts a reassessment prefilled with the last submitted answers (or returns the open draft).</summary>
    public async Task<Guid> StartReassessmentAsync(string userId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var firm = await EnsureFirmAsync(db, userId, ct);
        var draft = await FindDraftAsync(db, firm.Id, ct) ?? await StartDraftAsync(db, firm.Id, ct);
        return draft.Id;
    }

    public async Task<SectionView?> GetSectionAsync(string userId, string sectionId, CancellationToken ct = default)
    {
        var section = Content.Questionnaire.FindSection(sectionId);
        if (section is null)
        {
            return null;
        }

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var firm = await EnsureFirmAsync(db, userId, ct);
        var draft = await FindDraftAsync(db, firm.Id, ct);
        if (draft is null && !section.IsProfile)
        {
            return null; // nothing open to answer: the overview offers a reassessment
        }

        var rows = await RowsAsync(db, firm.Id, draft?.Id, ct);
        var (answers, unusable) = StoredAnswers.Assemble(Content, rows, Year);
        var byId = rows.ToDictionary(r => r.QuestionId, r => r.ValueJson);
        var values = section.Questions.ToDictionary(
            q => q.Id,
            q => byId.TryGetValue(q.Id, out var json) && !unusable.Contains(q.Id) ? JsonNode.Parse(json) : null);
        var sections = Content.Questionnaire.Sections;
        var index = sections.ToList().IndexOf(section);
        return new SectionView(section, firm.Name, values, Visible(answers), unusable.Where(u => section.Questions.Any(q => q.Id == u)).ToList(),
            index > 0 ? sections[index - 1].Id : null,
            index < sections.Count - 1 ? sections[index + 1].Id : null);
    }

    /// <summary>
    /// Saves one answer as soon as it is given (null clears it). A value that does not fit the
    /// question is refused with the reason and nothing is stored; every other answer stays.
    /// </summary>
    public async Task<SaveResult> SaveAnswerAsync(string userId, string questionId, JsonNode? value, CancellationToken ct = default)
    {
        // The page only sends the ids of the questions it shows, from the content loaded at
        // start-up, which cannot change under it; an unknown id is a mistake in the calling
        // code, answered with a message rather than an exception that ends the owner's circuit.
        if (Content.Questionnaire.Find(questionId) is not { } question)
        {
            return new SaveResult("This question is not part of the questionnaire. Reload the page.", new HashSet<string>());
        }

        var error = value is null ? null : StoredAnswers.Check(Content, question, value, Year);
        if (error is not null)
        {
            return new SaveResult(error, new HashSet<string>()); // the page keeps what it shows; nothing changed
        }

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var (firm, draft, refusal) = await db.InWriteTransactionAsync(WriteLocks.Account(userId), async () =>
        {
            var firm = await FirmForWritingAsync(db, userId, ct);
            var draft = await FindDraftAsync(db, firm.Id, ct);
            if (draft is null && !question.IsProfile)
            {
                return (firm, draft, Refusal: SubmittedMessage);
            }

            if (value is not null
                && StoredAnswers.CheckTogether(Content, await RowsAsync(db, firm.Id, draft?.Id, ct), [(question, value)], Year).GetValueOrDefault(question.Id) is { } conflict)
            {
                return (firm, draft, Refusal: conflict);
            }

            var json = value?.ToJsonString();
            if (question.IsProfile)
            {
                var row = await db.FirmProfileAnswers.FindAsync([firm.Id, questionId], ct);
                Upsert(db, row, json, () => new FirmProfileAnswer { FirmId = firm.Id, QuestionId = questionId });
            }
            else
            {
                var row = await db.AssessmentAnswers.FindAsync([draft!.Id, questionId], ct);
                Upsert(db, row, json, () => new AssessmentAnswer { AssessmentId = draft.Id, QuestionId = questionId });
            }

            if (draft is not null)
            {
                draft.UpdatedAt = Now;
                draft.LastSectionId = question.Section.Id;
            }

            await db.SaveChangesAsync(ct);
            return (firm, draft, Refusal: (string?)null);
        }, ct);
        if (refusal == SubmittedMessage)
        {
            return new SaveResult(SubmittedMessage, new HashSet<string>());
        }

        var (answers, _) = await AssembleAsync(db, firm.Id, draft?.Id, ct);
        return new SaveResult(refusal, Visible(answers));
    }

    /// <summary>
    /// Saves several answers at once (the answers API): every value is checked first, and one
    /// that does not fit refuses the whole request with the reasons, so a client never has to
    /// work out which half of its request was stored. Null clears an answer.
    /// </summary>
    public async Task<BatchSaveResult> SaveAnswersAsync(string userId, IReadOnlyList<(Question Question, JsonNode? Value)> given, CancellationToken ct = default)
    {
        var errors = given
            .Select(g => (g.Question.Id, Error: g.Value is null ? null : StoredAnswers.Check(Content, g.Question, g.Value, Year)))
            .Where(e => e.Error is not null)
            .ToDictionary(e => e.Id, e => e.Error!);
        if (errors.Count > 0)
        {
            return new BatchSaveResult(errors, null, 0);
        }

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var (firm, draft, refused, conflicts) = await db.InWriteTransactionAsync(WriteLocks.Account(userId), async () =>
        {
            var firm = await FirmForWritingAsync(db, userId, ct);
            var draft = await FindDraftAsync(db, firm.Id, ct);
            if (draft is null && given.Any(g => !g.Question.IsProfile))
            {
                if (await db.Assessments.AnyAsync(a => a.FirmId == firm.Id, ct))
                {
                    return (firm, draft, Refused: true, Conflicts: new Dictionary<string, string>());
                }

                draft = await StartDraftAsync(db, firm.Id, ct); // the first assessment starts by itself, as on the overview
            }

            var conflicts = StoredAnswers.CheckTogether(Content, await RowsAsync(db, firm.Id, draft?.Id, ct), given, Year);
            if (conflicts.Count > 0)
            {
                return (firm, draft, Refused: false, Conflicts: conflicts);
            }

            // The stored rows in two queries, not one per answer: the write lock is held meanwhile.
            var ids = given.Select(g => g.Question.Id).ToList();
            var profileRows = await db.FirmProfileAnswers.Where(a => a.FirmId == firm.Id && ids.Contains(a.QuestionId)).ToDictionaryAsync(a => a.QuestionId, ct);
            var answerRows = draft is null
                ? []
                : await db.AssessmentAnswers.Where(a => a.AssessmentId == draft.Id && ids.Contains(a.QuestionId)).ToDictionaryAsync(a => a.QuestionId, ct);
            foreach (var (question, value) in given)
            {
                var json = value?.ToJsonString();
                if (question.IsProfile)
                {
                    Upsert(db, profileRows.GetValueOrDefault(question.Id), json, () => new FirmProfileAnswer { FirmId = firm.Id, QuestionId = question.Id });
                }
                else
                {
                    Upsert(db, answerRows.GetValueOrDefault(question.Id), json, () => new AssessmentAnswer { AssessmentId = draft!.Id, QuestionId = question.Id });
                }
            }

            if (draft is not null)
            {
                draft.UpdatedAt = Now;
            }

            await db.SaveChangesAsync(ct);
            return (firm, draft, Refused: false, Conflicts: new Dictionary<string, string>());
        }, ct);
        if (refused)
        {
            return new BatchSaveResult(new Dictionary<string, string>(), SubmittedMessage, 0);
        }

        if (conflicts.Count > 0)
        {
            return new BatchSaveResult(conflicts, null, 0);
        }

        var (answers, _) = await AssembleAsync(db, firm.Id, draft?.Id, ct);
        return new BatchSaveResult(new Dictionary<string, string>(), null, PercentDone(Tasks(answers, firm.Name, draft is not null)));
    }

    private const string SubmittedMessage = "This assessment has been submitted and can no longer be changed. Start a reassessment to change your answers.";

    public async Task<string?> SaveFirmNameAsync(string userId, string name, CancellationToken ct = default)
    {
        name = name.Trim();
        if (name.Length == 0)
        {
            return "Enter the name of your firm";
        }

        // The browser sends whatever the input holds: a pasted line break or control character
        // would break emails and exports, and a lone surrogate would be stored as "\uFFFD".
        if (name.Any(char.IsControl))
        {
            return "The name must be on one line, without control characters";
        }

        if (!IsWellFormed(name))
        {
            return "The name contains characters that cannot be saved; type it again";
        }

        if (name.Length > MaxFirmName)
        {
            return $"The name must be {MaxFirmName} characters or fewer";
        }

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var firm = await EnsureFirmAsync(db, userId, ct);
        firm.Name = name;
        await db.SaveChangesAsync(ct);
        return null;
    }

    private static bool IsWellFormed(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(text[i]))
            {
                return false;
            }
        }

        return true;
    }

    public async Task<CheckAnswersView?> GetCheckAnswersAsync(string userId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var firm = await EnsureFirmAsync(db, userId, ct);
        var draft = await FindDraftAsync(db, firm.Id, ct);
        if (draft is null)
        {
            return null;
        }

        var (answers, _) = await AssembleAsync(db, firm.Id, draft.Id, ct);
        var visible = Visible(answers);
        var sections = Content.Questionnaire.Sections.Select(s => new CheckedSection(s,
            s.Questions.Where(q => visible.Contains(q.Id)).Select(q => new AnsweredQuestion(q, answers[q].HasValue ? answers.Describe(q) : "Not answered")).ToList()))
            .ToList();
        return new CheckAnswersView(firm.Name, sections, Missing(answers, firm.Name));
    }

    /// <summary>
    /// Scores the draft and stores the answers and the result as the submitted assessment.
    /// Refuses, with the list of what is missing, while a required answer that applies is not given.
    /// </summary>
    public async Task<SubmitResult> SubmitAsync(string userId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        // A second click while the first is saving finds the assessment submitted, not a draft to submit again.
        return await db.InWriteTransactionAsync(WriteLocks.Account(userId), () => SubmitAsync(db, userId, ct), ct);
    }

    private async Task<SubmitResult> SubmitAsync(PortalDbContext db, string userId, CancellationToken ct)
    {
        var firm = await FirmForWritingAsync(db, userId, ct);
        var draft = await FindDraftAsync(db, firm.Id, ct);
        if (draft is null)
        {
            var last = await db.Assessments.Where(a => a.FirmId == firm.Id && a.Status == AssessmentStatus.Submitted)
                .OrderByDescending(a => a.Number).Select(a => (Guid?)a.Id).FirstOrDefaultAsync(ct);
            return new SubmitResult(last, []); // already submitted (a second click): show its results
        }

        var (answers, _) = await AssembleAsync(db, firm.Id, draft.Id, ct);
        var missing = Missing(answers, firm.Name);
        if (missing.Count > 0)
        {
            return new SubmitResult(null, missing);
        }

        var stored = SubmittedResult.Record(Content, draft, answers, Now);
        foreach (var older in await db.Assessments.Where(a => a.FirmId == firm.Id && a.IsLatest).ToListAsync(ct))
        {
            older.IsLatest = false;
        }

        draft.IsLatest = true;
        db.AssessmentFactorScores.AddRange(stored.FactorScores);
        db.AssessmentFlags.AddRange(stored.Flags);
        db.AssessmentPlanItems.AddRange(stored.PlanItems);
        // A cohort waiting for this firm's first assessment takes it as the baseline.
        foreach (var enrolment in await db.Enrolments.Where(e => e.FirmId == firm.Id && e.BaselineAssessmentId == null && e.EnrolledAt != null).ToListAsync(ct))
        {
            enrolment.BaselineAssessmentId = draft.Id;
        }

        // The follow-up emails are saved with the submission, in one transaction: both or neither.
        await FollowUpPlanner.ScheduleAsync(db, Content, firm.Id, draft.Id, stored.Report, draft.SubmittedAt!.Value, ct);
        await db.SaveChangesAsync(ct);
        return new SubmitResult(draft.Id, []);
    }

    /// <summary>The firm this owner acts for; created (unnamed) on first use.</summary>
    internal async Task<Firm> EnsureFirmAsync(PortalDbContext db, string userId, CancellationToken ct)
    {
        return await FindFirmAsync() ?? await db.InWriteTransactionAsync(WriteLocks.Account(userId), async () =>
        {
            // Asked again holding the write lock: of an owner's first requests at once, one makes the firm and the others find it.
            if (await FindFirmAsync() is { } made)
            {
                return made;
            }

            var firm = new Firm { CreatedAt = Now };
            firm.Members.Add(new FirmMember { UserId = userId, Role = FirmMember.OwnerRole, JoinedAt = Now });
            db.Firms.Add(firm);
            await db.SaveChangesAsync(ct);
            return firm;
        }, ct);

        Task<Firm?> FindFirmAsync() => db.FirmMembers.Where(m => m.UserId == userId).Select(m => m.Firm).FirstOrDefaultAsync(ct);
    }

    /// <summary>
    /// Inside a write transaction: the owner's firm, with its lock taken (PostgreSQL), so that
    /// the firm's other owners' saves and submissions wait for this one.
    /// </summary>
    private async Task<Firm> FirmForWritingAsync(PortalDbContext db, string userId, CancellationToken ct)
    {
        var firm = await EnsureFirmAsync(db, userId, ct);
        await db.LockForWritingAsync(WriteLocks.Firm(firm.Id), ct);
        return firm;
    }

    private static Task<Assessment?> FindDraftAsync(PortalDbContext db, Guid firmId, CancellationToken ct) =>
        db.Assessments.Where(a => a.FirmId == firmId && a.Status == AssessmentStatus.Draft).OrderByDescending(a => a.Number).FirstOrDefaultAsync(ct);

    /// <summary>A new draft, numbered after the last assessment; or the draft another request has just started.</summary>
    private Task<Assessment> StartDraftAsync(PortalDbContext db, Guid firmId, CancellationToken ct) =>
        db.InWriteTransactionAsync(WriteLocks.Firm(firmId), async () => await FindDraftAsync(db, firmId, ct) ?? await AddDraftAsync(db, firmId, ct), ct);

    private async Task<Assessment> AddDraftAsync(PortalDbContext db, Guid firmId, CancellationToken ct)
    {
        var last = await db.Assessments.AsNoTracking()
            .Where(a => a.FirmId == firmId)
            .OrderByDescending(a => a.Number)
            .Select(a => new { a.Number, a.Status, a.AnswersJson })
            .FirstOrDefaultAsync(ct);
        var draft = new Assessment { FirmId = firmId, Number = (last?.Number ?? 0) + 1, Status = AssessmentStatus.Draft, StartedAt = Now, UpdatedAt = Now };

        // A reassessment starts from the last submitted answers; the owner changes what changed.
        if (last?.AnswersJson is { } previous && JsonNode.Parse(previous)?["answers"] is JsonObject given)
        {
            foreach (var (questionId, value) in given)
            {
                if (Content.Questionnaire.Find(questionId) is { IsProfile: false } question && StoredAnswers.Check(Content, question, value) is null)
                {
                    draft.Answers.Add(new AssessmentAnswer { QuestionId = questionId, ValueJson = value!.ToJsonString(), UpdatedAt = Now });
                }
            }
        }

        db.Assessments.Add(draft);
        await db.SaveChangesAsync(ct);
        return draft;
    }

    private static async Task<List<(string QuestionId, string ValueJson)>> RowsAsync(PortalDbContext db, Guid firmId, Guid? draftId, CancellationToken ct)
    {
        var profile = await db.FirmProfileAnswers.AsNoTracking().Where(a => a.FirmId == firmId).Select(a => new { a.QuestionId, a.ValueJson }).ToListAsync(ct);
        var answers = draftId is null ? [] : await db.AssessmentAnswers.AsNoTracking().Where(a => a.AssessmentId == draftId).Select(a => new { a.QuestionId, a.ValueJson }).ToListAsync(ct);
        return profile.Concat(answers).Select(r => (r.QuestionId, r.ValueJson)).ToList();
    }

    private async Task<(AnswerSet Answers, IReadOnlyList<string> Unusable)> AssembleAsync(PortalDbContext db, Guid firmId, Guid? draftId, CancellationToken ct) =>
        StoredAnswers.Assemble(Content, await RowsAsync(db, firmId, draftId, ct), Year);

    private int Year => clock.GetUtcNow().Year;

    private IReadOnlySet<string> Visible(AnswerSet answers)
    {
        var result = Assessor.Assess(Content, answers);
        return Content.Questionnaire.Questions.Where(result.IsVisible).Select(q => q.Id).ToHashSet();
    }

    private List<SectionTask> Tasks(AnswerSet answers, string firmName, bool hasDraft)
    {
        var visible = Visible(answers);
        return Content.Questionnaire.Sections.Select(section =>
        {
            var applicable = section.Questions.Where(q => visible.Contains(q.Id)).ToList();
            var answered = applicable.Count(q => answers[q].HasValue) + (section.IsProfile && firmName.Length > 0 ? 1 : 0);
            var missing = applicable.Count(q => q.Required && !answers[q].HasValue) + (section.IsProfile && firmName.Length == 0 ? 1 : 0);
            var total = applicable.Count + (section.IsProfile ? 1 : 0);
            var state = !hasDraft && !section.IsProfile ? TaskState.NotStarted
                : missing == 0 && answered > 0 ? TaskState.Completed
                : answered > 0 ? TaskState.InProgress
                : TaskState.NotStarted;
            return new SectionTask(section, state, answered, total, missing);
        }).ToList();
    }

    /// <summary>
    /// Progress over the questions that apply: a completed section counts in full (its optional
    /// questions need no answer), others by what is answered. 100 only when every section is completed.
    /// </summary>
    internal static int PercentDone(IReadOnlyList<SectionTask> tasks)
    {
        var applicable = tasks.Sum(t => t.Applicable);
        if (applicable == 0)
        {
            return 0;
        }

        if (tasks.All(t => t.State == TaskState.Completed))
        {
            return 100;
        }

        var done = tasks.Sum(t => t.State == TaskState.Completed ? t.Applicable : Math.Min(t.Answered, t.Applicable));
        return Math.Min(99, (int)Math.Round(100.0 * done / applicable));
    }

    private List<MissingAnswer> Missing(AnswerSet answers, string firmName)
    {
        var visible = Visible(answers);
        var missing = new List<MissingAnswer>();
        if (firmName.Length == 0)
        {
            missing.Add(new MissingAnswer(Content.Questionnaire.Profile, FirmNameField, "Enter the name of your firm"));
        }

        foreach (var section in Content.Questionnaire.Sections)
        {
            missing.AddRange(section.Questions
                .Where(q => q.Required && visible.Contains(q.Id) && !answers[q].HasValue)
                .Select(q => new MissingAnswer(section, q.Id, q.Text)));
        }

        return missing;
    }

    private void Upsert<T>(PortalDbContext db, T? row, string? json, Func<T> create) where T : class, IStoredAnswer
    {
        if (json is null)
        {
            if (row is not null)
            {
                db.Remove(row);
            }

            return;
        }

        if (row is null)
        {
            row = create();
            db.Add(row);
        }

        row.ValueJson = json;
        row.UpdatedAt = Now;
    }
}
