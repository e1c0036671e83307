using System.Text.Json.Nodes;
using Microsoft.Playwright;
using Portal.Tests.TestSupport;
using static Microsoft.Playwright.Assertions;

namespace Portal.Tests.Browser.Owner;

/// <summary>
/// A new owner goes from registering to "I know what to do next" in Chromium: confirms by
/// email, answers every section with a case firm's answers (Lew et al., Firm A), checks and
/// submits, reads the results, downloads the PDF and starts a reassessment. Every page is
/// screenshotted at desktop and phone width and checked with axe.
/// </summary>
public sealed class OwnerJourneyTests(MailDevServer mail, Chromium chromium)
{
    private const string Password = "Export-ready-2026";

    [Fact]
    public async Task NewOwner_RegistersAnswersSubmitsReadsResultsDownloadsPdfAndReassesses()
    {
        await using var app = new PortalApp(o => { o.RealServer = true; o.UseSmtp(mail); });
        var page = await chromium.NewPageAsync(app.BaseAddress);
        var email = $"owner.{Guid.NewGuid():N}@example.org";
        var persona = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(RepoPaths.Content, "personas", "lew-a.json"), TestContext.Current.CancellationToken))!.AsObject();
        var content = TestContent.Real;
        var violations = new List<string>();
        try
        {
            await OwnerSteps.RegisterAndConfirmAsync(page, mail, email, Password);
            await OwnerSteps.SignInAsync(page, email, Password);

            await page.GotoAsync("/assessment");
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Your internationalization readiness assessment" })).ToBeVisibleAsync();
            await Expect(page.Locator("[data-section='profile'] .tag")).ToHaveTextAsync("Not started");
            await LookAsync(page, "owner-overview-new", violations);

            foreach (var section in content.Questionnaire.Sections)
            {
                await page.GotoAsync($"/assessment/section/{section.Id}");
                await OwnerSteps.FillSectionAsync(page, section, persona, firmName: "Valves of Zhejiang Ltd");
                await LookAsync(page, $"owner-section-{section.Id}", violations, mobile: section.IsProfile || section.Id == "networks");
            }

            await page.GotoAsync("/assessment");
            await Expect(page.Locator(".task-list .tag").Filter(new() { HasText = "Completed" })).ToHaveCountAsync(content.Questionnaire.Sections.Count);
            await LookAsync(page, "owner-overview-complete", violations);

            await page.GetByRole(AriaRole.Link, new() { Name = "Check your answers and submit" }).ClickAsync();
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Check your answers before submitting" })).ToBeVisibleAsync();
            await Expect(page.GetByText("Valves of Zhejiang Ltd")).ToBeVisibleAsync();
            await LookAsync(page, "owner-check-answers", violations);

            await page.GetByRole(AriaRole.Button, new() { Name = "Submit and see your results" }).ClickAsync();
            await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/results/[0-9a-f-]{36}$"));
            var expected = content.Personas.Single(p => p.Id == "lew-a");
            await Expect(page.GetByTestId("stage")).ToHaveTextAsync(content.Model.FindStage(expected.ExpectedStage).Name);
            await Expect(page.GetByTestId("overall-band")).Not.ToBeEmptyAsync();
            var plan = page.GetByTestId("action-plan").Locator(".plan__item");
            Assert.True(await plan.CountAsync() >= 5, "the action plan lists steps");
            foreach (var advice in expected.ExpectedTopAdvice)
            {
                Assert.Contains(advice, await plan.EvaluateAllAsync<string[]>("items => items.slice(0, 5).map(i => i.dataset.advice)"));
            }

            await page.Locator(".plan__item").First.Locator("summary").ClickAsync();
            await Expect(page.Locator(".plan__item").First.Locator(".plan__sources")).ToContainTextAsync("Based on:");
            await Expect(page.GetByRole(AriaRole.Img, new() { Name = "Scores by factor" })).ToBeVisibleAsync();
            await LookAsync(page, "owner-results", violations);

            var download = await page.RunAndWaitForDownloadAsync(() => page.GetByTestId("download-pdf").ClickAsync());
            var pdf = Path.Combine(RepoPaths.Artifacts, "owner-results.pdf");
            await download.SaveAsAsync(pdf);
            var bytes = await File.ReadAllBytesAsync(pdf, TestContext.Current.CancellationToken);
            Assert.Equal("%PDF", System.Text.Encoding.ASCII.GetString(bytes, 0, 4));
            Assert.True(bytes.Length > 20_000, $"PDF of {bytes.Length} bytes");

            await page.GotoAsync("/firm/sharing");
            await LookAsync(page, "owner-sharing", violations);

            await page.GotoAsync("/assessment");
            await page.GetByRole(AriaRole.Button, new() { Name = "Start a reassessment" }).ClickAsync();
            await Expect(page.GetByText("Assessment 2")).ToBeVisibleAsync();
            // Prefilled with the last answers: every section is already complete.
            await Expect(page.Locator(".task-list .tag").Filter(new() { HasText = "Completed" })).ToHaveCountAsync(content.Questionnaire.Sections.Count);
            await Expect(page.GetByRole(AriaRole.Link, new() { Name = "View results of assessment 1" })).ToBeVisibleAsync();
            await LookAsync(page, "owner-reassessment", violations);

            Assert.True(violations.Count == 0, string.Join("\n", violations));
        }
        catch
        {
            await page.ScreenshotToArtifactsAsync("owner-journey-failure");
            app.Logs.WriteTo(Path.Combine(RepoPaths.Artifacts, "owner-journey-failure.log"));
            throw;
        }
        finally
        {
            await page.CloseContextAsync();
        }
    }

    /// <summary>Screenshot and axe at desktop width, and, when asked, the same page at 375 px in the same session.</summary>
    private static async Task LookAsync(IPage page, string name, List<string> violations, bool mobile = true)
    {
        await page.ScreenshotToArtifactsAsync($"{name}-desktop");
        violations.AddRange((await page.SeriousAxeViolationsAsync()).Select(v => $"{name} (desktop): {v}"));
        if (!mobile)
        {
            return;
        }

        var phone = await page.Context.NewPageAsync();
        try
        {
            await phone.SetViewportSizeAsync(375, 800);
            await phone.GotoAsync(page.Url);
            await phone.ScreenshotToArtifactsAsync($"{name}-mobile");
            violations.AddRange((await phone.SeriousAxeViolationsAsync()).Select(v => $"{name} (375 px): {v}"));
            var wide = await phone.EvaluateAsync<string[]>("""
                () => document.documentElement.scrollWidth <= window.innerWidth + 1 ? [] :
                  [...document.querySelectorAll('body *')]
                    .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
                    .slice(0, 5).map(e => e.tagName.toLowerCase() + '.' + [...e.classList].join('.') + ' ' + Math.round(e.getBoundingClientRect().right) + 'px')
                """);
            if (wide.Length > 0)
            {
                violations.Add($"{name} (375 px): the page scrolls sideways: {string.Join(", ", wide)}");
            }
        }
        finally
        {
            await phone.CloseAsync();
        }
    }
}
