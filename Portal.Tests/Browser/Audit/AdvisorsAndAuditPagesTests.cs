using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Portal.Tests.TestSupport;
using Portal.Web.Features.Accounts;
using Portal.Web.Features.Admin;
using Portal.Web.Features.Audit;
using static Microsoft.Playwright.Assertions;

namespace Portal.Tests.Browser.Audit;

/// <summary>
/// An Admin places advisors in an organisation (a refusal, an add, a confirmed move) and reads
/// the audit log; an owner reads who looked at their firm. Screenshots at desktop and 375 px,
/// no serious or critical axe violations, no sideways scrolling on a phone.
/// </summary>
public sealed class AdvisorsAndAuditPagesTests(Chromium chromium)
{
    private const string Password = "Audit-pages-2026";

    [Fact]
    public async Task OrganisationAdvisors_AuditLog_AndFirmActivity_LookRightAndPassAxe()
    {
        await using var app = new PortalApp(o => o.RealServer = true);
        const string admin = "admin@example.org";
        const string owner = "owner@thistle-knitwear.example";
        var adminId = (await app.CreateUserAsync(admin, Password, PortalRoles.Admin)).Id;
        await app.CreateUserAsync("jo.macleod@scottish-enterprise.example", Password, PortalRoles.Owner); // registered, not yet an advisor
        var sam = await app.CreateUserAsync("sam.okafor@chamber.example", Password, PortalRoles.Advisor);
        var ownerId = (await app.CreateUserAsync(owner, Password, PortalRoles.Owner)).Id;
        Assert.Null(await app.Assessments().SaveFirmNameAsync(ownerId, "Thistle Knitwear Ltd"));
        var organisations = app.Services.GetRequiredService<OrganisationAdminService>();
        Assert.Null(await organisations.CreateAsync("Scottish Enterprise", "Trade advisors for Scottish firms"));
        Assert.Null(await organisations.CreateAsync("Chamber of Commerce", null));
        var list = await organisations.ListAsync();
        var scottish = list.Single(o => o.Name == "Scottish Enterprise").Id;
        await organisations.AddAdvisorAsync(list.Single(o => o.Name == "Chamber of Commerce").Id, sam.Email, null, adminId);
        var firm = await app.QueryAsync(db => db.Firms.Where(f => f.Name == "Thistle Knitwear Ltd").Select(f => f.Id).SingleAsync());
        var audit = app.Services.GetRequiredService<AuditLog>();
        await audit.RecordAsync(sam.Id, sam.Email!, firm, "viewed the firm file", ct: TestContext.Current.CancellationToken);
        await audit.RecordAsync(sam.Id, sam.Email!, firm, "added a note", "Called about the Hamburg trade fair", TestContext.Current.CancellationToken);

        var violations = new List<string>();
        var page = await chromium.NewPageAsync(app.BaseAddress);
        try
        {
            await OwnerSteps.SignInAsync(page, admin, Password);
            await page.GotoAsync("/admin/organisations");
            await page.GetByRole(AriaRole.Link, new() { Name = "Scottish Enterprise" }).ClickAsync();
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Scottish Enterprise", Level = 1 })).ToBeVisibleAsync();
            await Expect(page.GetByText("No advisor works for Scottish Enterprise yet.")).ToBeVisibleAsync();

            // An unknown email is refused beside the field, which keeps it.
            var email = page.GetByLabel("Email address of the advisor's account");
            await email.FillAsync("jo.macleod@scottish-enterprise.exmaple");
            await page.GetByRole(AriaRole.Button, new() { Name = "Add advisor" }).ClickAsync();
            await Expect(page.Locator("#error-advisor-email")).ToContainTextAsync("No account uses jo.macleod@scottish-enterprise.exmaple");
            await Expect(email).ToHaveValueAsync("jo.macleod@scottish-enterprise.exmaple");
            await Expect(email).ToHaveAttributeAsync("aria-invalid", "true");
            await page.LookAsync("admin-organisation-refused", violations);

            await email.FillAsync("jo.macleod@scottish-enterprise.example");
            await page.GetByRole(AriaRole.Button, new() { Name = "Add advisor" }).ClickAsync();
            await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("jo.macleod@scottish-enterprise.example is now an advisor of Scottish Enterprise.");

            // An advisor of another organisation moves only once the Admin confirms.
            await email.FillAsync("sam.okafor@chamber.example");
            await page.GetByRole(AriaRole.Button, new() { Name = "Add advisor" }).ClickAsync();
            await Expect(page.Locator("#error-advisor-email")).ToContainTextAsync("is an advisor of Chamber of Commerce");
            await page.LookAsync("admin-organisation-confirm-move", violations);
            await page.GetByLabel("Yes, move sam.okafor@chamber.example from Chamber of Commerce to Scottish Enterprise").CheckAsync();
            await page.GetByRole(AriaRole.Button, new() { Name = "Add advisor" }).ClickAsync();
            await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("has moved from Chamber of Commerce to Scottish Enterprise");
            await Expect(page.Locator("tr[data-advisor]")).ToHaveCountAsync(2);
            await page.LookAsync("admin-organisation-advisors", violations);

            await page.GetByRole(AriaRole.Link, new() { Name = "Audit log" }).ClickAsync();
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Audit log" })).ToBeVisibleAsync();
            await Expect(page.Locator("tr[data-audit-line]")).ToHaveCountAsync(5); // two views of the firm, three advisor changes
            await page.LookAsync("admin-audit", violations);
            await page.GetByLabel("Firm name").FillAsync("thistle");
            await page.GetByRole(AriaRole.Button, new() { Name = "Show" }).ClickAsync();
            await Expect(page.Locator("tr[data-audit-line]")).ToHaveCountAsync(2);
            await page.GetByLabel("From").FillAsync("2030-01-02");
            await page.GetByLabel("To").FillAsync("2030-01-01");
            await page.GetByRole(AriaRole.Button, new() { Name = "Show" }).ClickAsync();
            await Expect(page.Locator("#error-audit-to")).ToContainTextAsync("The end date must be the same as or after the start date");
            await Expect(page.GetByLabel("Firm name")).ToHaveValueAsync("thistle");
            await page.LookAsync("admin-audit-refused", violations);
            await page.CloseContextAsync();

            page = await chromium.NewPageAsync(app.BaseAddress);
            await OwnerSteps.SignInAsync(page, owner, Password);
            await page.GotoAsync("/firm/sharing");
            await page.GetByRole(AriaRole.Link, new() { Name = "see who has looked at your firm" }).ClickAsync();
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Who has looked at your firm" })).ToBeVisibleAsync();
            var newest = page.Locator("tr[data-activity]").First;
            await Expect(newest).ToContainTextAsync("sam.okafor@chamber.example");
            await Expect(newest).ToContainTextAsync("Scottish Enterprise");
            await Expect(newest).ToContainTextAsync("added a note");
            await Expect(page.GetByText("Hamburg")).ToHaveCountAsync(0); // the advisor's words stay with their organisation
            await page.LookAsync("owner-firm-activity", violations);

            Assert.True(violations.Count == 0, string.Join("\n", violations));
        }
        finally
        {
            await page.CloseContextAsync();
        }
    }
}
