using System.Text.Json.Nodes;
using Microsoft.Playwright;
using Portal.Tests.TestSupport;
using Portal.Web.Features.Accounts;
using static Microsoft.Playwright.Assertions;

namespace Portal.Tests.Browser.Owner;

/// <summary>Nothing an owner has answered is lost: not by reloading, not by losing the connection, not by a typing mistake.</summary>
public sealed class ResumeAndBadInputTests(Chromium chromium) : IAsyncLifetime
{
    private const string Password = "Test-password-123";
    private readonly PortalApp app = new(o => o.RealServer = true);
    private IPage page = default!;

    public async ValueTask InitializeAsync()
    {
        var email = $"resume.{Guid.NewGuid():N}@example.org";
        await app.CreateUserAsync(email, Password, PortalRoles.Owner);
        page = await chromium.NewPageAsync(app.BaseAddress);
        await OwnerSteps.TrackWebSocketsAsync(page);
        await OwnerSteps.SignInAsync(page, email, Password);
        await page.GotoAsync("/assessment");
    }

    public async ValueTask DisposeAsync()
    {
        await page.CloseContextAsync();
        await app.DisposeAsync();
    }

    private ILocator Radio(string questionId, string option) => page.Locator($"[id='q-{questionId}-{option}']");

    [Fact]
    public async Task HalfASection_SurvivesAReloadAndADroppedConnection()
    {
        var questions = TestContent.Real.Questionnaire.FindSection("current-scenario")!.Questions;
        await page.GotoAsync("/assessment/section/current-scenario");
        await OwnerSteps.WaitInteractiveAsync(page);
        await OwnerSteps.AnswerAsync(page, questions.Single(q => q.Id == "cs.intent"), JsonValue.Create("decided"));
        // Show-if applies live: the question for exporters appears as soon as the answer says the firm exports.
        var exportersQuestion = page.Locator("[data-question='cs.past-performance']");
        await Expect(exportersQuestion).ToHaveCountAsync(0);
        await OwnerSteps.AnswerAsync(page, questions.Single(q => q.Id == "cs.activity"), JsonValue.Create("agents"));
        await Expect(exportersQuestion).ToBeVisibleAsync();
        await OwnerSteps.AnswerAsync(page, questions.Single(q => q.Id == "cs.barriers"), new JsonArray("resources", "culture"));

        await page.ReloadAsync();
        await Expect(Radio("cs.intent", "decided")).ToBeCheckedAsync();
        await Expect(Radio("cs.activity", "agents")).ToBeCheckedAsync();
        await Expect(Radio("cs.barriers", "culture")).ToBeCheckedAsync();
        // Show-if is applied on reload too: agents bring the exporter questions.
        await Expect(page.Locator("[data-question='cs.past-performance']")).ToBeVisibleAsync();

        // Drop the connection: the circuit is lost and Blazor shows its reconnect dialog.
        await OwnerSteps.WaitInteractiveAsync(page);
        await page.Context.SetOfflineAsync(true);
        await OwnerSteps.DropConnectionAsync(page);
        await Expect(page.Locator("#components-reconnect-modal")).ToBeVisibleAsync(new() { Timeout = 20_000 });
        // The dialog fades in: Playwright counts opacity 0 as visible, so wait until it is fully shown.
        await Expect(page.Locator("#components-reconnect-modal")).ToHaveCSSAsync("opacity", "1");
        await Expect(page.Locator("#components-reconnect-modal .components-reconnect-first-attempt-visible")).ToBeVisibleAsync();
        // The viewport, not the full page: a full-page capture stretches the window and moves the dialog.
        await page.ScreenshotAsync(new() { Path = Path.Combine(RepoPaths.Screenshots, "owner-connection-lost.png") });
        await Expect(page.Locator("#components-reconnect-modal")).ToBeVisibleAsync(); // still shown when captured
        await page.Context.SetOfflineAsync(false);

        await page.ReloadAsync();
        await Expect(Radio("cs.intent", "decided")).ToBeCheckedAsync();
        await Expect(Radio("cs.activity", "agents")).ToBeCheckedAsync();
        await Expect(Radio("cs.barriers", "resources")).ToBeCheckedAsync();

        await page.GotoAsync("/assessment");
        await Expect(page.Locator("[data-section='current-scenario'] .tag")).ToHaveTextAsync("In progress");
        await page.GetByRole(AriaRole.Link, new() { Name = "Continue where you left off" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/assessment/section/current-scenario$"));
    }

    [Fact]
    public async Task BeforeThePageIsConnected_TheInputsAreDisabled_SoNoAnswerIsSilentlyLost()
    {
        // Hold Blazor's script until the test has tried to answer on the prerendered page.
        var release = new TaskCompletionSource();
        await page.RouteAsync("**/_framework/blazor.web*.js", async route =>
        {
            await release.Task;
            await route.ContinueAsync();
        });
        await page.GotoAsync("/assessment/section/current-scenario", new() { WaitUntil = WaitUntilState.Commit });

        var decided = Radio("cs.intent", "decided");
        await Expect(decided).ToBeVisibleAsync();
        await Expect(page.Locator(".section-page")).ToHaveAttributeAsync("data-interactive", "false");
        await Expect(decided).ToBeDisabledAsync();
        await Expect(page.GetByTestId("loading-hint")).ToHaveTextAsync("Loading… you can answer in a moment.");
        await decided.ClickAsync(new() { Force = true }); // what an impatient owner does
        await Expect(decided).Not.ToBeCheckedAsync(); // nothing looks chosen that would not be saved
        await page.ScreenshotToArtifactsAsync("owner-section-before-connected");

        release.SetResult();
        await OwnerSteps.WaitInteractiveAsync(page);
        await Expect(decided).ToBeEnabledAsync();
        await Expect(page.GetByTestId("loading-hint")).ToHaveCountAsync(0);
        await OwnerSteps.AnswerAsync(page, TestContent.Real.Questionnaire.Find("cs.intent")!, JsonValue.Create("decided"));

        await page.ReloadAsync();
        await OwnerSteps.WaitInteractiveAsync(page);
        await Expect(decided).ToBeCheckedAsync();
    }

    [Fact]
    public async Task TextWhereANumberBelongs_ShowsAMessageBesideTheField_AndKeepsTheOtherAnswers()
    {
        var profile = TestContent.Real.Questionnaire.Profile.Questions;
        await page.GotoAsync("/assessment/section/profile");
        await OwnerSteps.WaitInteractiveAsync(page);
        await OwnerSteps.AnswerAsync(page, profile.Single(q => q.Id == "sector"), JsonValue.Create("education"));
        await OwnerSteps.AnswerAsync(page, profile.Single(q => q.Id == "founded"), JsonValue.Create(2002));

        await OwnerSteps.SaveAsync(page, async () =>
        {
            await page.Locator("[id='q-founded-value']").FillAsync("two thousand");
            await page.Locator("[id='q-founded-value']").PressAsync("Tab");
        });

        var field = page.Locator("[data-question='founded']");
        await Expect(field.Locator(".field__error")).ToContainTextAsync("Enter a number without decimals, like 2010");
        await Expect(field.Locator("input")).ToHaveValueAsync("two thousand"); // what was typed stays, to correct
        await Expect(field.Locator("input")).ToHaveAttributeAsync("aria-invalid", "true");
        await Expect(field.Locator("input")).ToHaveAttributeAsync("aria-describedby", "hint-founded error-founded");
        await Expect(page.Locator(".error-summary")).ToContainTextAsync("In which year was your firm founded?");
        var violations = new List<string>();
        await page.LookAsync("owner-bad-number", violations);
        Assert.True(violations.Count == 0, string.Join("\n", violations));

        // The summary's link leads to the text box itself, and puts the cursor there.
        var link = page.Locator(".error-summary a");
        await Expect(link).ToHaveAttributeAsync("href", "assessment/section/profile#q-founded-value");
        await link.ClickAsync();
        await Expect(page.Locator("[id='q-founded-value']")).ToBeFocusedAsync();

        await page.ReloadAsync();
        await Expect(Radio("sector", "education")).ToBeCheckedAsync();
        await Expect(page.Locator("[id='q-founded-value']")).ToHaveValueAsync("2002"); // the last valid answer is kept
    }

    [Fact]
    public async Task ANumberOutOfRange_IsRefusedBesideTheField()
    {
        await page.GotoAsync("/assessment/section/profile");
        await OwnerSteps.WaitInteractiveAsync(page);
        await OwnerSteps.AnswerAsync(page, TestContent.Real.Questionnaire.Find("size")!, JsonValue.Create("small"));

        await OwnerSteps.SaveAsync(page, async () =>
        {
            await page.Locator("[id='q-founded-value']").FillAsync("1700");
            await page.Locator("[id='q-founded-value']").PressAsync("Tab");
        });

        await Expect(page.Locator("[data-question='founded'] .field__error")).ToContainTextAsync("1700 is out of range: expected a number from 1800 to 2100");
        await page.ReloadAsync();
        await Expect(Radio("size", "small")).ToBeCheckedAsync();
        await Expect(page.Locator("[id='q-founded-value']")).ToHaveValueAsync("");
    }
}
