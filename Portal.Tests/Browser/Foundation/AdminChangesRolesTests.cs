using Microsoft.Playwright;
using Portal.Tests.TestSupport;
using Portal.Web.Features.Accounts;
using static Microsoft.Playwright.Assertions;

namespace Portal.Tests.Browser.Foundation;

/// <summary>
/// An admin changes an account's roles on /admin/users. The page is interactive (Blazor Server),
/// so the change goes over its circuit, not a form post: only a browser exercises it.
/// </summary>
public sealed class AdminChangesRolesTests(Chromium chromium)
{
    [Fact]
    public async Task Admin_MakesAnOwnerAnAdvisor_OnTheUsersPage()
    {
        await using var app = new PortalApp(o => o.RealServer = true);
        const string admin = "admin@example.org";
        const string password = "Admin-password-2026";
        const string person = "becomes.advisor@example.org";
        await app.CreateUserAsync(admin, password, PortalRoles.Admin);
        await app.CreateUserAsync(person, "Owner-password-2026", PortalRoles.Owner);
        var page = await chromium.NewPageAsync(app.BaseAddress);
        try
        {
            await OwnerSteps.SignInAsync(page, admin, password);
            await page.GotoAsync("/admin/users");
            await Expect(page.Locator("table[data-interactive='true']")).ToBeVisibleAsync();

            var row = page.GetByRole(AriaRole.Row).Filter(new() { HasText = person });
            await row.GetByLabel(PortalRoles.DisplayName(PortalRoles.Owner)).UncheckAsync();
            await row.GetByLabel(PortalRoles.DisplayName(PortalRoles.Advisor)).CheckAsync();
            await row.GetByRole(AriaRole.Button, new() { Name = "Save roles" }).ClickAsync();

            await Expect(row.GetByRole(AriaRole.Status)).ToHaveTextAsync("Saved");
            await page.ScreenshotToArtifactsAsync("foundation-admin-roles-saved");
            Assert.Equal([PortalRoles.Advisor], await app.RolesOfAsync(person));
            Assert.Equal([PortalRoles.Admin], await app.RolesOfAsync(admin));

            // What was saved is what the page shows when it is opened again.
            await page.ReloadAsync();
            await Expect(page.Locator("table[data-interactive='true']")).ToBeVisibleAsync();
            await Expect(row.GetByLabel(PortalRoles.DisplayName(PortalRoles.Advisor))).ToBeCheckedAsync();
            await Expect(row.GetByLabel(PortalRoles.DisplayName(PortalRoles.Owner))).Not.ToBeCheckedAsync();
        }
        finally
        {
            await page.CloseContextAsync();
        }
    }
}
