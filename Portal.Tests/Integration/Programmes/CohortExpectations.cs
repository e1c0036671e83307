using Microsoft.EntityFrameworkCore;
using Portal.Tests.TestSupport;

namespace Portal.Tests.Integration.Programmes;

/// <summary>A factor's figures worked out in the test: Changes null when no firm reassessed.</summary>
public sealed record ExpectedFactor(string Id, List<double> Latest, List<double> Changes)
{
    public int Firms => Latest.Count;

    public double Mean => Latest.Average();

    public double Lowest => Latest.Min();

    public double Highest => Latest.Max();

    public double LowerQuartile => CohortExpectations.QuartileInc(Latest, 1);

    public double Median => CohortExpectations.QuartileInc(Latest, 2);

    public double UpperQuartile => CohortExpectations.QuartileInc(Latest, 3);

    public double? AverageChange => Changes.Count == 0 ? null : Changes.Average();
}

public sealed record ExpectedCohort(
    Dictionary<string, int> Funnel,
    Dictionary<string, ExpectedFactor> Factors,
    Dictionary<string, int> BandsAtBaseline,
    Dictionary<string, int> BandsNow,
    Dictionary<string, int> GroupsAtBaseline,
    Dictionary<string, int> GroupsNow,
    int FirmsWithBaseline,
    int FirmsWithLatest,
    Dictionary<string, int> Flags,
    Dictionary<string, (int Firms, int FirstThree)> PlanItems);

/// <summary>
/// The cohort's figures worked out from the same stored rows as the portal's, by other means:
/// the firms are the test's own list (not ProgrammeAccess), the rows are loaded and counted,
/// averaged and sorted in memory with LINQ to objects.
/// </summary>
public static class CohortExpectations
{
    public const string Overall = "overall";

    /// <summary>A spreadsheet's QUARTILE.INC, written out as its documentation describes it.</summary>
    public static double QuartileInc(IEnumerable<double> values, int quart)
    {
        var sorted = values.Order().ToArray();
        var position = (sorted.Length - 1) * quart / 4.0;
        var below = (int)position;
        var fraction = position - below;
        return below + 1 < sorted.Length ? sorted[below] + (fraction * (sorted[below + 1] - sorted[below])) : sorted[below];
    }

    public static async Task<ExpectedCohort> ComputeAsync(CohortScenario scenario, Guid cohortId, IReadOnlyList<CohortFirm> visible)
    {
        var facts = scenario.Enrolments.Where(e => e.CohortId == cohortId).ToList();
        var baselines = visible.ToDictionary(f => f.FirmId, f => facts.Single(e => e.Firm?.FirmId == f.FirmId).BaselineId);
        var latestIds = visible.Where(f => f.LatestId != Guid.Empty).Select(f => f.LatestId).ToList();
        var ids = latestIds.Concat(baselines.Values.OfType<Guid>()).Distinct().ToList();

        var assessments = await scenario.DbAsync(db => db.Assessments.AsNoTracking().Where(a => ids.Contains(a.Id))
            .Select(a => new { a.Id, a.OverallScore, a.BandId, a.StageGroupId }).ToDictionaryAsync(a => a.Id));
        var scores = await scenario.DbAsync(db => db.AssessmentFactorScores.AsNoTracking().Where(s => ids.Contains(s.AssessmentId)).ToListAsync());
        var flags = await scenario.DbAsync(db => db.AssessmentFlags.AsNoTracking().Where(f => latestIds.Contains(f.AssessmentId)).ToListAsync());
        var plan = await scenario.DbAsync(db => db.AssessmentPlanItems.AsNoTracking().Where(p => latestIds.Contains(p.AssessmentId)).ToListAsync());

        double? ScoreOf(Guid assessment, string factor) => factor == Overall
            ? assessments[assessment].OverallScore
            : scores.SingleOrDefault(s => s.AssessmentId == assessment && s.FactorId == factor)?.Score;

        var factorIds = scores.Select(s => s.FactorId).Distinct().Prepend(Overall).ToList();
        var factors = new Dictionary<string, ExpectedFactor>();
        foreach (var factor in factorIds)
        {
            var latest = latestIds.Select(id => ScoreOf(id, factor)).OfType<double>().ToList();
            var changes = new List<double>();
            foreach (var firm in visible.Where(f => f.LatestId != Guid.Empty && baselines[f.FirmId] is { } b && b != f.LatestId))
            {
                if (ScoreOf(firm.LatestId, factor) is { } now && ScoreOf(baselines[firm.FirmId]!.Value, factor) is { } then)
                {
                    changes.Add(now - then);
                }
            }

            factors[factor] = new ExpectedFactor(factor, latest, changes);
        }

        var withBaseline = visible.Where(f => baselines[f.FirmId] is not null).ToList();
        var funnel = new Dictionary<string, int>
        {
            ["invited"] = facts.Count(e => e.InvitedEmail is not null),
            ["registered"] = facts.Count(e => e.InvitedEmail is not null && (e.Accepted || e.HasAccount)),
            ["enrolled"] = visible.Count,
            ["baseline"] = withBaseline.Count,
            ["follow-up"] = withBaseline.Count(f => f.LatestId != baselines[f.FirmId]),
        };

        return new ExpectedCohort(
            funnel,
            factors,
            withBaseline.GroupBy(f => assessments[baselines[f.FirmId]!.Value].BandId!).ToDictionary(g => g.Key, g => g.Count()),
            withBaseline.GroupBy(f => assessments[f.LatestId].BandId!).ToDictionary(g => g.Key, g => g.Count()),
            withBaseline.GroupBy(f => assessments[baselines[f.FirmId]!.Value].StageGroupId!).ToDictionary(g => g.Key, g => g.Count()),
            withBaseline.GroupBy(f => assessments[f.LatestId].StageGroupId!).ToDictionary(g => g.Key, g => g.Count()),
            withBaseline.Count,
            latestIds.Count,
            flags.GroupBy(f => f.FlagId).ToDictionary(g => g.Key, g => g.Count()),
            plan.GroupBy(p => p.AdviceId).ToDictionary(g => g.Key, g => (g.Count(), g.Count(p => p.Rank <= 3))));
    }

    /// <summary>One decimal, halves away from zero: how the dashboard and the factor export show a figure.</summary>
    /// <remarks>Rounded to 9 decimals first: sums added in another order differ in the last bits, and an exact half must not flip.</remarks>
    public static string Shown(double value) => Rounded(value).ToString("0.0", System.Globalization.CultureInfo.InvariantCulture);

    public static double Rounded(double value) => Math.Round(Math.Round(value, 9), 1, MidpointRounding.AwayFromZero) + 0.0;
}
