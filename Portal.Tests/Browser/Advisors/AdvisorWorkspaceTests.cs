using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using Portal.Tests.Integration.Advisors;
using Portal.Tests.TestSupport;
using Portal.Web.Data.Entities;
using static Microsoft.Playwright.Assertions;

namespace Portal.Tests.Browser.Advisors;

/// <summary>
/// An advisor's day in Chromium: sign in, filter the triage queue, open the firm at the top,
/// read why it is there, add a note, take ownership, set the status and schedule a message
/// that reaches the SMTP test server only when the clock reaches its time. Each page is
/// screenshotted at desktop and 375 px with no serious or critical axe violations.
/// </summary>
public sealed class AdvisorWorkspaceTests(MailDevServer mail, Chromium chromium)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Advisor_TriagesTheQueue_WorksTheTopFirm_AndTheirMessageArrivesWhenDue()
    {
        await using var scenario = await QueueScenario.CreateAsync(o =>
        {
            o.UseSmtp(mail);
            o.Settings["FollowUps:DispatchEveryMinutes"] = "0"; // the test runs the dispatcher when it moves the clock
        }, realServer: true);
        var app = scenario.App;
        var organisation = await scenario.AddOrganisationAsync("Scottish Enterprise");
        var other = await scenario.AddOrganisationAsync("Chamber of Commerce");
        var run = Guid.NewGuid().ToString("N")[..8]; // maildev serves the whole run: the subject is unique
        var advisor = (await scenario.AddAdvisorAsync($"advisor.{run}@example.org", organisation))!;
        await scenario.AddAdvisorAsync($"colleague.{run}@example.org", organisation);
        string[] personas = ["lew-a", "lew-b", "lew-c", "lew-d", "harris-fletcher-a", "harris-fletcher-c", "harris-fletcher-e", "harris-fletcher-h"];
        foreach (var persona in personas)
        {
            await scenario.AddPersonaFirmAsync(persona, $"Firm {persona}", organisation);
        }

        // The strongest claim on a call of all firms; it shares with the other organisation only.
        var elsewhere = await scenario.AddPersonaFirmAsync("harris-fletcher-b", "Elsewhere Ltd", other);

        // The filter: the band of the firm with the highest priority, worked out by the pure scorer.
        var ours = scenario.Firms.Where(f => f != elsewhere).ToList();
        var top = ours.OrderByDescending(f => f.Expected!.TriagePriority).ThenBy(f => f.SubmittedAt).First();
        var band = top.Expected!.Overall.Band!;
        var expectedOrder = ours.Where(f => f.Expected!.Overall.Band?.Id == band.Id)
            .OrderByDescending(f => f.Expected!.TriagePriority).ThenBy(f => f.SubmittedAt).Select(f => f.Name).ToList();
        Assert.InRange(expectedOrder.Count, 1, ours.Count - 1); // the filter must leave some firms out to show anything

        var violations = new List<string>();
        var page = await chromium.NewPageAsync(app.BaseAddress);
        try
        {
            await OwnerSteps.SignInAsync(page, advisor.Email, QueueScenario.Password);
            await page.GetByRole(AriaRole.Link, new() { Name = "Triage queue" }).ClickAsync();
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Triage queue", Level = 1 })).ToBeVisibleAsync();
            var rows = page.Locator("tr[data-firm]");
            await Expect(rows).ToHaveCountAsync(ours.Count);
            await Expect(page.Locator("tr[data-firm='Elsewhere Ltd']")).ToHaveCountAsync(0);
            await page.LookAsync("advisor-queue", violations);

            await page.GetByLabel("Readiness band").SelectOptionAsync(band.Id);
            await page.GetByRole(AriaRole.Button, new() { Name = "Show firms" }).ClickAsync();
            await Expect(rows).ToHaveCountAsync(expectedOrder.Count);
            Assert.Equal(expectedOrder, await rows.EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.firm)"));
            await Expect(page.GetByLabel("Readiness band")).ToHaveValueAsync(band.Id); // the filter stays chosen
            await page.LookAsync("advisor-queue-filtered", violations);

            // The top firm's file says why it is there: its priority and the triage rules behind it.
            await rows.First.GetByRole(AriaRole.Link).ClickAsync();
            await Expect(page.GetByTestId("firm-name")).ToHaveTextAsync(top.Name);
            await Expect(page.GetByTestId("summary-priority")).ToHaveTextAsync($"{top.Expected.TriagePriority} of 100");
            var firedTriageRules = TestContent.Real.Rules
                .Where(r => r.Then.Triage != 0 && top.Expected.Trace.Any(t => t.Fired && t.Rule == r.Id)).Select(r => r.Id).Order().ToArray();
            Assert.NotEmpty(firedTriageRules);
            var shownRules = await page.Locator("[data-testid=why] li[data-rule]").EvaluateAllAsync<string[]>("items => items.map(i => i.dataset.rule)");
            Assert.Equal(firedTriageRules, shownRules.Order().ToArray());
            await Expect(page.GetByTestId("summary-why").Locator("li")).ToHaveCountAsync(Math.Min(3, firedTriageRules.Length));
            await page.LookAsync("advisor-firm-file", violations);

            // A note about a call: it becomes the last contact.
            await page.GetByLabel("Add a note").FillAsync("Called the managing director: the US distributor talks stall on pricing.");
            await page.GetByLabel("This was a conversation with the firm").CheckAsync();
            await page.GetByRole(AriaRole.Button, new() { Name = "Add note" }).ClickAsync();
            await Expect(page.GetByTestId("done")).ToContainTextAsync("Your note is added");
            await Expect(page.GetByTestId("notes").Locator(".note")).ToHaveCountAsync(1);
            await Expect(page.GetByTestId("notes")).ToContainTextAsync("US distributor talks stall on pricing");

            await page.GetByRole(AriaRole.Button, new() { Name = "Take ownership" }).ClickAsync();
            await Expect(page.GetByTestId("summary-owner")).ToContainTextAsync($"You ({advisor.Email})");

            await page.GetByLabel("Move the case to").SelectOptionAsync(nameof(CaseStatus.InSupport));
            await page.GetByRole(AriaRole.Button, new() { Name = "Set status" }).ClickAsync();
            await Expect(page.GetByTestId("summary-status")).ToContainTextAsync("In support");
            await Expect(page.GetByTestId("status-history").Locator("li").First).ToContainTextAsync("In support");

            // A message for the next morning (the advisor's zone is UTC): refused first without a subject, keeping the text.
            var due = scenario.Now.Date.AddDays(1).AddHours(9).AddMinutes(30);
            var subject = $"Your distributor talks {run}";
            const string Body = "Thank you for the call.\n\nShall we look at your pricing for the US together next week?";
            await page.GetByLabel("Message", new() { Exact = true }).FillAsync(Body);
            await page.GetByLabel("Date", new() { Exact = true }).FillAsync(due.ToString("yyyy-MM-dd"));
            await page.GetByLabel("Time", new() { Exact = true }).FillAsync(due.ToString("HH:mm"));
            await page.GetByRole(AriaRole.Button, new() { Name = "Schedule the message" }).ClickAsync();
            await Expect(page.Locator("#error-subject")).ToContainTextAsync("Enter a subject");
            await Expect(page.GetByLabel("Message", new() { Exact = true })).ToHaveValueAsync(Body);
            await page.LookAsync("advisor-message-refused", violations);

            await page.GetByLabel("Subject", new() { Exact = true }).FillAsync(subject);
            await page.GetByRole(AriaRole.Button, new() { Name = "Schedule the message" }).ClickAsync();
            await Expect(page.GetByTestId("done")).ToContainTextAsync("will be sent to the firm on");
            var planned = page.Locator("[data-testid=email-table] tr[data-kind=AdvisorMessage]");
            await Expect(planned).ToContainTextAsync(subject);
            await Expect(planned).ToContainTextAsync("Planned");
            await page.LookAsync("advisor-firm-file-after-casework", violations);

            // Not before its time, then at it.
            var ownerEmail = await app.QueryAsync(db => db.Users.Where(u => u.Id == top.OwnerId).Select(u => u.Email!).SingleAsync(Ct));
            scenario.Clock.SetUtcNow(new DateTimeOffset(due.AddMinutes(-1), TimeSpan.Zero));
            await app.Dispatcher().RunAsync(Ct);
            Assert.DoesNotContain(await mail.EmailsToAsync(ownerEmail), e => e.Subject == subject);
            scenario.Clock.SetUtcNow(new DateTimeOffset(due, TimeSpan.Zero));
            await app.Dispatcher().RunAsync(Ct);
            var message = await mail.MimeAsync(await mail.WaitForEmailAsync(ownerEmail, subject));
            Assert.Equal(advisor.Email, message.ReplyTo.Mailboxes.Single().Address);
            Assert.Contains("Shall we look at your pricing for the US together next week?", message.TextBody, StringComparison.Ordinal);

            await page.ReloadAsync();
            await Expect(planned).ToContainTextAsync("Sent");

            // Back in the queue the firm is in support, assigned to the advisor and contacted today.
            await page.GetByRole(AriaRole.Link, new() { Name = "Back to the queue" }).ClickAsync();
            await page.GetByLabel("Only firms assigned to me").CheckAsync();
            await page.GetByRole(AriaRole.Button, new() { Name = "Show firms" }).ClickAsync();
            await Expect(rows).ToHaveCountAsync(1);
            await Expect(rows.First).ToHaveAttributeAsync("data-firm", top.Name);
            await Expect(rows.First).ToContainTextAsync("In support");
            await Expect(rows.First).ToContainTextAsync("Assigned to you");
            await page.LookAsync("advisor-queue-mine", violations);

            Assert.True(violations.Count == 0, string.Join("\n", violations));
        }
        finally
        {
            await page.CloseContextAsync();
        }
    }
}
