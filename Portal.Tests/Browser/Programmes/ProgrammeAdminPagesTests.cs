using Microsoft.Playwright;
using Portal.Tests.Integration.Programmes;
using Portal.Tests.TestSupport;
using Portal.Web.Features.Accounts;
using static Microsoft.Playwright.Assertions;

namespace Portal.Tests.Browser.Programmes;

/// <summary>
/// Setting up a programme and filling a cohort in Chromium: an Admin creates a programme and
/// puts someone on its staff; the staff member creates a cohort and invites a firm; the owner
/// follows the emailed link, signs in from it, comes back and accepts, and sees the programme
/// among the firm's. Each page is screenshotted at desktop and 375 px, with refusals shown,
/// and has no serious or critical axe violations.
/// </summary>
public sealed class ProgrammeAdminPagesTests(MailDevServer mail, Chromium chromium)
{
    private const string Password = EnrolmentSetup.Password;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AdminStaffAndOwner_SetUpAProgramme_InviteAFirm_AndItJoins()
    {
        await using var app = new PortalApp(o =>
        {
            o.RealServer = true;
            o.UseSmtp(mail);
            o.Settings["FollowUps:DispatchEveryMinutes"] = "0"; // the test runs the dispatcher
        });
        var run = Guid.NewGuid().ToString("N")[..8]; // maildev serves the whole run: addresses are unique
        var admin = $"admin.{run}@example.org";
        var staff = $"jo.macleod.{run}@scottish-enterprise.example";
        var owner = $"owner.{run}@thistle-knitwear.example";
        await app.CreateUserAsync(admin, Password, PortalRoles.Admin);
        await app.CreateUserAsync(staff, Password, PortalRoles.Owner); // registered; not yet on any staff
        var ownerId = (await app.CreateUserAsync(owner, Password, PortalRoles.Owner)).Id;
        await app.SubmitPersonaAsync(ownerId, "harris-fletcher-a", "Thistle Knitwear Ltd");
        await FirmFileSetup.OrganisationAsync(app, "Scottish Enterprise");

        var violations = new List<string>();
        var page = await chromium.NewPageAsync(app.BaseAddress);
        try
        {
            // The Admin: a programme refused without a name, then created; a member of staff added.
            await OwnerSteps.SignInAsync(page, admin, Password);
            await page.GetByRole(AriaRole.Link, new() { Name = "Programme setup" }).ClickAsync();
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Support programmes", Level = 1 })).ToBeVisibleAsync();
            await page.GetByLabel("Organisation").SelectOptionAsync(new SelectOptionValue { Label = "Scottish Enterprise" });
            await page.GetByLabel("Description (optional)").FillAsync("Twelve weeks of export support for Scottish firms.");
            await page.GetByRole(AriaRole.Button, new() { Name = "Create programme" }).ClickAsync();
            await Expect(page.Locator("#error-name")).ToContainTextAsync("Enter the programme's name");
            await Expect(page.GetByLabel("Description (optional)")).ToHaveValueAsync("Twelve weeks of export support for Scottish firms.");
            await page.LookAsync("admin-programmes-refused", violations);

            await page.GetByLabel("Name", new() { Exact = true }).FillAsync("Export Ready");
            await page.GetByRole(AriaRole.Button, new() { Name = "Create programme" }).ClickAsync();
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Export Ready", Level = 1 })).ToBeVisibleAsync();
            await page.GetByLabel("Email address of the person's account").FillAsync(staff);
            await page.GetByRole(AriaRole.Button, new() { Name = "Add to the staff" }).ClickAsync();
            await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync($"{staff} is now on the staff of Export Ready.");
            await Expect(page.Locator("tr[data-staff]")).ToHaveCountAsync(1);
            await page.LookAsync("admin-programme", violations);
            await page.CloseContextAsync();

            // Staff: a cohort refused for its dates (nothing typed is lost), then created; invitations.
            page = await chromium.NewPageAsync(app.BaseAddress);
            await OwnerSteps.SignInAsync(page, staff, Password);
            await page.GetByRole(AriaRole.Link, new() { Name = "Programmes", Exact = true }).ClickAsync();
            await page.GetByRole(AriaRole.Link, new() { Name = "Export Ready" }).ClickAsync();
            await Expect(page.GetByText("No cohort yet.")).ToBeVisibleAsync();
            await page.GetByLabel("Name", new() { Exact = true }).FillAsync("Spring 2027");
            await page.GetByLabel("Start date").FillAsync("2027-03-01");
            await page.GetByLabel("End date").FillAsync("2027-02-01");
            await page.GetByRole(AriaRole.Button, new() { Name = "Create cohort" }).ClickAsync();
            await Expect(page.Locator("#error-ends")).ToContainTextAsync("The end date must be the same as or after the start date");
            await Expect(page.GetByLabel("Name", new() { Exact = true })).ToHaveValueAsync("Spring 2027");
            await Expect(page.GetByLabel("Start date")).ToHaveValueAsync("2027-03-01");
            await page.LookAsync("staff-programme-refused", violations);

            await page.GetByLabel("End date").FillAsync("2027-05-31");
            await page.GetByRole(AriaRole.Button, new() { Name = "Create cohort" }).ClickAsync();
            await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("The cohort “Spring 2027” was created.");
            await page.LookAsync("staff-programme", violations);

            await page.GetByRole(AriaRole.Link, new() { Name = "Spring 2027" }).ClickAsync();
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Spring 2027", Level = 1 })).ToBeVisibleAsync();
            await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Dashboard of Spring 2027" })).ToHaveAttributeAsync("href", new System.Text.RegularExpressions.Regex("/dashboard$"));
            var addresses = page.GetByLabel("Email addresses");
            await addresses.FillAsync($"{owner}\nnot-an-address");
            await page.GetByRole(AriaRole.Button, new() { Name = "Send invitations" }).ClickAsync();
            await Expect(page.Locator("#error-emails")).ToContainTextAsync("“not-an-address” is not an email address");
            await Expect(addresses).ToHaveValueAsync($"{owner}\nnot-an-address");
            await page.LookAsync("staff-cohort-refused", violations);

            await addresses.FillAsync(owner);
            await page.GetByRole(AriaRole.Button, new() { Name = "Send invitations" }).ClickAsync();
            await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync($"Invitations sent to {owner}.");
            await Expect(page.Locator($"tr[data-enrolment='{owner}']")).ToContainTextAsync("Registered");
            await page.LookAsync("staff-cohort-invited", violations);
            await page.CloseContextAsync();

            // The owner: the emailed link, read before signing in; sign in from it and accept.
            await app.Dispatcher().RunAsync(Ct);
            var email = await mail.MimeAsync(await mail.WaitForEmailAsync(owner, "invites you to Export Ready"));
            page = await chromium.NewPageAsync(app.BaseAddress);
            await page.GotoAsync(EnrolmentSetup.JoinLink(email.HtmlBody!));
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Join Export Ready", Level = 1 })).ToBeVisibleAsync();
            await page.LookAsync("join-anonymous", violations);

            await page.GetByRole(AriaRole.Link, new() { Name = "Sign in", Exact = true }).Last.ClickAsync();
            await page.GetByLabel("Email").FillAsync(owner);
            await page.GetByLabel("Password").FillAsync(Password);
            await page.GetByRole(AriaRole.Button, new() { Name = "Sign in", Exact = true }).ClickAsync();
            await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Accept and share my results" })).ToBeVisibleAsync();
            await page.LookAsync("join-owner", violations);

            await page.GetByRole(AriaRole.Button, new() { Name = "Accept and share my results" }).ClickAsync();
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Your firm's programmes", Level = 1 })).ToBeVisibleAsync();
            await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Thistle Knitwear Ltd has joined Spring 2027 of Export Ready.");
            await Expect(page.Locator("[data-programme='Export Ready']")).ToContainTextAsync("In the programme");
            await page.LookAsync("firm-programmes", violations);

            Assert.True(violations.Count == 0, string.Join("\n", violations));
        }
        finally
        {
            await page.CloseContextAsync();
        }
    }
}
