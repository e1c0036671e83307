using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;
using Microsoft.Playwright;
using Portal.Tests.TestSupport;
using Portal.Web.Features.Accounts;
using static Microsoft.Playwright.Assertions;

namespace Portal.Tests.Browser.FollowUps;

/// <summary>
/// The follow-up email as a person sees it, its unsubscribe page, the owner's email
/// preferences (time zone taken from the browser) and the Admins' delivery log, in Chromium:
/// screenshots at desktop and 375 px, and no serious or critical axe violations.
/// </summary>
public sealed class FollowUpEmailPagesTests(MailDevServer mail, Chromium chromium)
{
    private const string Password = "Email-pages-2026";

    [Fact]
    public async Task FollowUpEmail_Unsubscribe_Preferences_AndDeliveryLog_LookRightAndPassAxe()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var app = new PortalApp(o =>
        {
            o.RealServer = true;
            o.Clock = clock;
            o.UseSmtp(mail);
            o.Settings["FollowUps:DispatchEveryMinutes"] = "0";
        });
        var email = $"email.pages.{Guid.NewGuid():N}@example.org";
        var owner = await app.CreateUserAsync(email, Password, PortalRoles.Owner);
        await app.CreateUserAsync($"admin.{Guid.NewGuid():N}@example.org", Password, PortalRoles.Admin);
        var assessment = await app.SubmitPersonaAsync(owner.Id, "lew-a", "Valves of Zhejiang Ltd");
        var firstDue = await app.QueryAsync(db => db.FollowUps.Where(f => f.AssessmentId == assessment).MinAsync(f => f.DueAt));
        clock.SetUtcNow(new DateTimeOffset(firstDue, TimeSpan.Zero));
        await app.Dispatcher().RunAsync(TestContext.Current.CancellationToken);
        var message = await mail.MimeAsync(await mail.WaitForEmailAsync(email));

        var context = await chromium.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = app.BaseAddress.ToString(),
            ViewportSize = new ViewportSize { Width = 1280, Height = 900 },
            TimezoneId = "Europe/Berlin",
        });
        context.SetDefaultTimeout(Chromium.ActionTimeoutMs);
        var page = await context.NewPageAsync();
        try
        {
            // The email itself, as a mail program shows its HTML part.
            await page.SetContentAsync(message.HtmlBody!);
            await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToBeVisibleAsync();
            await page.ScreenshotToArtifactsAsync("email-follow-up-desktop");
            await page.SetViewportSizeAsync(375, 800);
            await page.ScreenshotToArtifactsAsync("email-follow-up-mobile");
            Assert.Empty(await page.SeriousAxeViolationsAsync());

            // Its unsubscribe link: a page that asks, then confirms; no sign-in.
            await page.GetByRole(AriaRole.Link, new() { Name = "Unsubscribe from these emails" }).ClickAsync();
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Stop advice emails?" })).ToBeVisibleAsync();
            await page.ScreenshotToArtifactsAsync("unsubscribe-ask-mobile");
            Assert.Empty(await page.SeriousAxeViolationsAsync());
            await page.SetViewportSizeAsync(1280, 900);
            await page.GetByRole(AriaRole.Button, new() { Name = "Unsubscribe" }).ClickAsync();
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "You are unsubscribed" })).ToBeVisibleAsync();
            await page.ScreenshotToArtifactsAsync("unsubscribe-done-desktop");
            Assert.Empty(await page.SeriousAxeViolationsAsync());

            // Preferences: every kind of advice is off now, advisors' messages still on; the time zone comes from the browser.
            await OwnerSteps.SignInAsync(page, email, Password);
            await page.GotoAsync("/settings/emails");
            await Expect(page.GetByLabel("Your time zone")).ToHaveValueAsync("Europe/Berlin");
            foreach (var box in await page.GetByRole(AriaRole.Checkbox, new() { Name = "Advice on" }).AllAsync())
            {
                await Expect(box).Not.ToBeCheckedAsync();
            }

            await Expect(page.GetByLabel("Messages from trade advisors")).ToBeCheckedAsync();

            await page.ScreenshotToArtifactsAsync("email-preferences-desktop");
            Assert.Empty(await page.SeriousAxeViolationsAsync());
            await page.GetByLabel("Advice on strategy").CheckAsync();
            await page.GetByRole(AriaRole.Button, new() { Name = "Save preferences" }).ClickAsync();
            await Expect(page.GetByText("Your preferences are saved.")).ToBeVisibleAsync();
            await page.SetViewportSizeAsync(375, 800);
            await page.ScreenshotToArtifactsAsync("email-preferences-mobile");
            Assert.Equal("Europe/Berlin", await app.QueryAsync(db => db.Users.Where(u => u.Id == owner.Id).Select(u => u.TimeZoneId).SingleAsync()));
            Assert.Equal(3, await app.QueryAsync(db => db.EmailOptOuts.CountAsync(o => o.UserId == owner.Id))); // the three other pillars

            // The Admins' delivery log.
            await page.Context.ClearCookiesAsync();
            await page.SetViewportSizeAsync(1280, 900);
            var admin = await app.QueryAsync(db => db.Users.Where(u => u.Email!.StartsWith("admin.")).Select(u => u.Email!).SingleAsync());
            await OwnerSteps.SignInAsync(page, admin, Password);
            await page.GotoAsync("/admin/emails");
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Email delivery" })).ToBeVisibleAsync();
            await Expect(page.Locator("tr[data-status='Sent']")).ToHaveCountAsync(1);
            await Expect(page.Locator("tr[data-status='Cancelled']").First).ToBeVisibleAsync();
            await page.ScreenshotToArtifactsAsync("admin-email-delivery-desktop");
            Assert.Empty(await page.SeriousAxeViolationsAsync());
            await page.SetViewportSizeAsync(375, 800);
            await page.ScreenshotToArtifactsAsync("admin-email-delivery-mobile");
        }
        finally
        {
            await context.CloseAsync();
        }
    }
}
