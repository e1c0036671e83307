using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Portal.Domain.Content;
using Portal.Web.Data;

namespace Portal.Web.Features.Programmes;

/// <summary>A cohort as one of its programme's staff reaches it.</summary>
public sealed record CohortScope(ProgrammeContext Programme, Guid CohortId, string CohortName, DateOnly StartsOn, DateOnly EndsOn);

/// <summary>One step of the funnel; <see cref="Key"/> names it for tests and styles.</summary>
public sealed record FunnelStep(string Key, string Label, int Count, string Meaning);

/// <summary>Firms per band (or stage group) at their baseline and in their latest assessment.</summary>
public sealed record CountRow(string Id, string Name, int AtBaseline, int Now);

/// <summary>A breakdown over <see cref="Firms"/> firms; when <see cref="Suppressed"/> it has no rows.</summary>
public sealed record CountTable(int Firms, bool Suppressed, IReadOnlyList<CountRow> Rows);

/// <summary>
/// One factor (or the overall score, <see cref="CohortDashboardService.OverallKey"/>) over the
/// firms' latest assessments, and its average change since their baselines. Figures are
/// exact here; pages and exports round them with <see cref="CohortFigures"/>. Null figures
/// are suppressed (or there is nothing to show).
/// </summary>
public sealed record FactorSummary(
    string Id,
    string Name,
    int Firms,
    bool Suppressed,
    double? Mean,
    double? Lowest,
    double? LowerQuartile,
    double? Median,
    double? UpperQuartile,
    double? Highest,
    int FirmsCompared,
    bool ChangeSuppressed,
    double? AverageChange);

/// <summary>A flag or an action-plan item, and how many firms' latest assessments have it.</summary>
public sealed record CommonItem(string Id, string Name, int Firms, int? InFirstThree);

/// <summary>The most common flags or plan items over <see cref="Firms"/> firms.</summary>
public sealed record CommonList(int Firms, bool Suppressed, IReadOnlyList<CommonItem> Items);

public sealed record CohortDashboard(
    CohortScope Scope,
    int MinGroupSize,
    int EnrolledFirms,
    int EnrolledWithoutInvitation,
    IReadOnlyList<FunnelStep> Funnel,
    CountTable Bands,
    CountTable StageGroups,
    IReadOnlyList<FactorSummary> Factors,
    CommonList Flags,
    CommonList PlanItems,
    int Deleted = 0);

/// <summary>
/// The cohort dashboard's figures. Every count, mean, minimum, maximum and change is an
/// aggregate query (GROUP BY / COUNT / AVG in SQL); no assessment is loaded. The firms are
/// <see cref="ProgrammeAccess.VisibleEnrolments"/>: a firm that left or stopped sharing drops
/// out of every figure at once. Any breakdown over fewer than
/// <see cref="ProgrammeOptions.MinGroupSize"/> firms is suppressed, and its queries not run.
/// </summary>
public sealed class CohortDashboardService(
    IDbContextFactory<PortalDbContext> dbFactory, ProgrammeAccess access, ContentCatalog catalog, IOptions<ProgrammeOptions> options)
{
    public const string OverallKey = "overall";
    public const string OverallName = "Overall readiness";

    /// <summary>How many flags and plan items the "most common" lists show.</summary>
    public const int CommonListLength = 10;

    private CsfModel Model => catalog.Current.Model;

    private int MinGroupSize => options.Value.MinGroupSize;

    /// <summary>The cohort, if the user is on the staff of its programme and the ids belong together; otherwise null (a 404).</summary>
    public async Task<CohortScope?> FindAsync(string userId, Guid programmeId, Guid cohortId, CancellationToken ct = default)
    {
        if (await access.ForStaffAsync(userId, programmeId, ct) is not { } programme)
        {
            return null;
        }

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var cohort = await db.Cohorts.AsNoTracking().Where(c => c.Id == cohortId && c.ProgrammeId == programmeId)
            .Select(c => new { c.Name, c.StartsOn, c.EndsOn }).FirstOrDefaultAsync(ct);
        return cohort is null ? null : new CohortScope(programme, cohortId, cohort.Name, cohort.StartsOn, cohort.EndsOn);
    }

    public async Task<CohortDashboard> GetAsync(CohortScope scope, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var cohortId = scope.CohortId;
        var visible = ProgrammeAccess.VisibleEnrolments(db, cohortId);

        // The first two steps count invitations, whoever they reached: staff sent them, and a
        // firm that later left was still invited and did register. From enrolment on, only firms
        // enrolled and sharing now count, as in every other figure. None of these counts is
        // suppressed: they say how many were invited, signed up and submitted, nothing of any
        // firm's results, and staff see the same firm by firm on the cohort's page.
        var invitations = db.Enrolments.Where(e => e.CohortId == cohortId && e.InvitedEmail != null);
        var invited = await invitations.CountAsync(ct);
        // Identity's normalized email is the upper-cased address; SQL upper() is ASCII-only,
        // so an address with other letters is counted once accepted.
        var registered = await invitations.CountAsync(e => e.EnrolledAt != null || db.Users.Any(u => u.NormalizedEmail == e.InvitedEmail!.ToUpper()), ct);
        var enrolled = await visible.CountAsync(ct);
        var direct = await visible.CountAsync(e => e.InvitedEmail == null, ct);
        var baseline = await visible.CountAsync(e => e.BaselineAssessmentId != null, ct);
        var followUp = await visible.CountAsync(e => e.BaselineAssessmentId != null
            && db.Assessments.Any(a => a.FirmId == e.FirmId && a.IsLatest && a.Id != e.BaselineAssessmentId), ct);
        // Firms and invitations whose owners deleted their accounts count in the steps they
        // had reached when deleted, so the funnel's history does not shrink; every other figure
        // is about the firms now, and never sees them.
        var gone = await db.AnonymousEnrolments.Where(r => r.CohortId == cohortId).GroupBy(r => r.CohortId)
            .Select(g => new
            {
                All = g.Count(),
                Invited = g.Count(r => r.WasInvited),
                Registered = g.Count(r => r.WasInvited && r.WasRegistered),
                Enrolled = g.Count(r => r.WasEnrolled),
                Direct = g.Count(r => r.WasEnrolled && !r.WasInvited),
                Baseline = g.Count(r => r.WasEnrolled && r.HadBaseline),
                FollowUp = g.Count(r => r.WasEnrolled && r.HadBaseline && r.HadFollowUp),
            })
            .FirstOrDefaultAsync(ct);
        var organisation = scope.Programme.OrganisationName;
        FunnelStep[] funnel =
        [
            new("invited", "Invited", invited + (gone?.Invited ?? 0), "invitations sent by email"),
            new("registered", "Registered", registered + (gone?.Registered ?? 0), "of the invited, those with an account on the portal or who accepted"),
            new("enrolled", "Enrolled and sharing", enrolled + (gone?.Enrolled ?? 0), $"firms in the cohort now, sharing their results with {organisation}"),
            new("baseline", "Baseline submitted", baseline + (gone?.Baseline ?? 0), "of those, firms with a first (baseline) assessment"),
            new("follow-up", "Follow-up submitted", followUp + (gone?.FollowUp ?? 0), "of those, firms that reassessed after their baseline"),
        ];

        var bands = await CountTableAsync(db, visible, a => a.BandId, Model.Bands.OrderBy(b => b.Rank).Select(b => (b.Id, b.Name)), ct);
        var groups = await CountTableAsync(db, visible, a => a.StageGroupId, Model.StageGroups.Select(g => (g.Id, g.Name)), ct);
        var factors = await FactorSummariesAsync(db, visible, ct);
        var (flags, plan) = await CommonListsAsync(db, visible, ct);
        return new CohortDashboard(scope, MinGroupSize, enrolled, direct + (gone?.Direct ?? 0), funnel, bands, groups, factors, flags, plan, gone?.All ?? 0);
    }

    /// <summary>The per-factor summary alone (the factors export).</summary>
    public async Task<IReadOnlyList<FactorSummary>> GetFactorSummariesAsync(CohortScope scope, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await FactorSummariesAsync(db, ProgrammeAccess.VisibleEnrolments(db, scope.CohortId), ct);
    }

    /// <summary>
    /// Firms per value at baseline and now, over the firms that have both (a firm with a
    /// baseline always has a latest assessment: the baseline itself or a later one), so both
    /// columns count the same firms.
    /// </summary>
    private async Task<CountTable> CountTableAsync(
        PortalDbContext db, IQueryable<Data.Entities.Enrolment> visible,
        System.Linq.Expressions.Expression<Func<Data.Entities.Assessment, string?>> key,
        IEnumerable<(string Id, string Name)> order, CancellationToken ct)
    {
        // The baseline is one of the firm's own assessments: matching the firm too lets SQLite
        // read it from IX_Assessments_FirmSummary rather than from its row, where the summary
        // columns come after the stored result (about 100 KB). The same for the changes below.
        var pairs = from e in visible
                    where e.BaselineAssessmentId != null
                    from b in db.Assessments.Where(a => a.FirmId == e.FirmId && a.Id == e.BaselineAssessmentId)
                    from l in db.Assessments.Where(a => a.FirmId == e.FirmId && a.IsLatest)
                    select new { Baseline = b, Latest = l };
        var firms = await pairs.CountAsync(ct);
        if (firms < MinGroupSize)
        {
            return new CountTable(firms, true, []);
        }

        var atBaseline = await CountByAsync(pairs.Select(p => p.Baseline), key, ct);
        var now = await CountByAsync(pairs.Select(p => p.Latest), key, ct);
        var known = order.ToList();
        // Ids that content no longer has (results of an older version) still count, under their id.
        var rows = known.Concat(atBaseline.Keys.Concat(now.Keys).Distinct().Where(id => known.All(k => k.Id != id)).Select(id => (Id: id, Name: id)))
            .Select(k => new CountRow(k.Id, k.Name, atBaseline.GetValueOrDefault(k.Id), now.GetValueOrDefault(k.Id)))
            .ToList();
        return new CountTable(firms, false, rows);
    }

    private static async Task<Dictionary<string, int>> CountByAsync(
        IQueryable<Data.Entities.Assessment> assessments, System.Linq.Expressions.Expression<Func<Data.Entities.Assessment, string?>> key, CancellationToken ct) =>
        (await assessments.Select(key).GroupBy(k => k).Select(g => new { g.Key, Count = g.Count() }).ToListAsync(ct))
        .ToDictionary(g => g.Key ?? "none", g => g.Count);

    private async Task<IReadOnlyList<FactorSummary>> FactorSummariesAsync(PortalDbContext db, IQueryable<Data.Entities.Enrolment> visible, CancellationToken ct)
    {
        var latestFactorScores =
            from e in visible
            from a in db.Assessments.Where(a => a.FirmId == e.FirmId && a.IsLatest)
            from s in db.AssessmentFactorScores.Where(s => s.AssessmentId == a.Id && s.Score != null)
            select new KeyedScore { Key = s.FactorId, Score = s.Score!.Value };
        var latestOverall =
            from e in visible
            from a in db.Assessments.Where(a => a.FirmId == e.FirmId && a.IsLatest && a.OverallScore != null)
            select new KeyedScore { Key = OverallKey, Score = a.OverallScore!.Value };

        // The change is the latest score less the baseline's, for firms that reassessed after
        // their baseline and have the factor scored both times; averaged exactly, rounded when shown.
        var factorChanges =
            from e in visible
            where e.BaselineAssessmentId != null
            from l in db.Assessments.Where(a => a.FirmId == e.FirmId && a.IsLatest && a.Id != e.BaselineAssessmentId)
            from ls in db.AssessmentFactorScores.Where(s => s.AssessmentId == l.Id && s.Score != null)
            from bs in db.AssessmentFactorScores.Where(s => s.AssessmentId == e.BaselineAssessmentId && s.FactorId == ls.FactorId && s.Score != null)
            select new KeyedScore { Key = ls.FactorId, Score = ls.Score!.Value - bs.Score!.Value };
        var overallChanges =
            from e in visible
            where e.BaselineAssessmentId != null
            from l in db.Assessments.Where(a => a.FirmId == e.FirmId && a.IsLatest && a.Id != e.BaselineAssessmentId && a.OverallScore != null)
            from b in db.Assessments.Where(a => a.FirmId == e.FirmId && a.Id == e.BaselineAssessmentId && a.OverallScore != null)
            select new KeyedScore { Key = OverallKey, Score = l.OverallScore!.Value - b.OverallScore!.Value };

        var stats = (await StatsAsync(latestOverall, ct)).Concat(await StatsAsync(latestFactorScores, ct)).ToDictionary(s => s.Key);
        var changes = (await ChangesAsync(overallChanges, ct)).Concat(await ChangesAsync(factorChanges, ct)).ToDictionary(c => c.Key);

        // Quartiles: SQL has no portable median, so the database sends only the one score column
        // (a double per firm and factor, never an assessment); the quantiles are read off in
        // memory. Every other figure is an aggregate. The factor scores are sorted and the
        // suppressed factors left out here: asked to sort, SQLite walks the (factor, score) index
        // over every assessment ever scored, looking each one up (most of a second for a cohort
        // of 5,700 firms among 100,000 assessments); given the factors, it seeks each one per
        // firm instead of reading the firm's scores in one go (docs/benchmarks.md).
        var shown = stats.Values.Where(s => s.Firms >= MinGroupSize).Select(s => s.Key).ToHashSet();
        var sorted = new Dictionary<string, List<double>>();
        if (shown.Remove(OverallKey))
        {
            sorted[OverallKey] = await latestOverall.Select(s => s.Score).OrderBy(s => s).ToListAsync(ct);
        }

        if (shown.Count > 0)
        {
            foreach (var group in (await latestFactorScores.Select(s => new { s.Key, s.Score }).ToListAsync(ct)).Where(s => shown.Contains(s.Key)).GroupBy(s => s.Key))
            {
                sorted[group.Key] = group.Select(s => s.Score).Order().ToList();
            }
        }

        var known = Model.Factors.Select(f => (f.Id, f.Name)).Prepend((Id: OverallKey, Name: OverallName)).ToList();
        var keys = known.Concat(stats.Keys.Where(k => known.All(f => f.Id != k)).Select(k => (Id: k, Name: k)));
        return keys.Select(k => Summary(k.Id, k.Name, stats.GetValueOrDefault(k.Id), changes.GetValueOrDefault(k.Id), sorted.GetValueOrDefault(k.Id))).ToList();
    }

    private FactorSummary Summary(string id, string name, ScoreStats? stats, ChangeStats? change, List<double>? sorted)
    {
        var firms = stats?.Firms ?? 0;
        var compared = change?.Firms ?? 0;
        var suppressed = firms < MinGroupSize;
        var changeSuppressed = compared < MinGroupSize;
        var values = suppressed || sorted is not { Count: > 0 } ? null : sorted;
        return new FactorSummary(
            id,
            name,
            firms,
            suppressed,
            suppressed ? null : stats!.Mean,
            suppressed ? null : stats!.Lowest,
            values is null ? null : CohortFigures.Quantile(values, 0.25),
            values is null ? null : CohortFigures.Quantile(values, 0.5),
            values is null ? null : CohortFigures.Quantile(values, 0.75),
            suppressed ? null : stats!.Highest,
            compared,
            changeSuppressed,
            changeSuppressed ? null : change!.Average);
    }

    private static Task<List<ScoreStats>> StatsAsync(IQueryable<KeyedScore> scores, CancellationToken ct) =>
        scores.GroupBy(s => s.Key)
            .Select(g => new ScoreStats(g.Key, g.Count(), g.Average(s => s.Score), g.Min(s => s.Score), g.Max(s => s.Score)))
            .ToListAsync(ct);

    private static Task<List<ChangeStats>> ChangesAsync(IQueryable<KeyedScore> changes, CancellationToken ct) =>
        changes.GroupBy(s => s.Key).Select(g => new ChangeStats(g.Key, g.Count(), g.Average(s => s.Score))).ToListAsync(ct);

    /// <summary>The most common flags and action-plan items of the firms' latest assessments.</summary>
    private async Task<(CommonList Flags, CommonList Plan)> CommonListsAsync(PortalDbContext db, IQueryable<Data.Entities.Enrolment> visible, CancellationToken ct)
    {
        var latest = from e in visible
                     from a in db.Assessments.Where(a => a.FirmId == e.FirmId && a.IsLatest)
                     select a.Id;
        var firms = await latest.CountAsync(ct);
        if (firms < MinGroupSize)
        {
            return (new CommonList(firms, true, []), new CommonList(firms, true, []));
        }

        var content = catalog.Current;
        var flags = await db.AssessmentFlags.Where(f => latest.Contains(f.AssessmentId))
            .GroupBy(f => f.FlagId)
            .Select(g => new { Id = g.Key, Firms = g.Count() })
            .OrderByDescending(g => g.Firms).ThenBy(g => g.Id)
            .Take(CommonListLength)
            .ToListAsync(ct);
        var plan = await db.AssessmentPlanItems.Where(p => latest.Contains(p.AssessmentId))
            .GroupBy(p => p.AdviceId)
            .Select(g => new { Id = g.Key, Firms = g.Count(), InFirstThree = g.Count(p => p.Rank <= 3) })
            .OrderByDescending(g => g.Firms).ThenByDescending(g => g.InFirstThree).ThenBy(g => g.Id)
            .Take(CommonListLength)
            .ToListAsync(ct);
        return (
            new CommonList(firms, false, flags.Select(f => new CommonItem(f.Id, content.FindFlag(f.Id)?.Name ?? f.Id, f.Firms, null)).ToList()),
            new CommonList(firms, false, plan.Select(p => new CommonItem(p.Id, content.Advice.GetValueOrDefault(p.Id)?.Title ?? p.Id, p.Firms, p.InFirstThree)).ToList()));
    }

    /// <summary>A score (or a change) under a factor id; a class with setters so EF can group on its members.</summary>
    private sealed class KeyedScore
    {
        public string Key { get; init; } = "";

        public double Score { get; init; }
    }

    private sealed record ScoreStats(string Key, int Firms, double Mean, double Lowest, double Highest);

    private sealed record ChangeStats(string Key, int Firms, double Average);
}
