using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Portal.Domain.Content;
using Portal.Domain.Questionnaires;
using Portal.Web.Data;
using Portal.Web.Data.Entities;
using Portal.Web.Features.FollowUps;

namespace Portal.Web.Features.Advisors;

public enum QueueSort
{
    /// <summary>Highest triage priority first; on a tie the firm that has waited longer since submitting.</summary>
    Priority,
    Newest,
    LongestWithoutContact,
    Name,
}

/// <summary>What the advisor asked the queue for; every field narrows the list, and all of them fit in a bookmarkable query string.</summary>
public sealed record QueueFilter
{
    /// <summary>A stage id, or <see cref="GroupPrefix"/> and a stage group id.</summary>
    public string? Stage { get; init; }

    public string? Band { get; init; }

    /// <summary>Firms with any of these flags on their latest assessment.</summary>
    public IReadOnlyList<string> Flags { get; init; } = [];

    public string? Sector { get; init; }

    /// <summary>ISO code of the firm's home country.</summary>
    public string? HomeCountry { get; init; }

    public CaseStatus? Status { get; init; }

    /// <summary>An advisor's user id, or <see cref="Unassigned"/>.</summary>
    public string? AssignedTo { get; init; }

    public bool Mine { get; init; }

    public bool OverdueOnly { get; init; }

    public string? Search { get; init; }

    public QueueSort Sort { get; init; } = QueueSort.Priority;

    public int Page { get; init; } = 1;

    public const string GroupPrefix = "group:";
    public const string Unassigned = "none";
    public const int MaxSearch = 200;
}

public sealed record QueueRow(
    Guid FirmId,
    string FirmName,
    int? TriagePriority,
    string? BandName,
    string? StageName,
    string? StageGroupName,
    IReadOnlyList<FlagDefinition> Flags,
    string? Sector,
    string? HomeCountry,
    CaseStatus Status,
    string? AssignedAdvisorEmail,
    bool AssignedToMe,
    DateTime? SubmittedAt,
    int? DaysSinceSubmission,
    DateTime? LastContactAt,
    int? DaysSinceContact,
    int DaysWithoutContact,
    bool Overdue)
{
    public bool HasAssessment => SubmittedAt is not null;
}

public sealed record QueueChoice(string Value, string Label);

/// <summary>One page of the queue, the counts around it, and what the filters can offer.</summary>
public sealed record QueuePage(
    IReadOnlyList<QueueRow> Rows,
    int Total,
    int SharingTotal,
    int WithdrawnTotal,
    int Page,
    int PageCount,
    int PageSize,
    int OverdueAfterDays,
    IReadOnlyList<QueueChoice> Advisors,
    IReadOnlyList<QueueChoice> HomeCountries)
{
    public int First => Total == 0 ? 0 : ((Page - 1) * PageSize) + 1;

    public int Last => Math.Min(Total, Page * PageSize);
}

public sealed record WithdrawnNote(DateTime At, string AuthorEmail, string Text, bool IsContact);

public sealed record WithdrawnCase(Guid CaseId, string FirmName, DateTime WithdrawnAt, IReadOnlyList<WithdrawnNote> Notes);

/// <summary>A page of withdrawn cases; <see cref="Zone"/> is the advisor's time zone, for the dates.</summary>
public sealed record WithdrawnPage(IReadOnlyList<WithdrawnCase> Cases, int Total, int Page, int PageCount, TimeZoneInfo Zone);

/// <summary>
/// The advisor's triage queue: the firms that share with the advisor's organisation now, with
/// their latest submitted assessment, ranked by the triage priority the rules computed.
/// Filtering, sorting, counting and paging run in the database; only the page's rows are read.
/// </summary>
public sealed class TriageQueueService(
    IDbContextFactory<PortalDbContext> dbFactory, ContentCatalog catalog, IOptions<AdvisorOptions> options, TimeProvider clock)
{
    public const string SectorQuestion = "sector";
    public const string HomeCountryQuestion = "home-country";

    private PortalContent Content => catalog.Current;

    private AdvisorOptions Options => options.Value;

    /// <summary>The sector options of the profile question, in questionnaire order.</summary>
    public IReadOnlyList<QueueChoice> Sectors =>
        Content.Questionnaire.Find(SectorQuestion)?.Options.Select(o => new QueueChoice(o.Id, o.Label)).ToList() ?? [];

    /// <summary>
    /// Checks the filter against content and the organisation; returns a message per field that
    /// holds a value the queue does not know (keyed by the field's query name), so the page can
    /// say so beside it instead of silently showing every firm.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, string>> CheckAsync(AdvisorContext advisor, QueueFilter filter, CancellationToken ct = default)
    {
        var errors = new Dictionary<string, string>();
        if (filter.Stage is { } stage && !IsKnownStage(stage))
        {
            errors["stage"] = "Choose a stage from the list";
        }

        if (filter.Band is { } band && Content.Model.Bands.All(b => b.Id != band))
        {
            errors["band"] = "Choose a band from the list";
        }

        if (filter.Flags.FirstOrDefault(f => Content.FindFlag(f) is null) is { } flag)
        {
            errors["flag"] = $"“{flag}” is not a flag the portal raises; choose flags from the list";
        }

        if (filter.Sector is { } sector && Sectors.All(s => s.Value != sector))
        {
            errors["sector"] = "Choose a sector from the list";
        }

        if (filter.HomeCountry is { } country && !Countries.Names.ContainsKey(country))
        {
            errors["home"] = "Choose a home country from the list";
        }

        if (filter.Search is { Length: > QueueFilter.MaxSearch })
        {
            errors["q"] = $"Search for {QueueFilter.MaxSearch} characters or fewer";
        }

        if (filter.AssignedTo is { } assigned && assigned != QueueFilter.Unassigned)
        {
            await using var db = await dbFactory.CreateDbContextAsync(ct);
            if (!await db.OrganisationMembers.AnyAsync(m => m.UserId == assigned && m.OrganisationId == advisor.OrganisationId, ct))
            {
                errors["assigned"] = $"Choose an advisor of {advisor.OrganisationName} from the list";
            }
        }

        return errors;
    }

    public async Task<QueuePage> ListAsync(AdvisorContext advisor, QueueFilter filter, CancellationToken ct = default)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var overdueBefore = now.AddDays(-Options.OverdueAfterDays);
        var organisationId = advisor.OrganisationId;
        await using var db = await dbFactory.CreateDbContextAsync(ct);

        var all = Items(db, organisationId);
        var query = Filter(db, all, advisor, filter, overdueBefore);

        var total = await query.CountAsync(ct);
        var sharingTotal = await all.CountAsync(ct);
        var pageSize = Options.QueuePageSize;
        var pageCount = Math.Max(1, (total + pageSize - 1) / pageSize);
        var page = Math.Clamp(filter.Page, 1, pageCount);
        var items = await Sort(query, filter.Sort).Skip((page - 1) * pageSize).Take(pageSize).ToListAsync(ct);

        // Only this page's flags and profile answers are read.
        var assessmentIds = items.Where(i => i.AssessmentId != null).Select(i => i.AssessmentId!.Value).ToList();
        var flags = (await db.AssessmentFlags.AsNoTracking().Where(f => assessmentIds.Contains(f.AssessmentId)).Select(f => new { f.AssessmentId, f.FlagId }).ToListAsync(ct))
            .ToLookup(f => f.AssessmentId, f => f.FlagId);
        var firmIds = items.Select(i => i.FirmId).ToList();
        var profile = (await db.FirmProfileAnswers.AsNoTracking()
                .Where(p => firmIds.Contains(p.FirmId) && (p.QuestionId == SectorQuestion || p.QuestionId == HomeCountryQuestion))
                .Select(p => new { p.FirmId, p.QuestionId, p.ValueJson }).ToListAsync(ct))
            .ToDictionary(p => (p.FirmId, p.QuestionId), p => p.ValueJson);

        var rows = items.Select(i =>
        {
            var stage = i.StageId is null ? null : Content.Model.Stages.FirstOrDefault(s => s.Id == i.StageId);
            return new QueueRow(
                i.FirmId,
                i.FirmName,
                i.TriagePriority,
                i.BandId is null ? null : Content.Model.Bands.FirstOrDefault(b => b.Id == i.BandId)?.Name ?? i.BandId,
                stage?.Name ?? i.StageId,
                i.StageGroupId is null ? null : Content.Model.StageGroups.FirstOrDefault(g => g.Id == i.StageGroupId)?.Name ?? i.StageGroupId,
                i.AssessmentId is { } a ? flags[a].Select(Content.FindFlag).OfType<FlagDefinition>().OrderBy(f => f.Index).ToList() : [],
                SectorName(profile.GetValueOrDefault((i.FirmId, SectorQuestion))),
                CountryName(profile.GetValueOrDefault((i.FirmId, HomeCountryQuestion))),
                i.Status,
                i.AssignedEmail,
                i.AssignedId == advisor.UserId,
                i.SubmittedAt,
                i.SubmittedAt is { } submitted ? DaysBetween(submitted, now) : null,
                i.LastContactAt,
                i.LastContactAt is { } contact ? DaysBetween(contact, now) : null,
                DaysBetween(i.ContactClock, now),
                i.Status != CaseStatus.Closed && i.ContactClock < overdueBefore);
        }).ToList();

        var advisors = await db.OrganisationMembers.AsNoTracking().Where(m => m.OrganisationId == organisationId)
            .OrderBy(m => m.User.Email).Select(m => new QueueChoice(m.UserId, m.User.Email ?? m.UserId)).ToListAsync(ct);
        var homes = await db.FirmProfileAnswers.AsNoTracking()
            .Where(p => p.QuestionId == HomeCountryQuestion && AdvisorAccess.SharingFirms(db, organisationId).Any(f => f.Id == p.FirmId))
            .Select(p => p.ValueJson).Distinct().ToListAsync(ct);
        var homeChoices = homes.Select(CountryCode).OfType<string>().Distinct()
            .Select(c => new QueueChoice(c, Countries.Names.GetValueOrDefault(c, c))).OrderBy(c => c.Label, StringComparer.CurrentCulture).ToList();

        return new QueuePage(rows, total, sharingTotal, await Withdrawn(db, organisationId).CountAsync(ct), page, pageCount, pageSize,
            Options.OverdueAfterDays, advisors, homeChoices);
    }

    /// <summary>
    /// Cases of firms that withdrew their consent from the organisation: the name, when, and the
    /// organisation's own notes. Nothing else of the firm is read.
    /// </summary>
    public async Task<WithdrawnPage> ListWithdrawnAsync(AdvisorContext advisor, int page, CancellationToken ct = default)
    {
        var organisationId = advisor.OrganisationId;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var query = Withdrawn(db, organisationId);
        var total = await query.CountAsync(ct);
        var pageSize = Options.QueuePageSize;
        var pageCount = Math.Max(1, (total + pageSize - 1) / pageSize);
        page = Math.Clamp(page, 1, pageCount);
        var cases = await query.OrderByDescending(c => c.WithdrawnAt).ThenBy(c => c.CaseId)
            .Skip((page - 1) * pageSize).Take(pageSize).ToListAsync(ct);
        var caseIds = cases.Select(c => c.CaseId).ToList();
        var notes = (await db.CaseNotes.AsNoTracking().Where(n => caseIds.Contains(n.CaseFileId))
                .OrderBy(n => n.At).Select(n => new { n.CaseFileId, n.At, n.Author.Email, n.Text, n.IsContact }).ToListAsync(ct))
            .ToLookup(n => n.CaseFileId, n => new WithdrawnNote(n.At, n.Email ?? "", n.Text, n.IsContact));
        var zoneId = await db.Users.Where(u => u.Id == advisor.UserId).Select(u => u.TimeZoneId).FirstOrDefaultAsync(ct);
        return new WithdrawnPage(cases.Select(c => new WithdrawnCase(c.CaseId, c.FirmName, c.WithdrawnAt, notes[c.CaseId].ToList())).ToList(),
            total, page, pageCount, TimeZones.Resolve(zoneId));
    }

    private static IQueryable<WithdrawnItem> Withdrawn(PortalDbContext db, Guid organisationId) =>
        from c in db.CaseFiles
        where c.OrganisationId == organisationId
              && !db.FirmShares.Any(s => s.FirmId == c.FirmId && s.OrganisationId == organisationId && s.RevokedAt == null)
              && db.FirmShares.Any(s => s.FirmId == c.FirmId && s.OrganisationId == organisationId && s.RevokedAt != null)
        select new WithdrawnItem
        {
            CaseId = c.Id,
            FirmName = c.Firm.Name,
            WithdrawnAt = db.FirmShares.Where(s => s.FirmId == c.FirmId && s.OrganisationId == organisationId && s.RevokedAt != null).Max(s => s.RevokedAt!.Value),
        };

    /// <summary>Every firm sharing with the organisation, with its share, case and latest assessment, as one flat row.</summary>
    private static IQueryable<QueueItem> Items(PortalDbContext db, Guid organisationId) =>
        from f in AdvisorAccess.SharingFirms(db, organisationId)
        join s in db.FirmShares.Where(s => s.OrganisationId == organisationId && s.RevokedAt == null) on f.Id equals s.FirmId
        from c in db.CaseFiles.Where(c => c.OrganisationId == organisationId && c.FirmId == f.Id).DefaultIfEmpty()
        from a in db.Assessments.Where(a => a.FirmId == f.Id && a.IsLatest).DefaultIfEmpty()
        select new QueueItem
        {
            FirmId = f.Id,
            FirmName = f.Name,
            AssessmentId = a == null ? null : a.Id,
            TriagePriority = a == null ? null : a.TriagePriority,
            BandId = a == null ? null : a.BandId,
            StageId = a == null ? null : a.StageId,
            StageGroupId = a == null ? null : a.StageGroupId,
            SubmittedAt = a == null ? null : a.SubmittedAt,
            Status = c == null ? CaseStatus.New : c.Status,
            AssignedId = c == null ? null : c.AssignedAdvisorId,
            AssignedEmail = c == null || c.AssignedAdvisor == null ? null : c.AssignedAdvisor.Email,
            LastContactAt = c == null ? null : c.LastContactAt,
            // The overdue clock runs from the later of the consent and the last contact: a firm
            // that shares again after withdrawing is due a fresh call whatever happened before.
            ContactClock = c != null && c.LastContactAt != null && c.LastContactAt > s.GrantedAt ? c.LastContactAt.Value : s.GrantedAt,
        };

    private IQueryable<QueueItem> Filter(PortalDbContext db, IQueryable<QueueItem> query, AdvisorContext advisor, QueueFilter filter, DateTime overdueBefore)
    {
        if (filter.Stage is { } stage && IsKnownStage(stage))
        {
            if (stage.StartsWith(QueueFilter.GroupPrefix, StringComparison.Ordinal))
            {
                var group = stage[QueueFilter.GroupPrefix.Length..];
                query = query.Where(i => i.StageGroupId == group);
            }
            else
            {
                query = query.Where(i => i.StageId == stage);
            }
        }

        if (filter.Band is { } band)
        {
            query = query.Where(i => i.BandId == band);
        }

        if (filter.Flags.Count > 0)
        {
            var flags = filter.Flags.ToList();
            query = query.Where(i => db.AssessmentFlags.Any(f => f.AssessmentId == i.AssessmentId && flags.Contains(f.FlagId)));
        }

        // Profile answers are stored in their canonical JSON shape: compare with the same shape.
        if (filter.Sector is { } sector)
        {
            var json = JsonValue.Create(sector).ToJsonString();
            query = query.Where(i => db.FirmProfileAnswers.Any(p => p.FirmId == i.FirmId && p.QuestionId == SectorQuestion && p.ValueJson == json));
        }

        if (filter.HomeCountry is { } country)
        {
            var json = new JsonArray(country).ToJsonString();
            query = query.Where(i => db.FirmProfileAnswers.Any(p => p.FirmId == i.FirmId && p.QuestionId == HomeCountryQuestion && p.ValueJson == json));
        }

        if (filter.Status is { } status)
        {
            query = query.Where(i => i.Status == status);
        }

        if (filter.AssignedTo == QueueFilter.Unassigned)
        {
            query = query.Where(i => i.AssignedId == null);
        }
        else if (filter.AssignedTo is { } assigned)
        {
            query = query.Where(i => i.AssignedId == assigned);
        }

        if (filter.Mine)
        {
            query = query.Where(i => i.AssignedId == advisor.UserId);
        }

        if (filter.OverdueOnly)
        {
            query = query.Where(i => i.Status != CaseStatus.Closed && i.ContactClock < overdueBefore);
        }

        if (!string.IsNullOrWhiteSpace(filter.Search))
        {
            var term = filter.Search.Trim().ToLowerInvariant();
            query = query.Where(i => i.FirmName.ToLower().Contains(term));
        }

        return query;
    }

    private static IOrderedQueryable<QueueItem> Sort(IQueryable<QueueItem> query, QueueSort sort) => sort switch
    {
        QueueSort.Newest => query.OrderBy(i => i.SubmittedAt == null).ThenByDescending(i => i.SubmittedAt).ThenBy(i => i.FirmName).ThenBy(i => i.FirmId),
        QueueSort.LongestWithoutContact => query.OrderBy(i => i.ContactClock).ThenByDescending(i => i.TriagePriority).ThenBy(i => i.FirmId),
        QueueSort.Name => query.OrderBy(i => i.FirmName.ToLower()).ThenBy(i => i.FirmId),
        // Firms that share but have not submitted have nothing to rank by: they come last.
        _ => query.OrderBy(i => i.AssessmentId == null).ThenByDescending(i => i.TriagePriority).ThenBy(i => i.SubmittedAt).ThenBy(i => i.FirmName).ThenBy(i => i.FirmId),
    };

    private bool IsKnownStage(string value) => value.StartsWith(QueueFilter.GroupPrefix, StringComparison.Ordinal)
        ? Content.Model.StageGroups.Any(g => g.Id == value[QueueFilter.GroupPrefix.Length..])
        : Content.Model.Stages.Any(s => s.Id == value);

    /// <summary>Whole days between two times, as "3 days ago" counts them.</summary>
    private static int DaysBetween(DateTime from, DateTime to) => Math.Max(0, (int)Math.Floor((to - from).TotalDays));

    private string? SectorName(string? json)
    {
        var id = Parse(json) is JsonValue value && value.TryGetValue<string>(out var s) ? s : null;
        return id is null ? null : Sectors.FirstOrDefault(o => o.Value == id)?.Label ?? id;
    }

    private static string? CountryName(string? json) => CountryCode(json) is { } code ? Countries.Names.GetValueOrDefault(code, code) : null;

    private static string? CountryCode(string? json) =>
        Parse(json) is JsonArray { Count: > 0 } codes && codes[0] is JsonValue first && first.TryGetValue<string>(out var code) ? code : null;

    private static JsonNode? Parse(string? json)
    {
        if (json is null)
        {
            return null;
        }

        try
        {
            return JsonNode.Parse(json);
        }
        catch (JsonException)
        {
            return null; // a stored value that no longer parses shows as not answered
        }
    }

    private sealed class QueueItem
    {
        public Guid FirmId { get; init; }

        public string FirmName { get; init; } = "";

        public Guid? AssessmentId { get; init; }

        public int? TriagePriority { get; init; }

        public string? BandId { get; init; }

        public string? StageId { get; init; }

        public string? StageGroupId { get; init; }

        public DateTime? SubmittedAt { get; init; }

        public CaseStatus Status { get; init; }

        public string? AssignedId { get; init; }

        public string? AssignedEmail { get; init; }

        public DateTime? LastContactAt { get; init; }

        public DateTime ContactClock { get; init; }
    }

    private sealed class WithdrawnItem
    {
        public Guid CaseId { get; init; }

        public string FirmName { get; init; } = "";

        public DateTime WithdrawnAt { get; init; }
    }
}
