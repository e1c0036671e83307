using System.Net;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Portal.Tests.TestSupport;
using Portal.Web.Features.Accounts;
using static Microsoft.Playwright.Assertions;

namespace Portal.Tests.Browser.Foundation;

/// <summary>A new owner registers in Chromium, confirms through the email that reaches a real SMTP server, and signs in.</summary>
public sealed partial class RegistrationByEmailTests(MailDevServer mail, Chromium chromium)
{
    [Fact]
    public async Task Register_ConfirmFromTheEmail_ThenSignIn()
    {
        await using var app = new PortalApp(o => { o.RealServer = true; o.UseSmtp(mail); });
        var page = await chromium.NewPageAsync(app.BaseAddress);
        var email = $"new.owner.{Guid.NewGuid():N}@example.org";
        const string password = "Export-ready-2026";
        try
        {
            await page.GotoAsync("/Account/Register");
            await page.GetByLabel("Email").FillAsync(email);
            await page.GetByLabel("Password", new() { Exact = true }).FillAsync(password);
            await page.GetByLabel("Confirm password").FillAsync(password);
            await page.ScreenshotToArtifactsAsync("foundation-register-filled");
            await page.GetByRole(AriaRole.Button, new() { Name = "Create account" }).ClickAsync();

            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Check your email" })).ToBeVisibleAsync();
            await page.ScreenshotToArtifactsAsync("foundation-register-check-email");

            var message = await mail.WaitForEmailAsync(email, "Confirm your email address");
            Assert.False(string.IsNullOrWhiteSpace(message.Text));
            var link = WebUtility.HtmlDecode(HrefOfConfirmLink().Match(message.Html ?? "").Groups[1].Value);
            Assert.StartsWith(app.BaseAddress.ToString(), link, StringComparison.Ordinal);

            await page.GotoAsync(link);
            await Expect(page.GetByText("Thank you for confirming your email.")).ToBeVisibleAsync();
            await page.ScreenshotToArtifactsAsync("foundation-email-confirmed");

            await page.GotoAsync("/Account/Login");
            await page.GetByLabel("Email").FillAsync(email);
            await page.GetByLabel("Password").FillAsync(password);
            await page.GetByRole(AriaRole.Button, new() { Name = "Sign in", Exact = true }).ClickAsync();

            await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Sign out" })).ToBeVisibleAsync();
            await Expect(page.GetByText($"You are signed in as {email}")).ToBeVisibleAsync();
            await page.ScreenshotToArtifactsAsync("foundation-signed-in-home");
            Assert.Equal([PortalRoles.Owner], await app.RolesOfAsync(email));
        }
        finally
        {
            await page.CloseContextAsync();
        }
    }

    [GeneratedRegex("href=\"([^\"]*ConfirmEmail[^\"]*)\"")]
    private static partial Regex HrefOfConfirmLink();
}
