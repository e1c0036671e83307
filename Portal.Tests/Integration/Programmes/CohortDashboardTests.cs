using System.Globalization;
using System.Net;
using AngleSharp.Dom;
using AngleSharp.Html.Dom;
using Portal.Tests.TestSupport;
using Portal.Web.Features.Programmes;

namespace Portal.Tests.Integration.Programmes;

/// <summary>
/// The cohort dashboard as staff's browser gets it: every figure equals the one worked out in
/// the test from the same stored rows; breakdowns over too few firms are replaced by the
/// reason; firms that left or stopped sharing do not count; only the programme's staff get in.
/// </summary>
[Collection(CohortCollection.Name)]
public sealed class CohortDashboardTests(CohortFixture fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private CohortScenario Scenario => fixture.Scenario;

    [Fact]
    public async Task Funnel_CountsTheInvitations_ThenTheFirmsEnrolledAndSharing()
    {
        var expected = await CohortExpectations.ComputeAsync(Scenario, fixture.Spring, fixture.SpringVisible);
        var page = await DashboardAsync(fixture.SpringUrl);

        // Worked out by hand too, so a slip in both the expectation and the page cannot pass:
        // 8 invitations accepted (one left, one stopped sharing) + 3 open, 2 of them by addresses
        // that now have accounts; 9 firms count, 8 with a baseline, 5 reassessed since.
        Assert.Equal(new Dictionary<string, int> { ["invited"] = 11, ["registered"] = 10, ["enrolled"] = 9, ["baseline"] = 8, ["follow-up"] = 5 }, expected.Funnel);
        foreach (var (step, count) in expected.Funnel)
        {
            Assert.Equal(count.ToString(CultureInfo.InvariantCulture), Text(page, $"[data-testid=funnel] tr[data-step='{step}'] [data-testid=count]"));
        }

        Assert.Equal("9 firms", Text(page, "[data-testid=enrolled-firms]"));
        Assert.Contains("3 firms were enrolled without an invitation", Text(page, "[data-testid=direct]"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task FactorFigures_AndDistanceTravelled_EqualThoseWorkedOutFromTheStoredScores()
    {
        var expected = await CohortExpectations.ComputeAsync(Scenario, fixture.Spring, fixture.SpringVisible);
        var page = await DashboardAsync(fixture.SpringUrl);

        var rows = page.QuerySelectorAll("[data-testid=factor-table] tbody tr").Select(r => r.GetAttribute("data-factor")).ToList();
        Assert.Equal(TestContent.Real.Model.Factors.Select(f => f.Id).Prepend(CohortDashboardService.OverallKey), rows);
        foreach (var factor in expected.Factors.Values)
        {
            var row = $"[data-testid=factor-table] tr[data-factor='{factor.Id}']";
            Assert.Equal(8, factor.Firms); // the newcomer has no assessment; every persona firm has every factor
            Assert.Equal("8", Text(page, $"{row} [data-stat=firms]"));
            Assert.Equal(CohortExpectations.Shown(factor.Mean), Text(page, $"{row} [data-stat=mean]"));
            Assert.Equal(CohortExpectations.Shown(factor.Lowest), Text(page, $"{row} [data-stat=lowest]"));
            Assert.Equal(CohortExpectations.Shown(factor.LowerQuartile), Text(page, $"{row} [data-stat=lower-quartile]"));
            Assert.Equal(CohortExpectations.Shown(factor.Median), Text(page, $"{row} [data-stat=median]"));
            Assert.Equal(CohortExpectations.Shown(factor.UpperQuartile), Text(page, $"{row} [data-stat=upper-quartile]"));
            Assert.Equal(CohortExpectations.Shown(factor.Highest), Text(page, $"{row} [data-stat=highest]"));
            Assert.Equal("5", Text(page, $"{row} [data-stat=compared]"));
            var change = CohortExpectations.Rounded(factor.AverageChange!.Value);
            Assert.Equal((change > 0 ? "+" : "") + CohortExpectations.Shown(change), Text(page, $"{row} [data-stat=change]"));
        }

        // The reassessments moved some factors: the change is not zero everywhere.
        Assert.Contains(expected.Factors.Values, f => Math.Abs(f.AverageChange!.Value) >= 0.05);

        // Each shown factor has its box plot, named with its five figures.
        var capacity = expected.Factors["capacity"];
        var plot = page.QuerySelector("[data-testid=box-plots] li[data-factor='capacity'] svg[role=img]")!;
        Assert.Equal(
            $"Capacity, 8 firms: lowest {CohortExpectations.Shown(capacity.Lowest)}, lower quartile {CohortExpectations.Shown(capacity.LowerQuartile)}, median {CohortExpectations.Shown(capacity.Median)}, " +
            $"upper quartile {CohortExpectations.Shown(capacity.UpperQuartile)}, highest {CohortExpectations.Shown(capacity.Highest)}, mean {CohortExpectations.Shown(capacity.Mean)}",
            plot.GetAttribute("aria-label"));
        Assert.Equal(expected.Factors.Count, page.QuerySelectorAll("[data-testid=box-plots] li[data-factor] svg[role=img]").Length);
    }

    [Fact]
    public async Task BandsAndStageGroups_AtBaselineAndNow_CountTheStoredAssessments()
    {
        var expected = await CohortExpectations.ComputeAsync(Scenario, fixture.Spring, fixture.SpringVisible);
        var page = await DashboardAsync(fixture.SpringUrl);

        foreach (var band in TestContent.Real.Model.Bands)
        {
            var row = $"[data-testid=bands-table] tr[data-id='{band.Id}']";
            Assert.StartsWith($"{expected.BandsAtBaseline.GetValueOrDefault(band.Id)} (", Text(page, $"{row} [data-when=baseline]"), StringComparison.Ordinal);
            Assert.StartsWith($"{expected.BandsNow.GetValueOrDefault(band.Id)} (", Text(page, $"{row} [data-when=now]"), StringComparison.Ordinal);
        }

        foreach (var group in TestContent.Real.Model.StageGroups)
        {
            var row = $"[data-testid=stages-table] tr[data-id='{group.Id}']";
            Assert.StartsWith($"{expected.GroupsAtBaseline.GetValueOrDefault(group.Id)} (", Text(page, $"{row} [data-when=baseline]"), StringComparison.Ordinal);
            Assert.StartsWith($"{expected.GroupsNow.GetValueOrDefault(group.Id)} (", Text(page, $"{row} [data-when=now]"), StringComparison.Ordinal);
        }

        Assert.Equal(8, expected.BandsNow.Values.Sum());
        // The reassessments moved firms between bands and stages: baseline and now must differ to tell them apart.
        Assert.NotEqual(expected.BandsAtBaseline.OrderBy(b => b.Key), expected.BandsNow.OrderBy(b => b.Key)); // a reassessment moved a firm down a band
        Assert.NotEqual(expected.GroupsAtBaseline.OrderBy(g => g.Key), expected.GroupsNow.OrderBy(g => g.Key)); // and one up a stage
    }

    [Fact]
    public async Task MostCommonFlagsAndPlanItems_CountTheLatestAssessments_NamedFromContent()
    {
        var expected = await CohortExpectations.ComputeAsync(Scenario, fixture.Spring, fixture.SpringVisible);
        var page = await DashboardAsync(fixture.SpringUrl);

        var flags = expected.Flags.OrderByDescending(f => f.Value).ThenBy(f => f.Key, StringComparer.Ordinal).Take(10).ToList();
        Assert.NotEmpty(flags);
        Assert.Equal(flags.Select(f => f.Key), Ids(page, "[data-testid=flags-list] tbody tr"));
        foreach (var (id, count) in flags)
        {
            var row = $"[data-testid=flags-list] tr[data-id='{id}']";
            Assert.Equal(TestContent.Real.FindFlag(id)!.Name, Text(page, $"{row} th"));
            Assert.Equal($"{count} of 8", Text(page, $"{row} [data-stat=firms]"));
        }

        var plan = expected.PlanItems.OrderByDescending(p => p.Value.Firms).ThenByDescending(p => p.Value.FirstThree).ThenBy(p => p.Key, StringComparer.Ordinal).Take(10).ToList();
        Assert.Equal(plan.Select(p => p.Key), Ids(page, "[data-testid=plan-list] tbody tr"));
        foreach (var (id, (firms, firstThree)) in plan)
        {
            var row = $"[data-testid=plan-list] tr[data-id='{id}']";
            Assert.Equal(TestContent.Real.Advice[id].Title, Text(page, $"{row} th"));
            Assert.Equal($"{firms} of 8", Text(page, $"{row} [data-stat=firms]"));
            Assert.Equal(firstThree.ToString(CultureInfo.InvariantCulture), Text(page, $"{row} [data-stat=first-three]"));
        }
    }

    [Fact]
    public async Task FirmsThatLeftOrStoppedSharing_OrShareElsewhere_AreNotCounted()
    {
        // They are in the cohort's table, submitted and reassessed: counted, they would show.
        var inCohort = await Scenario.DbAsync(db => Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.CountAsync(
            db.Enrolments, e => e.CohortId == fixture.Spring && e.FirmId != null, Ct));
        Assert.Equal(fixture.SpringVisible.Count + 3, inCohort);
        Assert.All(new[] { fixture.Left, fixture.Withdrawn, fixture.Elsewhere }, f => Assert.True(f.Reassessed));

        var page = await DashboardAsync(fixture.SpringUrl);

        Assert.Equal("9", Text(page, "[data-testid=funnel] tr[data-step='enrolled'] [data-testid=count]"));
        Assert.Equal("5", Text(page, "[data-testid=funnel] tr[data-step='follow-up'] [data-testid=count]"));
        Assert.Equal("8", Text(page, "[data-testid=factor-table] tr[data-factor='overall'] [data-stat=firms]"));
        Assert.Equal("5", Text(page, "[data-testid=factor-table] tr[data-factor='overall'] [data-stat=compared]"));
    }

    [Fact]
    public async Task AFirmThatLeaves_DropsOutAtOnce_AndBelowTheThresholdTheFiguresGo()
    {
        // Four of the five reassessed since their first assessment, the cohort's baseline.
        var winter = await Scenario.AddCohortAsync(fixture.Programme, "Winter 2026");
        var firms = fixture.SpringVisible.Take(5).ToList();
        foreach (var firm in firms)
        {
            await Scenario.EnrolAsync(winter, firm, invited: false, baselineId: firm.FirstId);
        }

        var url = $"/programmes/{fixture.Programme}/cohorts/{winter}";
        await AssertOverallMatchesAsync(winter, url, firms);

        // The one that had not reassessed leaves: four remain, all compared.
        await Scenario.LeaveAsync(winter, firms[4]);
        firms.RemoveAt(4);
        await AssertOverallMatchesAsync(winter, url, firms);

        await Scenario.LeaveAsync(winter, firms[0]);
        var page = await DashboardAsync(url);
        Assert.Equal("3", Text(page, "[data-testid=funnel] tr[data-step='enrolled'] [data-testid=count]"));
        Assert.Contains("only 3 firms", page.QuerySelector("[data-suppressed='factors']")!.TextContent, StringComparison.Ordinal);
        Assert.Null(page.QuerySelector("[data-testid=factor-table]"));
        Assert.Null(page.QuerySelector("[data-testid=box-plots]"));
    }

    [Fact]
    public async Task BreakdownsOverTooFewFirms_AreNotShown_AndThePageSaysWhy()
    {
        var autumn = await DashboardAsync(fixture.AutumnUrl);

        foreach (var key in new[] { "bands", "stages", "factors", "flags", "plan" })
        {
            var note = Note(autumn, $"[data-suppressed='{key}']");
            Assert.Contains("only 3 firms, fewer than 4, so one firm could be recognised", note, StringComparison.Ordinal);
        }

        Assert.Empty(autumn.QuerySelectorAll("[data-testid=bands-table] table, [data-testid=flags-list] table, [data-testid=plan-list] table"));
        Assert.Empty(autumn.QuerySelectorAll("[data-testid=factor-table], [data-testid=box-plots], svg[role=img]"));
        Assert.Contains("fewer than 4 firms", Text(autumn, "[data-testid=anonymity]"), StringComparison.Ordinal);
        // The funnel is counts of invitations and firms, not results: it stays.
        Assert.Equal("1", Text(autumn, "[data-testid=funnel] tr[data-step='invited'] [data-testid=count]"));
        Assert.Equal("3", Text(autumn, "[data-testid=funnel] tr[data-step='baseline'] [data-testid=count]"));

        // Summer: five firms, two reassessed since their baseline: the spread shows, the change does not.
        var expected = await CohortExpectations.ComputeAsync(Scenario, fixture.Summer, fixture.SummerFirms);
        var summer = await DashboardAsync(fixture.SummerUrl);
        var overall = "[data-testid=factor-table] tr[data-factor='overall']";
        Assert.Equal(CohortExpectations.Shown(expected.Factors[CohortExpectations.Overall].Mean), Text(summer, $"{overall} [data-stat=mean]"));
        Assert.Equal("2", Text(summer, $"{overall} [data-stat=compared]"));
        Assert.Equal("Not shown: fewer than 4 firms", Text(summer, $"{overall} [data-stat=change-suppressed]"));
        Assert.Empty(summer.QuerySelectorAll("[data-testid=factor-table] [data-stat=change]"));
        Assert.NotNull(summer.QuerySelector("[data-testid=bands-table] table"));

        static string Note(IHtmlDocument document, string selector) =>
            (document.QuerySelector(selector) ?? throw new InvalidOperationException($"No {selector}")).TextContent;
    }

    [Fact]
    public async Task StaffOfAnotherProgramme_Get404_OwnersAndAdvisors403_AndAnonymousSignIn()
    {
        var url = $"{fixture.SpringUrl}/dashboard";
        var other = await Scenario.App.SignedInClientAsync(fixture.OtherStaff.Email!, CohortScenario.Password);
        var otherResponse = await other.GetAsync(url, Ct);
        Assert.Equal(HttpStatusCode.NotFound, otherResponse.StatusCode);
        Assert.DoesNotContain("Spring 2026", await otherResponse.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);

        // The programme's own staff, with the cohort under another programme's id or a made-up one.
        var staff = await Scenario.App.SignedInClientAsync(fixture.Staff.Email!, CohortScenario.Password);
        Assert.Equal(HttpStatusCode.NotFound, (await staff.GetAsync($"/programmes/{fixture.OtherProgramme}/cohorts/{fixture.Spring}/dashboard", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await staff.GetAsync($"/programmes/{fixture.Programme}/cohorts/{Guid.NewGuid()}/dashboard", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await staff.GetAsync(url, Ct)).StatusCode);

        var owner = await Scenario.App.SignedInClientAsync(fixture.Owner.OwnerEmail, CohortScenario.Password);
        Assert.Equal(HttpStatusCode.Forbidden, (await owner.GetAsync(url, Ct)).StatusCode);
        var advisor = await Scenario.App.SignedInClientAsync(fixture.Advisor.Email!, FirmFileSetup.Password);
        Assert.Equal(HttpStatusCode.Forbidden, (await advisor.GetAsync(url, Ct)).StatusCode);
        var anonymous = await Scenario.App.CreateBrowserlikeClient().GetAsync(url, Ct);
        Assert.Equal(HttpStatusCode.Redirect, anonymous.StatusCode);
        Assert.Contains("/Account/Login", anonymous.Headers.Location!.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Quantiles_AreThoseOfASpreadsheetsQuartileInc()
    {
        // QUARTILE.INC({1,2,3,4}, 1..3) = 1.75, 2.5, 3.25; one value is every quartile.
        Assert.Equal(1.75, CohortFigures.Quantile([1, 2, 3, 4], 0.25), 10);
        Assert.Equal(2.5, CohortFigures.Quantile([1, 2, 3, 4], 0.5), 10);
        Assert.Equal(3.25, CohortFigures.Quantile([1, 2, 3, 4], 0.75), 10);
        Assert.Equal(7, CohortFigures.Quantile([7], 0.25));
        Assert.Equal("+0.1", CohortFigures.Change(0.05));
        Assert.Equal("-0.1", CohortFigures.Change(-0.05));
        Assert.Equal("0.0", CohortFigures.Change(-0.04));
    }

    private async Task AssertOverallMatchesAsync(Guid cohortId, string url, IReadOnlyList<CohortFirm> firms)
    {
        var expected = (await CohortExpectations.ComputeAsync(Scenario, cohortId, firms)).Factors[CohortExpectations.Overall];
        var page = await DashboardAsync(url);
        var row = "[data-testid=factor-table] tr[data-factor='overall']";
        Assert.Equal(firms.Count.ToString(CultureInfo.InvariantCulture), Text(page, "[data-testid=funnel] tr[data-step='enrolled'] [data-testid=count]"));
        Assert.Equal(CohortExpectations.Shown(expected.Mean), Text(page, $"{row} [data-stat=mean]"));
        Assert.Equal(CohortExpectations.Shown(expected.Median), Text(page, $"{row} [data-stat=median]"));
        Assert.Equal(expected.Changes.Count.ToString(CultureInfo.InvariantCulture), Text(page, $"{row} [data-stat=compared]"));
        var change = CohortExpectations.Rounded(expected.AverageChange!.Value);
        Assert.Equal((change > 0 ? "+" : "") + CohortExpectations.Shown(change), Text(page, $"{row} [data-stat=change]"));
    }

    private async Task<IHtmlDocument> DashboardAsync(string cohortUrl)
    {
        var client = await Scenario.App.SignedInClientAsync(fixture.Staff.Email!, CohortScenario.Password);
        return await client.GetDocumentAsync($"{cohortUrl}/dashboard");
    }

    private static string Text(IHtmlDocument page, string selector) =>
        (page.QuerySelector(selector) ?? throw new InvalidOperationException($"No {selector} on the page")).TextContent.Trim();

    private static List<string?> Ids(IHtmlDocument page, string selector) =>
        page.QuerySelectorAll(selector).Select(r => r.GetAttribute("data-id")).ToList();
}
