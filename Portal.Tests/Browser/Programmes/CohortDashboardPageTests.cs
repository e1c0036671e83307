using System.Globalization;
using ClosedXML.Excel;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using Portal.Tests.Integration.Programmes;
using Portal.Tests.TestSupport;
using static Microsoft.Playwright.Assertions;

namespace Portal.Tests.Browser.Programmes;

/// <summary>
/// Programme staff in Chromium: the cohort dashboard with its funnel, tables and box plots,
/// both kinds of download, and a small cohort whose breakdowns are replaced by the reason.
/// Screenshots at 1280 and 375 px; no serious or critical axe violations.
/// </summary>
public sealed class CohortDashboardPageTests(Chromium chromium)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Staff_ReadTheDashboard_DownloadTheExports_AndSeeWhySmallGroupsAreHidden()
    {
        await using var scenario = await CohortScenario.CreateAsync(minGroupSize: 3, realServer: true);
        var organisation = await scenario.AddOrganisationAsync("North Trade");
        var programme = await scenario.AddProgrammeAsync(organisation, "Export Ready");
        var staff = await scenario.AddStaffAsync("staff.browser@cohort.test", programme);
        var spring = await scenario.AddCohortAsync(programme, "Spring 2026");
        var pilot = await scenario.AddCohortAsync(programme, "Pilot group");
        (string Persona, string Name, string? Reassess)[] personas =
        [
            ("lew-a", "Lew Alpha Ltd", "harris-fletcher-g"),
            ("lew-b", "Café Åland Oy", "harris-fletcher-h"),
            ("harris-fletcher-a", "Harris Valves", "harris-fletcher-i"),
            ("harris-fletcher-b", "Bravo Machines", null),
            ("harris-fletcher-c", "Charlie Foods", null),
            ("harris-fletcher-d", "Delta Textiles", null),
        ];
        var firms = new List<CohortFirm>();
        foreach (var (persona, name, reassess) in personas)
        {
            var firm = await scenario.AddPersonaFirmAsync(persona, name, organisation);
            await scenario.EnrolAsync(spring, firm, invited: firms.Count < 4, staffId: staff.Id);
            firms.Add(reassess is null ? firm : await scenario.ReassessAsync(firm, reassess));
        }

        await scenario.InviteAsync(spring, "still.thinking@cohort.test");
        await scenario.EnrolAsync(pilot, firms[0], invited: false, baselineId: firms[0].FirstId, staffId: staff.Id);
        await scenario.EnrolAsync(pilot, firms[3], invited: false, staffId: staff.Id);

        // A factor only two firms' latest assessments scored (as one added by a newer content
        // version would be): its figures give way to the reason, the other factors stay.
        var unscored = firms.Skip(2).Select(f => f.LatestId).ToList();
        await scenario.DbAsync(db => db.AssessmentFactorScores.Where(s => s.FactorId == "timing" && unscored.Contains(s.AssessmentId))
            .ExecuteUpdateAsync(u => u.SetProperty(s => s.Score, (double?)null), Ct));

        var violations = new List<string>();
        var page = await chromium.NewPageAsync(scenario.App.BaseAddress);
        try
        {
            await OwnerSteps.SignInAsync(page, staff.Email!, CohortScenario.Password);
            await page.GotoAsync($"programmes/{programme}/cohorts/{spring}/dashboard");
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Spring 2026: dashboard", Level = 1 })).ToBeVisibleAsync();
            await Expect(page.Locator("tr[data-step='invited'] [data-testid=count]")).ToHaveTextAsync("5");
            await Expect(page.Locator("tr[data-step='enrolled'] [data-testid=count]")).ToHaveTextAsync("6");
            await Expect(page.Locator("tr[data-step='follow-up'] [data-testid=count]")).ToHaveTextAsync("3");
            await Expect(page.GetByRole(AriaRole.Img, new() { NameRegex = new("^Overall readiness, 6 firms: lowest") })).ToBeVisibleAsync();
            await Expect(page.Locator("[data-testid=factor-table] tr[data-factor='overall'] [data-stat=change]")).ToBeVisibleAsync();
            await Expect(page.Locator("[data-testid=factor-table] tr[data-factor='timing'] [data-stat=suppressed]")).ToHaveTextAsync("Not shown: fewer than 3 firms");
            await Expect(page.Locator("[data-testid=box-plots] li[data-factor='timing']")).ToContainTextAsync("Not shown: 2 firms scored, fewer than 3.");
            await Expect(page.Locator("[data-testid=box-plots] svg[role=img]")).ToHaveCountAsync(TestContent.Real.Model.Factors.Count); // all but timing, and overall
            await page.LookAsync("cohort-dashboard", violations);

            // The spreadsheet of the firms: one row per firm under the header, named after the cohort.
            var workbook = await page.RunAndWaitForDownloadAsync(() =>
                page.GetByRole(AriaRole.Link, new() { Name = "Excel workbook of the firms" }).ClickAsync());
            Assert.Equal($"spring-2026-firms-{scenario.Now.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}.xlsx", workbook.SuggestedFilename);
            await using (var file = File.OpenRead(await workbook.PathAsync()))
            using (var book = new XLWorkbook(file))
            {
                var names = book.Worksheet("Firms").Column(1).CellsUsed().Skip(1).Select(c => c.GetString()).ToList();
                Assert.Equal(personas.Select(p => p.Name).Order(StringComparer.Ordinal), names);
            }

            var factors = await page.RunAndWaitForDownloadAsync(() =>
                page.GetByRole(AriaRole.Link, new() { Name = "CSV file of the factor summary" }).ClickAsync());
            Assert.EndsWith(".csv", factors.SuggestedFilename, StringComparison.Ordinal);
            var csv = await File.ReadAllBytesAsync(await factors.PathAsync(), Ct);
            Assert.Equal(new byte[] { 0xEF, 0xBB, 0xBF }, csv[..3]);
            Assert.Contains("Overall readiness,6,", System.Text.Encoding.UTF8.GetString(csv), StringComparison.Ordinal);

            // Two firms: every breakdown gives way to the reason.
            await page.GotoAsync($"programmes/{programme}/cohorts/{pilot}/dashboard");
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Pilot group: dashboard", Level = 1 })).ToBeVisibleAsync();
            await Expect(page.Locator("[data-suppressed='bands']")).ToContainTextAsync("only 2 firms, fewer than 3, so one firm could be recognised");
            await Expect(page.GetByRole(AriaRole.Img)).ToHaveCountAsync(0);
            await page.LookAsync("cohort-dashboard-suppressed", violations);

            Assert.True(violations.Count == 0, string.Join("\n", violations));
        }
        finally
        {
            await page.CloseContextAsync();
        }
    }
}
