using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Microsoft.Playwright;
using MimeKit;
using Portal.Tests.Integration.Programmes;
using Portal.Tests.Integration.Security;
using Portal.Tests.TestSupport;
using Portal.Web.Data;
using Portal.Web.Features.Results;
using static Microsoft.Playwright.Assertions;

namespace Portal.Tests.Browser.Security;

/// <summary>
/// Logs go to people who must not be able to sign in as anyone, act on anyone's emails or read
/// a firm's answers. A whole journey runs with every category at Trace (the most a person
/// operating the portal could turn on), in Chromium so the answers travel the way they do in
/// use (Blazor's WebSocket), with distinctive values: the password used to register and sign
/// in, a wrong one, the new one after a reset, a firm name and a number answer, the tokens of
/// the confirmation, reset, invitation and unsubscribe links (read from the emails in the
/// pickup folder), a print link's token and the sign-in cookie. None of them is in any line
/// the host logged.
/// </summary>
public sealed partial class LogHygieneTests(Chromium chromium)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AJourneyAtTraceLevel_LogsNoPasswordTokenCookieOrAnswer()
    {
        var run = Guid.NewGuid().ToString("N")[..10];
        var email = $"owner.{run}@example.org";
        var password = $"Marker-password-{run}";
        var wrongPassword = $"Marker-wrong-{run}";
        var newPassword = $"Marker-new-password-{run}";
        var firmName = $"Quillfeather Marker {run} Ltd";
        const int Founded = 1873; // a number answer; looked for as a whole number, see NumberIn
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);

        await using var app = new PortalApp(o =>
        {
            o.RealServer = true;
            o.Clock = clock;
            o.Settings["FollowUps:DispatchEveryMinutes"] = "0"; // the test sends what is due when it wants it
            foreach (var category in new[] { "Default", "Microsoft", "Microsoft.AspNetCore", "Microsoft.EntityFrameworkCore", "Hangfire", "System" })
            {
                o.Settings[$"Logging:LogLevel:{category}"] = "Trace";
            }
        });
        app.Logs.MinimumLevel = LogLevel.Trace;
        var secrets = new Dictionary<string, string>
        {
            ["the password"] = password,
            ["a wrong password"] = wrongPassword,
            ["the new password"] = newPassword,
            ["the firm name"] = firmName,
        };

        var page = await chromium.NewPageAsync(app.BaseAddress);
        try
        {
            // Register; the confirmation link comes by email.
            await page.GotoAsync("/Account/Register");
            await page.GetByLabel("Email").FillAsync(email);
            await page.GetByLabel("Password", new() { Exact = true }).FillAsync(password);
            await page.GetByLabel("Confirm password").FillAsync(password);
            await page.GetByRole(AriaRole.Button, new() { Name = "Create account" }).ClickAsync();
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Check your email" })).ToBeVisibleAsync();
            var confirm = await LinkInEmailAsync(app, email, "Confirm your email address", ConfirmLink());
            AddToken(secrets, "the email-confirmation token", confirm, "code");
            await page.GotoAsync(confirm);
            await Expect(page.GetByText("Thank you for confirming your email.")).ToBeVisibleAsync();

            // A wrong password, then the right one.
            await page.GotoAsync("/Account/Login");
            await page.GetByLabel("Email").FillAsync(email);
            await page.GetByLabel("Password").FillAsync(wrongPassword);
            await page.GetByRole(AriaRole.Button, new() { Name = "Sign in", Exact = true }).ClickAsync();
            await Expect(page.GetByText("Invalid login attempt")).ToBeVisibleAsync();
            await OwnerSteps.SignInAsync(page, email, password);
            secrets["the sign-in cookie"] = (await page.Context.CookiesAsync()).Single(c => c.Name == ".AspNetCore.Identity.Application").Value;

            // Answers given in the browser, saved over Blazor's WebSocket.
            await page.GotoAsync("/assessment/section/profile");
            await OwnerSteps.WaitInteractiveAsync(page);
            await OwnerSteps.SaveAsync(page, async () =>
            {
                await page.Locator("#firm-name").FillAsync(firmName);
                await page.Locator("#firm-name").PressAsync("Tab");
            });
            await OwnerSteps.SaveAsync(page, async () =>
            {
                await page.Locator("[id='q-founded-value']").FillAsync(Founded.ToString(System.Globalization.CultureInfo.InvariantCulture));
                await page.Locator("[id='q-founded-value']").PressAsync("Tab");
            });

            // The rest of the assessment through the service, then the results and their print link.
            var userId = await UserIdAsync(app, email);
            var results = await app.SubmitPersonaAsync(userId, "lew-a", firmName);
            var printToken = app.Services.GetRequiredService<ReportPdfService>().CreatePrintToken(results);
            secrets["a print token"] = printToken;
            await page.GotoAsync($"/results/{results}/print?token={Uri.EscapeDataString(printToken)}");
            await Expect(page.GetByTestId("results-report")).ToBeVisibleAsync();

            // Forgotten password: the reset link comes by email; the new password signs in.
            await page.GotoAsync("/");
            await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
            await page.GotoAsync("/Account/ForgotPassword");
            await page.GetByLabel("Email").FillAsync(email);
            await page.GetByRole(AriaRole.Button, new() { Name = "Reset password" }).ClickAsync();
            var reset = await LinkInEmailAsync(app, email, "Reset your password", ResetLink());
            AddToken(secrets, "the password-reset token", reset, "code");
            await page.GotoAsync(reset);
            await page.GetByLabel("Email").FillAsync(email);
            await page.GetByLabel("Password", new() { Exact = true }).FillAsync(newPassword);
            await page.GetByLabel("Confirm password").FillAsync(newPassword);
            await page.GetByRole(AriaRole.Button, new() { Name = "Reset" }).ClickAsync();
            await Expect(page).ToHaveURLAsync(new Regex("/Account/ResetPasswordConfirmation"));
            await OwnerSteps.SignInAsync(page, email, newPassword);

            // A programme invites the firm by email; the owner follows the link and accepts.
            var programme = await EnrolmentSetup.ProgrammeAsync(app, "Marker Trade Agency", "Export Ready");
            var staff = await EnrolmentSetup.StaffAsync(app, $"staff.{run}@example.org", programme.ProgrammeId);
            var cohort = await EnrolmentSetup.CohortAsync(app, staff, programme.ProgrammeId, "Spring");
            using var staffClient = SecuritySteps.ClientFrom(app.BaseAddress, IPAddress.Loopback);
            Assert.Equal(HttpStatusCode.Redirect, (await SecuritySteps.SignInAsync(staffClient, staff.Email!, EnrolmentSetup.Password)).StatusCode);
            var invited = await staffClient.SubmitFormAsync(EnrolmentSetup.CohortUrl(programme.ProgrammeId, cohort), "invite", new() { ["Invite.Emails"] = email });
            Assert.Equal(HttpStatusCode.Redirect, invited.StatusCode);
            var join = await LinkInEmailAsync(app, email, "Marker Trade Agency invites you to Export Ready", JoinLink());
            AddToken(secrets, "the invitation token", join, "token");
            await page.GotoAsync(join);
            await page.GetByRole(AriaRole.Button, new() { Name = "Accept and share my results" }).ClickAsync();
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Your firm's programmes" })).ToBeVisibleAsync();

            // Weeks later the advice emails are due; their unsubscribe link works without signing in.
            clock.Advance(TimeSpan.FromDays(60));
            var unsubscribe = await LinkInEmailAsync(app, email, firmName, UnsubscribeLink());
            AddToken(secrets, "the unsubscribe token", unsubscribe, "token");
            await page.Context.ClearCookiesAsync();
            await page.GotoAsync(unsubscribe);
            await page.GetByRole(AriaRole.Button, new() { Name = "Unsubscribe" }).ClickAsync();
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "You are unsubscribed" })).ToBeVisibleAsync();
        }
        finally
        {
            await page.CloseContextAsync();
        }

        var lines = app.Logs.Lines.ToList();

        // The log was really taken at Trace: framework detail, the database and the WebSocket are in it.
        Assert.Contains(lines, l => l.StartsWith("Trace ", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("Debug Microsoft.EntityFrameworkCore.Database.Command", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("Microsoft.AspNetCore.SignalR", StringComparison.Ordinal) || l.Contains("Microsoft.AspNetCore.Components.Server", StringComparison.Ordinal));
        Assert.True(lines.Count > 2000, $"only {lines.Count} lines were logged");

        var leaks = secrets
            .SelectMany(secret => lines.Where(l => l.Contains(secret.Value, StringComparison.Ordinal)).Select(l => $"{secret.Key}: {Clip(l)}"))
            .Concat(lines.Where(l => NumberIn(l, Founded)).Select(l => $"the number answer: {Clip(l)}"))
            .ToList();
        Assert.True(leaks.Count == 0, $"{leaks.Count} of {lines.Count} log lines give away what they must not:\n{string.Join('\n', leaks.Distinct().Take(40))}");
    }

    /// <summary>
    /// The answer as a number on its own: not a piece of a longer number, a GUID, a time or an
    /// address (digits, letters, '.', ':' and '-' around it), which would match by chance.
    /// </summary>
    private static bool NumberIn(string line, int number) =>
        Regex.IsMatch(line, $@"(?<![0-9A-Za-z.:\-]){number}(?![0-9A-Za-z.:\-])");

    /// <summary>A token as it travels in the link (URL-escaped), as it is decoded from it, and as Identity made it (before Base64url).</summary>
    private static void AddToken(Dictionary<string, string> secrets, string name, string link, string parameter)
    {
        var value = QueryHelpers.ParseQuery(new Uri(link).Query)[parameter].ToString();
        Assert.False(string.IsNullOrEmpty(value), $"{name}: no {parameter} in {link}");
        secrets[name] = value;
        secrets[$"{name} (in the link)"] = Uri.EscapeDataString(value);
        if (parameter == "code")
        {
            secrets[$"{name} (as Identity made it)"] = System.Text.Encoding.UTF8.GetString(WebEncoders.Base64UrlDecode(value));
        }
    }

    /// <summary>
    /// Sends what is due, then waits for the email to the address whose subject contains the
    /// text to be written to the pickup folder (account emails may also go out from a job the
    /// moment they are written), and returns its link.
    /// </summary>
    private static async Task<string> LinkInEmailAsync(PortalApp app, string to, string subject, Regex link)
    {
        await app.Dispatcher().RunAsync(Ct);
        return await Eventually.WaitForAsync(async () =>
        {
            foreach (var file in Directory.Exists(app.PickupFolder) ? Directory.GetFiles(app.PickupFolder, "*.eml") : [])
            {
                var message = await MimeMessage.LoadAsync(file, Ct);
                if (message.To.Mailboxes.Any(m => m.Address == to) && (message.Subject ?? "").Contains(subject, StringComparison.Ordinal)
                    && link.Match(message.HtmlBody ?? "") is { Success: true } found)
                {
                    return WebUtility.HtmlDecode(found.Groups[1].Value);
                }
            }

            return null;
        }, TimeSpan.FromSeconds(30), $"the email to {to} about '{subject}' in the pickup folder");
    }

    private static async Task<string> UserIdAsync(PortalApp app, string email)
    {
        await using var scope = app.Services.CreateAsyncScope();
        return (await scope.ServiceProvider.GetRequiredService<UserManager<PortalUser>>().FindByEmailAsync(email))!.Id;
    }

    private static string Clip(string line) => line.Length <= 400 ? line : line[..400] + "...";

    [GeneratedRegex("href=\"([^\"]*/Account/ConfirmEmail\\?[^\"]+)\"")]
    private static partial Regex ConfirmLink();

    [GeneratedRegex("href=\"([^\"]*/Account/ResetPassword\\?[^\"]+)\"")]
    private static partial Regex ResetLink();

    [GeneratedRegex("href=\"([^\"]*/programmes/join\\?token=[^\"]+)\"")]
    private static partial Regex JoinLink();

    [GeneratedRegex("href=\"([^\"]*/email/unsubscribe\\?token=[^\"]+)\"")]
    private static partial Regex UnsubscribeLink();
}
