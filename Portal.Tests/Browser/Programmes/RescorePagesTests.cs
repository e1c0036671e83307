using Microsoft.Playwright;
using Portal.Tests.Integration.Programmes;
using Portal.Tests.TestSupport;
using static Microsoft.Playwright.Assertions;

namespace Portal.Tests.Browser.Programmes;

/// <summary>
/// After new content is deployed, programme staff in Chromium: see the version and which
/// cohort holds older results, preview the re-scoring, are stopped until they confirm, apply
/// it; the owner of a re-scored firm then reads the result as first given. Each page is
/// screenshotted at desktop and 375 px with no serious or critical axe violations.
/// </summary>
public sealed class RescorePagesTests(Chromium chromium)
{
    [Fact]
    public async Task Staff_PreviewAndApplyTheReScoring_AndTheOwnerSeesTheResultAsFirstGiven()
    {
        await using var scenario = await RescoreScenario.CreateAsync();
        var delta = await scenario.AddFirmAsync("harris-fletcher-d", "Delta Pumps Ltd");
        await scenario.AddFirmAsync("harris-fletcher-b", "Bramble Learning Ltd");
        await scenario.AddFirmAsync("lew-b", "Lew Textiles");
        await scenario.AddFirmAsync("harris-fletcher-a", "Alder Education Ltd"); // answers the new questionnaire refuses
        var changing = scenario.Firms.Count(f => f.Changes);
        var usable = scenario.Firms.Count(f => f.Expected is not null);
        var app = scenario.RestartWithNewContent(o => o.RealServer = true);

        var violations = new List<string>();
        var page = await chromium.NewPageAsync(app.BaseAddress);
        try
        {
            await OwnerSteps.SignInAsync(page, scenario.Staff.Email!, RescoreScenario.Password);
            await page.GotoAsync("/programmes/content");
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Content versions", Level = 1 })).ToBeVisibleAsync();
            await Expect(page.GetByTestId("content-version")).ToHaveTextAsync(RescoreScenario.NewVersion);
            await Expect(page.Locator($"tr[data-cohort='{scenario.CohortId}'] [data-testid=cohort-older] strong")).ToHaveTextAsync(scenario.Firms.Count.ToString(System.Globalization.CultureInfo.InvariantCulture));
            await page.LookAsync("programmes-content", violations);

            await page.GetByRole(AriaRole.Link, new() { Name = "Preview re-scoring" }).ClickAsync();
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = $"Re-score with content {RescoreScenario.NewVersion}", Level = 1 })).ToBeVisibleAsync();
            await Expect(page.Locator("[data-testid=changes] tr[data-firm]")).ToHaveCountAsync(changing);
            await Expect(page.Locator($"[data-testid=changes] tr[data-firm='{delta.FirmId}']")).ToContainTextAsync(delta.Expected!.Stage.Name);
            await Expect(page.Locator("[data-testid=unusable] li")).ToHaveCountAsync(1);
            await page.LookAsync("programmes-rescore-preview", violations);

            // Not confirmed: the reason beside the box, nothing applied.
            await page.GetByRole(AriaRole.Button, new() { Name = "Apply the re-scoring" }).ClickAsync();
            await Expect(page.Locator(".error-summary")).ToContainTextAsync("Tick the box to confirm");
            await Expect(page.Locator("#error-confirm")).ToBeVisibleAsync();
            await Expect(page.GetByTestId("history").Locator("tbody tr")).ToHaveCountAsync(0);
            await page.LookAsync("programmes-rescore-refused", violations);

            await page.GetByLabel($"Re-score {usable} assessments").CheckAsync();
            await page.GetByRole(AriaRole.Button, new() { Name = "Apply the re-scoring" }).ClickAsync();
            await Expect(page.GetByTestId("done")).ToContainTextAsync($"{usable} assessments re-scored with content {RescoreScenario.NewVersion}");
            await Expect(page.GetByTestId("history").Locator("tbody tr")).ToHaveCountAsync(usable);
            await Expect(page.GetByTestId("apply")).ToHaveCountAsync(0);
            await page.LookAsync("programmes-rescore-applied", violations);
        }
        finally
        {
            await page.CloseContextAsync();
        }

        var owner = await chromium.NewPageAsync(app.BaseAddress);
        try
        {
            await OwnerSteps.SignInAsync(owner, delta.Owner.Email!, FirmFileSetup.Password);
            await owner.GotoAsync($"/results/{delta.AssessmentId}");
            await Expect(owner.GetByTestId("rescored")).ToContainTextAsync($"with content {RescoreScenario.NewVersion}; the result as first given: band {delta.Before.Overall.Band!.Name}");
            await Expect(owner.GetByTestId("stage")).ToHaveTextAsync(delta.Expected.Stage.Name);
            await owner.LookAsync("owner-results-rescored", violations);
        }
        finally
        {
            await owner.CloseContextAsync();
        }

        Assert.True(violations.Count == 0, string.Join("\n", violations));
    }
}
