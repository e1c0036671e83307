using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Portal.Domain.Content;
using Portal.Domain.Questionnaires;
using Portal.Domain.Scoring;
using Portal.Web.Data;
using Portal.Web.Data.Entities;
using Portal.Web.Features.Assessments;
using Portal.Web.Features.Audit;
using Portal.Web.Features.FollowUps;

namespace Portal.Web.Features.Advisors;

/// <summary>An advisor's confirmation or correction of one answer, as the file shows it.</summary>
public sealed record ValidationView(string QuestionId, JsonNode? Value, string Answer, bool Confirmed, string Reason, string ByEmail, DateTime At);

/// <summary>One answer of the firm's latest assessment, with the form to confirm or adjust it.</summary>
public sealed record AnswerToValidate(
    Guid FirmId,
    string FirmName,
    int AssessmentNumber,
    DateTime SubmittedAt,
    Question Question,
    JsonNode? OwnerValue,
    string OwnerAnswer,
    ValidationView? Validation,
    TimeZoneInfo Zone);

/// <summary>The outcome of a form post: not found (a 404), refused with a message per field, or done.</summary>
public sealed record FormOutcome(bool Found, IReadOnlyDictionary<string, string> Errors, string? Done)
{
    public static readonly FormOutcome NotFound = new(false, new Dictionary<string, string>(), null);

    public bool Succeeded => Found && Errors.Count == 0;

    public static FormOutcome Refused(string field, string message) => new(true, new Dictionary<string, string> { [field] = message }, null);

    public static FormOutcome Success(string message) => new(true, new Dictionary<string, string>(), message);
}

/// <summary>
/// The answers of the firm's latest submitted assessment as the firm gave them, and the
/// advisor organisation's corrections of them.
/// </summary>
internal sealed record LatestAnswers(
    Guid AssessmentId,
    int Number,
    DateTime SubmittedAt,
    string? ContentVersion,
    string ResultJson,
    AnswerSet Owner,
    IReadOnlyDictionary<string, JsonNode?> OwnerValues,
    IReadOnlyList<AnswerValidation> Validations)
{
    public IEnumerable<AnswerCorrection> Corrections =>
        Validations.Select(v => new AnswerCorrection(v.QuestionId, Parse(v.ValueJson)));

    public static JsonNode? Parse(string json)
    {
        try
        {
            return JsonNode.Parse(json);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

/// <summary>
/// Advisor validation: an advisor confirms or adjusts an answer of the firm's latest
/// assessment, with a reason. Stored per organisation; the owner's answers and results are
/// never changed. The validated scores are computed on request by Portal.Domain.
/// </summary>
public sealed class ValidationService(
    IDbContextFactory<PortalDbContext> dbFactory, ContentCatalog catalog, AuditLog audit, TimeProvider clock, IOptions<AdvisorOptions> options)
{
    public const int MaxReason = 1000;

    private PortalContent Content => catalog.Current;

    public async Task<AnswerToValidate?> GetAnswerAsync(AdvisorContext advisor, Guid firmId, string questionId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        if (!await AdvisorAccess.CanSeeAsync(db, advisor, firmId, ct) || Content.Questionnaire.Find(questionId) is not { } question)
        {
            return null;
        }

        var latest = await LoadLatestAsync(db, Content, firmId, advisor.OrganisationId, ct);
        if (latest is null)
        {
            return null;
        }

        var firmName = await db.Firms.Where(f => f.Id == firmId).Select(f => f.Name).SingleAsync(ct);
        var zone = TimeZones.Resolve(await db.Users.Where(u => u.Id == advisor.UserId).Select(u => u.TimeZoneId).FirstOrDefaultAsync(ct));
        var validation = latest.Validations.FirstOrDefault(v => v.QuestionId == questionId);
        var emails = await EmailsAsync(db, validation is null ? [] : [validation.ByUserId], ct);
        return new AnswerToValidate(firmId, firmName, latest.Number, latest.SubmittedAt, question, latest.OwnerValues.GetValueOrDefault(questionId),
            Describe(Content, latest.Owner, question), validation is null ? null : View(Content, latest, validation, emails), zone);
    }

    /// <summary>
    /// Confirms the firm's answer (<paramref name="adjusted"/> null) or replaces it with the
    /// advisor's, with the reason. A later validation of the same answer replaces the earlier one.
    /// </summary>
    public async Task<FormOutcome> ValidateAsync(
        AdvisorContext advisor, Guid firmId, string questionId, JsonNode? adjusted, bool confirm, string? reason, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        if (!await AdvisorAccess.CanSeeAsync(db, advisor, firmId, ct) || Content.Questionnaire.Find(questionId) is not { } question)
        {
            return FormOutcome.NotFound;
        }

        var latest = await LoadLatestAsync(db, Content, firmId, advisor.OrganisationId, ct);
        if (latest is null)
        {
            return FormOutcome.NotFound;
        }

        var errors = new Dictionary<string, string>();
        reason = reason?.Trim() ?? "";
        if (reason.Length == 0)
        {
            errors["reason"] = "Enter the reason, for example what the firm told you";
        }
        else if (reason.Length > MaxReason)
        {
            errors["reason"] = $"The reason must be {MaxReason} characters or fewer (it has {reason.Length})";
        }

        JsonNode? value;
        if (confirm)
        {
            value = latest.OwnerValues.GetValueOrDefault(questionId)?.DeepClone();
            if (value is null)
            {
                errors["answer"] = "The firm did not answer this question: there is nothing to confirm. Enter the answer the firm gave you and save it as adjusted";
            }
        }
        else if (adjusted is null)
        {
            value = null;
            errors["answer"] = "Choose or enter the answer the firm gave you";
        }
        else
        {
            value = adjusted;
            var problem = StoredAnswers.Check(Content, question, value);
            if (problem is null)
            {
                // The answer alone fits; with the rest it must too (a first export before the firm was founded does not).
                var others = latest.Corrections.Where(c => c.QuestionId != questionId).Append(new AnswerCorrection(questionId, value));
                var (_, skipped) = ValidatedScoring.Apply(latest.Owner, others);
                problem = skipped.FirstOrDefault(s => s.Path == questionId)?.Message;
            }

            if (problem is not null)
            {
                errors["answer"] = $"This answer {problem}";
            }
        }

        if (errors.Count > 0)
        {
            return new FormOutcome(true, errors, null);
        }

        var now = clock.GetUtcNow().UtcDateTime;
        var row = await db.AnswerValidations.FirstOrDefaultAsync(v => v.AssessmentId == latest.AssessmentId && v.OrganisationId == advisor.OrganisationId && v.QuestionId == questionId, ct);
        if (row is null)
        {
            row = new AnswerValidation { AssessmentId = latest.AssessmentId, OrganisationId = advisor.OrganisationId, QuestionId = questionId };
            db.AnswerValidations.Add(row);
        }

        var confirmed = JsonNode.DeepEquals(value, latest.OwnerValues.GetValueOrDefault(questionId));
        row.ValueJson = value!.ToJsonString();
        row.Reason = reason;
        row.ByUserId = advisor.UserId;
        row.At = now;
        // The record says which answer and how, not the answer itself.
        audit.Add(db, advisor.UserId, advisor.Email, firmId, FirmFileAudit.ValidatedAnswer, $"{questionId}: {(confirmed ? "confirmed" : "adjusted")}");
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            // Another advisor of the organisation saved this answer at the same moment; theirs stands.
            return FormOutcome.Refused("answer", "A colleague validated this answer at the same moment. Look at their validation and save again if yours should replace it");
        }

        return FormOutcome.Success(confirmed ? "The firm's answer is confirmed." : "The adjusted answer is saved. The validated scores use it; the firm's own results are unchanged.");
    }

    /// <summary>The margin past which the file flags a factor whose validated score differs from the self-assessed one.</summary>
    public int MarginPoints => options.Value.ValidationMarginPoints;

    internal static async Task<LatestAnswers?> LoadLatestAsync(PortalDbContext db, PortalContent content, Guid firmId, Guid organisationId, CancellationToken ct)
    {
        var latest = await db.Assessments.AsNoTracking()
            .Where(a => a.FirmId == firmId && a.IsLatest && a.Status == AssessmentStatus.Submitted)
            .Select(a => new { a.Id, a.Number, a.SubmittedAt, a.ContentVersion, a.AnswersJson, a.ResultJson })
            .FirstOrDefaultAsync(ct);
        if (latest?.SubmittedAt is not { } submittedAt || latest.AnswersJson is null || latest.ResultJson is null)
        {
            return null;
        }

        var values = new Dictionary<string, JsonNode?>(StringComparer.Ordinal);
        if (LatestAnswers.Parse(latest.AnswersJson) is JsonObject stored)
        {
            foreach (var group in new[] { "profile", "answers" })
            {
                foreach (var (id, value) in stored[group] as JsonObject ?? [])
                {
                    values[id] = value?.DeepClone();
                }
            }
        }

        // Checked one by one against today's questionnaire: an answer that no longer fits is left out, not fatal.
        var (owner, _) = StoredAnswers.Assemble(content, values.Select(v => (v.Key, v.Value?.ToJsonString() ?? "null")), submittedAt.Year);
        var validations = await db.AnswerValidations.AsNoTracking()
            .Where(v => v.AssessmentId == latest.Id && v.OrganisationId == organisationId)
            .OrderBy(v => v.At)
            .ToListAsync(ct);
        return new LatestAnswers(latest.Id, latest.Number, submittedAt, latest.ContentVersion, latest.ResultJson, owner, values, validations);
    }

    internal static ValidationView View(PortalContent content, LatestAnswers latest, AnswerValidation validation, IReadOnlyDictionary<string, string> emails)
    {
        var value = LatestAnswers.Parse(validation.ValueJson);
        var question = content.Questionnaire.Find(validation.QuestionId);
        var answer = question is null ? validation.ValueJson : DescribeValue(content, question, validation.ValueJson, latest.SubmittedAt.Year);
        return new ValidationView(validation.QuestionId, value, answer, JsonNode.DeepEquals(value, latest.OwnerValues.GetValueOrDefault(validation.QuestionId)),
            validation.Reason, emails.GetValueOrDefault(validation.ByUserId, "a former advisor"), validation.At);
    }

    internal static async Task<IReadOnlyDictionary<string, string>> EmailsAsync(PortalDbContext db, IReadOnlyCollection<string> userIds, CancellationToken ct) =>
        userIds.Count == 0 ? new Dictionary<string, string>()
            : await db.Users.AsNoTracking().Where(u => userIds.Contains(u.Id)).ToDictionaryAsync(u => u.Id, u => u.Email ?? "", ct);

    /// <summary>The answer as a person reads it ("Don't know", option labels, countries by name).</summary>
    internal static string Describe(PortalContent content, AnswerSet answers, Question question) =>
        answers[question].HasValue ? answers.Describe(question) : "Not answered";

    internal static string DescribeValue(PortalContent content, Question question, string valueJson, int year)
    {
        var (answers, unusable) = StoredAnswers.Assemble(content, [(question.Id, valueJson)], year);
        return unusable.Count > 0 ? "An answer that no longer fits the questionnaire" : Describe(content, answers, question);
    }
}

/// <summary>
/// Reads an answer from a posted form, in the field names the owner's question rendering uses
/// (<c>answer-ID</c>; a number's "don't know" box is <c>answer-ID-dk</c>). Countries come as
/// names or codes separated by commas. What was typed is kept, so a refused form shows it again.
/// </summary>
public static class PostedAnswer
{
    public static string FieldName(Question question) => $"answer-{question.Id}";

    /// <summary>The answer as JSON (null when nothing was given), the text typed (numbers, countries), and what is wrong with it.</summary>
    public static (JsonNode? Value, string? Typed, string? Error) Read(Question question, IReadOnlyDictionary<string, IReadOnlyList<string>> form)
    {
        var values = form.GetValueOrDefault(FieldName(question)) ?? [];
        var first = values.FirstOrDefault(v => !string.IsNullOrWhiteSpace(v))?.Trim();
        switch (question.Kind)
        {
            case QuestionKind.Single:
                return (first is null ? null : JsonValue.Create(first), null, null);

            case QuestionKind.Scale:
                return first switch
                {
                    null => (null, null, null),
                    Question.DontKnow => (JsonValue.Create(Question.DontKnow), null, null),
                    _ when int.TryParse(first, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) => (JsonValue.Create(n), null, null),
                    _ => (null, null, "Choose a point on the scale"),
                };

            case QuestionKind.Multiple:
                var chosen = values.Where(v => !string.IsNullOrWhiteSpace(v)).Distinct(StringComparer.Ordinal).ToList();
                if (chosen.Contains(Question.DontKnow))
                {
                    return chosen.Count == 1 ? (JsonValue.Create(Question.DontKnow), null, null) : (null, null, "Choose options or “I don't know”, not both");
                }

                return (chosen.Count == 0 ? null : new JsonArray(chosen.Select(c => (JsonNode)JsonValue.Create(c)!).ToArray()), null, null);

            case QuestionKind.Number:
                if (form.ContainsKey(FieldName(question) + "-dk"))
                {
                    return (JsonValue.Create(Question.DontKnow), first, null);
                }

                if (first is null)
                {
                    return (null, null, null);
                }

                var normalised = first.Replace(" ", "", StringComparison.Ordinal).Replace(",", "", StringComparison.Ordinal);
                return double.TryParse(normalised, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var number) && double.IsFinite(number)
                    ? (JsonValue.Create(number), first, null)
                    : (null, first, $"Enter a number{(question.Number?.Integer == true ? " without decimals" : "")}");

            case QuestionKind.Countries:
                if (first is null)
                {
                    return (new JsonArray(), null, null);
                }

                var codes = new List<string>();
                foreach (var part in first.Split([',', ';', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                {
                    if (CountryPicker.Match(part) is not { } code)
                    {
                        return (null, first, $"“{part}” is not a country we know. Write country names (or two-letter codes) separated by commas");
                    }

                    if (!codes.Contains(code))
                    {
                        codes.Add(code);
                    }
                }

                return (new JsonArray(codes.Select(c => (JsonNode)JsonValue.Create(c)!).ToArray()), first, null);

            default:
                return (null, null, "This kind of question cannot be answered here");
        }
    }

    /// <summary>The text a countries field shows for an answer: the names, separated by commas.</summary>
    public static string CountriesText(JsonNode? value) => value is JsonArray list
        ? string.Join(", ", list.Select(c => c?.GetValue<string>()).OfType<string>().Select(Countries.NameOf))
        : "";
}
