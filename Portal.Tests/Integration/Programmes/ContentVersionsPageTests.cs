using System.Globalization;
using System.Net;
using AngleSharp.Html.Dom;
using Microsoft.EntityFrameworkCore;
using Portal.Tests.TestSupport;
using Portal.Web.Features.Accounts;

namespace Portal.Tests.Integration.Programmes;

/// <summary>
/// The content versions page: the content the portal runs, its size, and per cohort of the
/// staff member's programmes how many visible firms' latest results are scored with older
/// content; only their own programmes' cohorts; owners and advisors cannot reach it.
/// </summary>
public sealed class ContentVersionsPageTests
{
    private const string Url = "/programmes/content";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Staff_SeeTheCurrentContent_AndPerCohort_HowManyLatestResultsAreOlder_UntilReScored()
    {
        await using var scenario = await RescoreScenario.CreateAsync();
        await scenario.AddFirmAsync("lew-a", "Lew Instruments");
        await scenario.AddFirmAsync("lew-c", "Lew Components");
        await scenario.AddFirmAsync("harris-fletcher-d", "Delta Pumps Ltd");
        await scenario.AddFirmAsync("harris-fletcher-e", "Elm Software Ltd");      // chose the option the new content renames
        await scenario.AddFirmAsync("harris-fletcher-j", "Juniper Ltd", left: true); // left: not counted
        await scenario.AddUnassessedFirmAsync("Not Yet Ltd");                       // enrolled, no assessment
        await scenario.AddFirmAsync("harris-fletcher-b", "Bramble Learning Ltd", scenario.OtherCohortId);

        // With the content the firms were scored with, nothing is older.
        var before = await (await scenario.Before.SignedInClientAsync(scenario.Staff.Email!, RescoreScenario.Password)).GetDocumentAsync(Url);
        Assert.Equal(TestContent.Real.Version, Text(before, "content-version"));
        var cohort = Row(before, scenario.CohortId);
        Assert.Equal(("5", "4", "0"), Counts(cohort));

        // After a restart with new content, every assessed firm's result is older.
        var app = scenario.RestartWithNewContent();
        var client = await app.SignedInClientAsync(scenario.Staff.Email!, RescoreScenario.Password);
        var page = await client.GetDocumentAsync(Url);
        var content = scenario.NewContent;
        Assert.Equal(RescoreScenario.NewVersion, Text(page, "content-version"));
        Assert.Equal($"{content.Questionnaire.Questions.Count} in {content.Questionnaire.Sections.Count} sections", Text(page, "content-questions"));
        Assert.Equal(content.Rules.Count.ToString(CultureInfo.InvariantCulture), Text(page, "content-rules"));
        Assert.Equal(content.Advice.Count.ToString(CultureInfo.InvariantCulture), Text(page, "content-advice"));
        cohort = Row(page, scenario.CohortId);
        Assert.Equal(("5", "4", "4"), Counts(cohort));
        Assert.Contains($"{TestContent.Real.Version}: 4", cohort.QuerySelector("[data-testid=cohort-older]")!.TextContent, StringComparison.Ordinal);
        Assert.Contains("Export Ready", cohort.TextContent, StringComparison.Ordinal);
        Assert.Equal($"programmes/{scenario.ProgrammeId}/cohorts/{scenario.CohortId}/rescore", cohort.QuerySelector("a")!.GetAttribute("href"));

        // Only the staff member's own programmes: the other programme's cohort is not listed.
        Assert.Single(page.QuerySelectorAll("tr[data-cohort]"));
        var other = await (await app.SignedInClientAsync(scenario.OtherStaff.Email!, RescoreScenario.Password)).GetDocumentAsync(Url);
        Assert.Equal(("1", "1", "1"), Counts(Row(other, scenario.OtherCohortId)));
        Assert.Null(other.QuerySelector($"tr[data-cohort='{scenario.CohortId}']"));

        // Re-scored: what is left is the one whose answers no longer fit.
        await client.SubmitFormAsync(scenario.RescoreUrl, "apply", new() { ["Apply.Confirm"] = "true" });
        Assert.Equal(("5", "4", "1"), Counts(Row(await client.GetDocumentAsync(Url), scenario.CohortId)));
    }

    [Fact]
    public async Task StaffOnNoProgramme_AreToldSo_OwnersAndAdvisors_Get403()
    {
        await using var app = new PortalApp();
        await app.CreateUserAsync("staff@example.org", RescoreScenario.Password, PortalRoles.ProgrammeStaff);
        await app.CreateUserAsync("owner@example.org", RescoreScenario.Password, PortalRoles.Owner);
        await app.CreateUserAsync("advisor@example.org", RescoreScenario.Password, PortalRoles.Advisor);

        var staff = await (await app.SignedInClientAsync("staff@example.org", RescoreScenario.Password)).GetDocumentAsync(Url);
        Assert.Contains("not on the staff of a programme", staff.QuerySelector(".empty-state")!.TextContent, StringComparison.Ordinal);
        Assert.Equal(TestContent.Real.Version, Text(staff, "content-version"));

        foreach (var email in new[] { "owner@example.org", "advisor@example.org" })
        {
            var client = await app.SignedInClientAsync(email, RescoreScenario.Password);
            Assert.Equal(HttpStatusCode.Forbidden, (await client.GetAsync(Url, Ct)).StatusCode);
        }

        var anonymous = await app.CreateBrowserlikeClient().GetAsync(Url, Ct);
        Assert.Equal(HttpStatusCode.Redirect, anonymous.StatusCode);
        Assert.Equal(0, await app.QueryAsync(db => db.Programmes.CountAsync(Ct)));
    }

    private static AngleSharp.Dom.IElement Row(IHtmlDocument page, Guid cohortId) =>
        page.QuerySelector($"tr[data-cohort='{cohortId}']") ?? throw new InvalidOperationException($"No row for cohort {cohortId}");

    /// <summary>Firms, assessed, scored with older content.</summary>
    private static (string Firms, string Assessed, string Older) Counts(AngleSharp.Dom.IElement row) =>
        (row.QuerySelector("[data-testid=cohort-firms]")!.TextContent.Trim(),
         row.QuerySelector("[data-testid=cohort-assessed]")!.TextContent.Trim(),
         row.QuerySelector("[data-testid=cohort-older] strong")!.TextContent.Trim());

    private static string Text(IHtmlDocument page, string testId) =>
        page.QuerySelector($"[data-testid={testId}]")?.TextContent.Trim() ?? throw new InvalidOperationException($"No [data-testid={testId}] on the page");
}
