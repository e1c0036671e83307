using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Portal.Domain.Scoring;
using Portal.Tests.TestSupport;
using Portal.Web.Features.Accounts;
using Portal.Web.Features.Results;
using UglyToad.PdfPig;
using static Microsoft.Playwright.Assertions;

namespace Portal.Tests.Browser.Owner;

/// <summary>
/// A new owner goes from registering to "I know what to do next" in Chromium: confirms by
/// email, answers every section with a case firm's answers (Lew et al., Firm A), is refused
/// a submit with a section missing, checks and submits, reads the results, prints them and
/// downloads the PDF, shares them with an organisation an admin created and stops again,
/// then reassesses with one answer changed and sees what changed. Every page is
/// screenshotted at desktop and 375 px and checked with axe.
/// </summary>
public sealed class OwnerJourneyTests(MailDevServer mail, Chromium chromium)
{
    private const string Password = "Export-ready-2026";
    private const string FirmName = "Valves of Zhejiang Ltd";

    /// <summary>The answer the owner changes in the reassessment (from 4 in the persona).</summary>
    private const string ChangedQuestion = "cp.language";

    [Fact]
    public async Task NewOwner_RegistersAnswersSubmitsReadsResultsDownloadsPdfAndReassesses()
    {
        await using var app = new PortalApp(o => { o.RealServer = true; o.UseSmtp(mail); });
        var page = await chromium.NewPageAsync(app.BaseAddress);
        IPage? admin = null;
        var email = $"owner.{Guid.NewGuid():N}@example.org";
        var ct = TestContext.Current.CancellationToken;
        var persona = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(RepoPaths.Content, "personas", "lew-a.json"), ct))!.AsObject();
        var content = TestContent.Real;
        var sections = content.Questionnaire.Sections;
        var violations = new List<string>();
        try
        {
            await OwnerSteps.RegisterAndConfirmAsync(page, mail, email, Password);
            await OwnerSteps.SignInAsync(page, email, Password);

            await page.GotoAsync("/assessment");
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Your internationalization readiness assessment" })).ToBeVisibleAsync();
            await Expect(page.Locator("[data-section='profile'] .tag")).ToHaveTextAsync("Not started");
            await page.LookAsync("owner-overview-new", violations);

            // Every section but the last, in order.
            foreach (var section in sections.Take(sections.Count - 1))
            {
                await page.GotoAsync($"/assessment/section/{section.Id}");
                await OwnerSteps.FillSectionAsync(page, section, persona, firmName: FirmName);
                await page.LookAsync($"owner-section-{section.Id}", violations);
            }

            // Submitting with the last section open is refused, with a link to each missing answer.
            var last = sections[^1];
            await page.GotoAsync("/assessment/check");
            await Expect(page.Locator(".notice")).ToContainTextAsync("still needed before you can submit");
            await page.GetByRole(AriaRole.Button, new() { Name = "Submit and see your results" }).ClickAsync();
            await Expect(page.Locator(".error-summary")).ToBeVisibleAsync();
            await Expect(page.Locator(".error-summary__title")).ToHaveTextAsync("You cannot submit yet");
            await Expect(page).ToHaveTitleAsync(new Regex("^Error: Check your answers"));
            var missing = page.Locator(".error-summary a");
            Assert.True(await missing.CountAsync() > 0);
            Assert.All(await missing.AllTextContentsAsync(), text => Assert.StartsWith($"{last.Title}: ", text, StringComparison.Ordinal));
            await page.LookAsync("owner-check-refused", violations);

            // The first missing answer's link leads to its section, which leads back to check answers.
            await missing.First.ClickAsync();
            await Expect(page).ToHaveURLAsync(new Regex($"/assessment/section/{Regex.Escape(last.Id)}\\?from=check#q-"));
            await OwnerSteps.FillSectionAsync(page, last, persona);
            await page.LookAsync($"owner-section-{last.Id}", violations);
            await page.GetByRole(AriaRole.Link, new() { Name = "Back to check your answers" }).First.ClickAsync();
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Check your answers before submitting" })).ToBeVisibleAsync();

            await page.GotoAsync("/assessment");
            await Expect(page.Locator(".task-list .tag").Filter(new() { HasText = "Completed" })).ToHaveCountAsync(sections.Count);
            await Expect(page.Locator(".progress-summary")).ToContainTextAsync($"100% done, {sections.Count} of {sections.Count} sections completed");
            await page.LookAsync("owner-overview-complete", violations);

            await page.GetByRole(AriaRole.Link, new() { Name = "Check your answers and submit" }).ClickAsync();
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Check your answers before submitting" })).ToBeVisibleAsync();
            await Expect(page.GetByText(FirmName)).ToBeVisibleAsync();
            await Expect(page.Locator(".notice")).ToHaveCountAsync(0);
            await page.LookAsync("owner-check-answers", violations);

            // A Change link opens the question and leads back here, not on to the next section.
            await page.GetByRole(AriaRole.Link, new() { Name = "Change firm name" }).ClickAsync();
            await Expect(page).ToHaveURLAsync(new Regex("/assessment/section/profile\\?from=check#q-firm-name$"));
            await OwnerSteps.WaitInteractiveAsync(page);
            await Expect(page.Locator("#firm-name")).ToHaveValueAsync(FirmName);
            await page.GetByTestId("save-and-continue").ClickAsync();
            await Expect(page).ToHaveURLAsync(new Regex("/assessment/check$"));

            await page.GetByRole(AriaRole.Button, new() { Name = "Submit and see your results" }).ClickAsync();
            await Expect(page).ToHaveURLAsync(new Regex("/results/[0-9a-f-]{36}$"));
            var resultsId = Guid.Parse(page.Url[^36..]);

            // The band, score and stage the Domain's Assessor gives the persona's answers.
            var first = Score(persona);
            var expected = content.Personas.Single(p => p.Id == "lew-a");
            await Expect(page.GetByTestId("stage")).ToHaveTextAsync(content.Model.FindStage(expected.ExpectedStage).Name);
            await Expect(page.GetByTestId("overall-band")).ToHaveTextAsync(first.Overall.Band!.Name);
            await Expect(page.GetByTestId("overall-score")).ToHaveTextAsync(Shown(first.Overall.Score));
            var plan = page.GetByTestId("action-plan").Locator(".plan__item");
            Assert.True(await plan.CountAsync() >= 5, "the action plan lists steps");
            foreach (var advice in expected.ExpectedTopAdvice)
            {
                Assert.Contains(advice, await plan.EvaluateAllAsync<string[]>("items => items.slice(0, 5).map(i => i.dataset.advice)"));
            }

            await page.Locator(".plan__item").First.Locator("summary").ClickAsync();
            await Expect(page.Locator(".plan__item").First.Locator(".plan__sources")).ToContainTextAsync("Based on:");
            await Expect(page.GetByRole(AriaRole.Img, new() { Name = "Scores by factor" })).ToBeVisibleAsync();
            await Expect(page.Locator(".charts__radar-wide svg.radar-chart__svg polygon.radar-chart__gap-zone")).ToHaveCountAsync(1);
            await Expect(page.GetByTestId("changes")).ToHaveCountAsync(0); // nothing to compare with yet
            await page.LookAsync("owner-results", violations);

            await PrintingShowsEveryReasonAsync(page, ct);
            await DownloadedPdfHasTheReportAsync(page, first, ct);

            var printToken = app.Services.GetRequiredService<ReportPdfService>().CreatePrintToken(resultsId);
            await page.GotoAsync($"/results/{resultsId}/print?token={Uri.EscapeDataString(printToken)}");
            await Expect(page.GetByTestId("results-report")).ToBeVisibleAsync();
            await Expect(page.Locator("details:not([open])")).ToHaveCountAsync(0);
            await page.LookAsync("owner-print-view", violations);

            await page.GotoAsync($"/results/{resultsId}");
            await page.Locator(".plan__item").First.GetByRole(AriaRole.Link, new() { NameRegex = new Regex("^Read the advice") }).ClickAsync();
            await Expect(page).ToHaveURLAsync(new Regex("/advice/[a-z0-9-]+$"));
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Sources" })).ToBeVisibleAsync();
            await page.LookAsync("owner-advice", violations);

            // An admin adds an advisor organisation; the owner shares with it and stops again.
            admin = await chromium.NewPageAsync(app.BaseAddress);
            await AdminAddsAnOrganisationAsync(app, admin, "Zhejiang Trade Advisors", violations);
            await OwnerSharesAndStopsAsync(page, "Zhejiang Trade Advisors", violations);

            await page.GotoAsync("/settings/emails");
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Email preferences" })).ToBeVisibleAsync();
            await page.LookAsync("owner-email-settings", violations);
            await page.GotoAsync("/email/unsubscribe?token=not-a-real-token");
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "This unsubscribe link does not work" })).ToBeVisibleAsync();
            await page.LookAsync("owner-unsubscribe-bad-link", violations);
            await page.GotoAsync("/Error");
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Sorry, there is a problem with the service" })).ToBeVisibleAsync();
            await page.LookAsync("error-page", violations);

            // Reassessment: prefilled with the last answers; the owner changes one and submits.
            await page.GotoAsync("/assessment");
            await page.GetByRole(AriaRole.Button, new() { Name = "Start a reassessment" }).ClickAsync();
            await Expect(page.GetByText("Assessment 2")).ToBeVisibleAsync();
            await Expect(page.Locator(".task-list .tag").Filter(new() { HasText = "Completed" })).ToHaveCountAsync(sections.Count);
            await Expect(page.GetByRole(AriaRole.Link, new() { Name = "View results of assessment 1" })).ToBeVisibleAsync();
            await page.LookAsync("owner-reassessment", violations);

            var changed = content.Questionnaire.Find(ChangedQuestion)!;
            Assert.Equal(4, persona["answers"]![ChangedQuestion]!.GetValue<int>());
            await page.GotoAsync($"/assessment/section/{changed.Section.Id}");
            await OwnerSteps.WaitInteractiveAsync(page);
            await OwnerSteps.AnswerAsync(page, changed, JsonValue.Create(5));
            await page.GotoAsync("/assessment/check");
            await page.GetByRole(AriaRole.Button, new() { Name = "Submit and see your results" }).ClickAsync();
            await Expect(page).ToHaveURLAsync(new Regex("/results/[0-9a-f-]{36}$"));
            Assert.NotEqual(resultsId, Guid.Parse(page.Url[^36..]));

            var reassessed = persona.DeepClone().AsObject();
            reassessed["answers"]![ChangedQuestion] = 5;
            var second = Score(reassessed);
            Assert.Contains(second.Factors, f => Shown(f.Score) != Shown(first.Factor(f.Id)!.Score)); // the premise: a factor moved
            var changes = page.GetByTestId("changes");
            await Expect(changes.GetByRole(AriaRole.Heading, new() { Name = "What changed since assessment 1" })).ToBeVisibleAsync();
            foreach (var factor in second.Factors)
            {
                var before = first.Factor(factor.Id)!.Score;
                await Expect(changes.Locator($"tr[data-factor='{factor.Id}'] > *")).ToHaveTextAsync(
                    [factor.Name, Shown(before), Shown(factor.Score), ChangeText(before, factor.Score)]);
            }

            await Expect(page.GetByTestId("overall-score")).ToHaveTextAsync(Shown(second.Overall.Score));
            await Expect(page.Locator(".charts__radar-wide .radar-chart__legend")).ToContainTextAsync("Previous assessment (dashed line, squares)");
            await page.LookAsync("owner-results-compared", violations);

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
            if (admin is not null)
            {
                await admin.CloseContextAsync();
            }

            await page.CloseContextAsync();
        }
    }

    /// <summary>The persona's answers scored by Portal.Domain, as the portal stores them.</summary>
    private static AssessmentReport Score(JsonObject answers) =>
        AssessmentReport.From(Answers.From(TestContent.Real, answers).Assess(TimeProvider.System.GetUtcNow().Year));

    /// <summary>A score as the page shows it: a whole number, halves rounded up.</summary>
    private static string Shown(double? score) =>
        score is { } s ? Math.Round(s, MidpointRounding.AwayFromZero).ToString("0", CultureInfo.InvariantCulture) : "not assessed";

    private static string ChangeText(double? before, double? now)
    {
        var delta = int.Parse(Shown(now), CultureInfo.InvariantCulture) - int.Parse(Shown(before), CultureInfo.InvariantCulture);
        return delta > 0 ? $"Up {delta}" : delta < 0 ? $"Down {-delta}" : "No change";
    }

    /// <summary>
    /// The Print button's output has every reason: in print media the closed "Why you see this"
    /// shows its content, printing the page to PDF keeps it, and beforeprint opens every detail
    /// (afterprint closes them again).
    /// </summary>
    private static async Task PrintingShowsEveryReasonAsync(IPage page, CancellationToken ct)
    {
        var closedWhy = page.Locator(".plan__item").Nth(1).Locator(".plan__why");
        await Expect(closedWhy).Not.ToHaveAttributeAsync("open", "");
        await Expect(closedWhy.Locator(".plan__sources")).ToBeHiddenAsync();

        await page.EmulateMediaAsync(new() { Media = Media.Print });
        try
        {
            await Expect(closedWhy.Locator(".plan__sources")).ToBeVisibleAsync();
            await Expect(page.Locator(".charts__radar-wide .radar-chart__table")).ToBeVisibleAsync();
            await page.ScreenshotToArtifactsAsync("owner-results-print-media");
            var printed = PdfText(await page.PdfAsync(new() { Format = "A4" }));
            var reasons = await page.Locator(".plan__why .plan__sources").CountAsync();
            Assert.True(Count(printed, "Based on:") >= reasons, $"every plan item's sources are printed ({reasons})");
        }
        finally
        {
            await page.EmulateMediaAsync(new() { Media = Media.Screen });
        }

        var closed = await page.Locator("details:not([open])").CountAsync();
        Assert.True(closed > 0);
        await page.EvaluateAsync("() => window.dispatchEvent(new Event('beforeprint'))");
        await Expect(page.Locator("details:not([open])")).ToHaveCountAsync(0);
        await page.EvaluateAsync("() => window.dispatchEvent(new Event('afterprint'))");
        await Expect(page.Locator("details:not([open])")).ToHaveCountAsync(closed);
    }

    private static async Task DownloadedPdfHasTheReportAsync(IPage page, AssessmentReport expected, CancellationToken ct)
    {
        var download = await page.RunAndWaitForDownloadAsync(() => page.GetByTestId("download-pdf").ClickAsync());
        Assert.Equal("readiness-report-assessment-1.pdf", download.SuggestedFilename);
        var path = Path.Combine(RepoPaths.Artifacts, "owner-results.pdf");
        await download.SaveAsAsync(path);
        var bytes = await File.ReadAllBytesAsync(path, ct);
        using var document = PdfDocument.Open(bytes);
        Assert.True(document.NumberOfPages >= 2, $"{document.NumberOfPages} pages");

        var text = PdfText(bytes);
        Assert.Contains(FirmName, text, StringComparison.Ordinal);
        Assert.Contains("Your internationalization readiness results", text, StringComparison.Ordinal);
        Assert.Contains(expected.Overall.Band!.Name, text, StringComparison.Ordinal);
        Assert.Contains("Your action plan", text, StringComparison.Ordinal);
        Assert.Contains(expected.ActionPlan.First(i => i.Audience == "owner").Title, text, StringComparison.Ordinal);
        Assert.Contains("Why you see this", text, StringComparison.Ordinal);
        Assert.Contains("Based on:", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Page not found", text, StringComparison.Ordinal);
        // The radar's table is open in print: its caption and each gap's threshold are on paper.
        Assert.Contains("Scores by factor", text, StringComparison.Ordinal);
        foreach (var gap in expected.Factors.Where(f => f.IsGap))
        {
            Assert.Contains($"Below threshold of {gap.Threshold:0}", text, StringComparison.Ordinal);
        }
    }

    private static string PdfText(byte[] pdf)
    {
        using var document = PdfDocument.Open(pdf);
        return string.Join("\n", document.GetPages().Select(p => string.Join(" ", p.GetWords().Select(w => w.Text))));
    }

    private static int Count(string text, string part) => Regex.Matches(text, Regex.Escape(part)).Count;

    private static async Task AdminAddsAnOrganisationAsync(PortalApp app, IPage admin, string name, List<string> violations)
    {
        var email = $"admin.{Guid.NewGuid():N}@example.org";
        await app.CreateUserAsync(email, Password, PortalRoles.Admin);
        await OwnerSteps.SignInAsync(admin, email, Password);
        await admin.GotoAsync("/admin/organisations");
        await Expect(admin.GetByText("No organisation yet. Add the first one above.")).ToBeVisibleAsync();

        // A missing name is refused beside the field, which says so to assistive technology.
        await admin.GetByRole(AriaRole.Button, new() { Name = "Add organisation" }).ClickAsync();
        var field = admin.Locator("#org-name");
        await Expect(field).ToHaveAttributeAsync("aria-invalid", "true");
        await Expect(field).ToHaveAttributeAsync("aria-describedby", "error-org-name");
        await Expect(admin.Locator("#error-org-name")).ToContainTextAsync("Enter the organisation's name");
        await admin.LookAsync("admin-organisations-error", violations);

        await field.FillAsync(name);
        await admin.GetByLabel("Description (optional)").FillAsync("Advisors for manufacturers selling abroad");
        await admin.GetByRole(AriaRole.Button, new() { Name = "Add organisation" }).ClickAsync();
        await Expect(admin.GetByRole(AriaRole.Status)).ToHaveTextAsync($"“{name}” was added.");
        await Expect(admin.Locator("table tbody tr")).ToHaveCountAsync(1);
        await admin.LookAsync("admin-organisations", violations);
    }

    private static async Task OwnerSharesAndStopsAsync(IPage page, string organisation, List<string> violations)
    {
        await page.GotoAsync("/firm/sharing");
        var item = page.Locator($"[data-organisation='{organisation}']");
        await Expect(item.Locator(".tag")).ToHaveTextAsync("Not sharing");
        await page.LookAsync("owner-sharing", violations);

        await item.GetByRole(AriaRole.Button, new() { Name = $"Share my results with {organisation}" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync($"{organisation} can now see your results.");
        await Expect(item.Locator(".tag")).ToHaveTextAsync("Sharing");
        await page.LookAsync("owner-sharing-shared", violations);

        await item.GetByRole(AriaRole.Button, new() { Name = $"Stop sharing with {organisation}" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync($"You have stopped sharing with {organisation}.");
        await Expect(item.Locator(".tag")).ToHaveTextAsync("Not sharing");
    }
}
