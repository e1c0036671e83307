using System.Globalization;
using ClosedXML.Excel;
using CsvHelper;
using Microsoft.Playwright;
using Portal.Domain.Scoring;
using Portal.Tests.Integration.Programmes;
using Portal.Tests.TestSupport;
using Portal.Web.Features.Accounts;
using static Microsoft.Playwright.Assertions;

namespace Portal.Tests.Browser.Programmes;

/// <summary>
/// Programme staff in Chromium: create a cohort, invite a firm by email, see the funnel move as
/// the firm accepts, submits its baseline and reassesses, and download both exports, whose
/// numbers are the ones Portal.Domain gives for the firm's answers.
/// </summary>
public sealed class ProgrammeStaffJourneyTests(MailDevServer mail, Chromium chromium)
{
    private const string Password = EnrolmentSetup.Password;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Staff_CreateACohort_InviteAFirm_WatchTheFunnelMove_AndDownloadBothExports()
    {
        await using var app = new PortalApp(o =>
        {
            o.RealServer = true;
            o.UseSmtp(mail);
            o.Settings["FollowUps:DispatchEveryMinutes"] = "0"; // the test runs the dispatcher
            o.Settings["Programmes:MinGroupSize"] = "1"; // one firm: the figures are shown, so they can be checked
        });
        var run = Guid.NewGuid().ToString("N")[..8]; // maildev serves the whole run: addresses are unique
        var ownerEmail = $"owner.{run}@harris-valves.example";
        var owner = await app.CreateUserAsync(ownerEmail, Password, PortalRoles.Owner);
        var ids = await EnrolmentSetup.ProgrammeAsync(app, "Scottish Enterprise", "Export Ready");
        var staff = await EnrolmentSetup.StaffAsync(app, $"staff.{run}@scottish-enterprise.example", ids.ProgrammeId);
        Assert.Null(await app.Assessments().SaveFirmNameAsync(owner.Id, "Harris Valves Ltd"));

        var violations = new List<string>();
        var page = await chromium.NewPageAsync(app.BaseAddress);
        var ownerPage = await chromium.NewPageAsync(app.BaseAddress);
        try
        {
            await OwnerSteps.SignInAsync(page, staff.Email!, Password);
            await page.GetByRole(AriaRole.Link, new() { Name = "Programmes", Exact = true }).ClickAsync();
            await page.GetByRole(AriaRole.Link, new() { Name = "Export Ready" }).ClickAsync();
            await page.GetByLabel("Name", new() { Exact = true }).FillAsync("Autumn 2027");
            await page.GetByLabel("Start date").FillAsync("2027-09-01");
            await page.GetByLabel("End date").FillAsync("2027-12-15");
            await page.GetByRole(AriaRole.Button, new() { Name = "Create cohort" }).ClickAsync();
            await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("The cohort “Autumn 2027” was created.");
            await page.GetByRole(AriaRole.Link, new() { Name = "Autumn 2027" }).ClickAsync();
            await page.GetByLabel("Email addresses").FillAsync(ownerEmail);
            await page.GetByRole(AriaRole.Button, new() { Name = "Send invitations" }).ClickAsync();
            await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync($"Invitations sent to {ownerEmail}.");

            // The invitation arrives; nothing has moved past "registered" yet (the owner has an account).
            await app.Dispatcher().RunAsync(Ct);
            var invitation = await mail.MimeAsync(await mail.WaitForEmailAsync(ownerEmail, "invites you to Export Ready"));
            await page.GetByRole(AriaRole.Link, new() { Name = "Dashboard of Autumn 2027" }).ClickAsync();
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Autumn 2027: dashboard", Level = 1 })).ToBeVisibleAsync();
            await ExpectFunnelAsync(page, invited: 1, registered: 1, enrolled: 0, baseline: 0, followUp: 0);

            // The owner accepts from the link.
            await OwnerSteps.SignInAsync(ownerPage, ownerEmail, Password);
            await ownerPage.GotoAsync(EnrolmentSetup.JoinLink(invitation.HtmlBody!));
            await ownerPage.GetByRole(AriaRole.Button, new() { Name = "Accept and share my results" }).ClickAsync();
            await Expect(ownerPage.GetByRole(AriaRole.Status)).ToContainTextAsync("Harris Valves Ltd has joined Autumn 2027 of Export Ready.");
            await page.ReloadAsync();
            await ExpectFunnelAsync(page, invited: 1, registered: 1, enrolled: 1, baseline: 0, followUp: 0);

            // Its first assessment is the baseline; a reassessment is the follow-up.
            await app.SubmitPersonaAsync(owner.Id, "lew-a", "Harris Valves Ltd");
            await page.ReloadAsync();
            await ExpectFunnelAsync(page, invited: 1, registered: 1, enrolled: 1, baseline: 1, followUp: 0);
            await app.Assessments().StartReassessmentAsync(owner.Id, Ct);
            await app.SubmitPersonaAsync(owner.Id, "harris-fletcher-h", "Harris Valves Ltd");
            await page.ReloadAsync();
            await ExpectFunnelAsync(page, invited: 1, registered: 1, enrolled: 1, baseline: 1, followUp: 1);
            await page.LookAsync("programme-journey-dashboard", violations);

            // The exports carry the scores Portal.Domain gives the two sets of answers.
            var baseline = Score("lew-a");
            var latest = Score("harris-fletcher-h");
            var firms = await page.RunAndWaitForDownloadAsync(() => page.GetByRole(AriaRole.Link, new() { Name = "CSV file of the firms" }).ClickAsync());
            using (var reader = CsvReader.Create(await File.ReadAllBytesAsync(await firms.PathAsync(), Ct), CsvReaderOptions.Default with { Separator = ',' }))
            {
                Assert.True(reader.Read());
                var headers = reader.Headers.ToList();
                var row = reader.Current.ToArray();
                string Cell(string header) => row[headers.IndexOf(header)] ?? "";
                Assert.Equal("Harris Valves Ltd", Cell("Firm"));
                Assert.Equal("Follow-up submitted", Cell("Status"));
                Assert.Equal(Whole(latest.Overall.Score), Cell("Overall score (0-100)"));
                Assert.Equal(Whole(baseline.Overall.Score), Cell("Baseline overall score"));
                Assert.Equal(latest.Overall.Band!.Name, Cell("Readiness band"));
                Assert.False(reader.Read()); // one firm, one row
            }

            var factors = await page.RunAndWaitForDownloadAsync(() => page.GetByRole(AriaRole.Link, new() { Name = "Excel workbook of the factor summary" }).ClickAsync());
            await using (var file = File.OpenRead(await factors.PathAsync()))
            using (var book = new XLWorkbook(file))
            {
                var sheet = book.Worksheet("Factors");
                var header = sheet.Row(1).CellsUsed().Select(c => c.GetString()).ToList();
                foreach (var factor in latest.Factors.Where(f => f.Score is not null))
                {
                    var row = sheet.RowsUsed().Single(r => r.Cell(1).GetString() == TestContent.Real.Model.Factors.Single(m => m.Id == factor.Id).Name);
                    Assert.Equal(1, row.Cell(header.IndexOf("Firms scored") + 1).GetValue<int>());
                    Assert.Equal(Math.Round(factor.Score!.Value, 1), row.Cell(header.IndexOf("Mean") + 1).GetValue<double>(), 1);
                }
            }

            Assert.True(violations.Count == 0, string.Join("\n", violations));
        }
        finally
        {
            await ownerPage.CloseContextAsync();
            await page.CloseContextAsync();
        }
    }

    private static async Task ExpectFunnelAsync(IPage page, int invited, int registered, int enrolled, int baseline, int followUp)
    {
        foreach (var (step, count) in new[] { ("invited", invited), ("registered", registered), ("enrolled", enrolled), ("baseline", baseline), ("follow-up", followUp) })
        {
            await Expect(page.Locator($"tr[data-step='{step}'] [data-testid=count]")).ToHaveTextAsync(count.ToString(CultureInfo.InvariantCulture));
        }
    }

    /// <summary>The persona's result as Portal.Domain gives it this year (the portal scores with the submission's year).</summary>
    private static AssessmentReport Score(string personaId)
    {
        var persona = TestContent.Real.Personas.Single(p => p.Id == personaId);
        return AssessmentReport.From(Assessor.Assess(TestContent.Real, persona.Answers.WithAssessmentYear(DateTime.UtcNow.Year)));
    }

    private static string Whole(double? score) =>
        score is { } s ? Math.Round(s, MidpointRounding.AwayFromZero).ToString(CultureInfo.InvariantCulture) : "";
}
