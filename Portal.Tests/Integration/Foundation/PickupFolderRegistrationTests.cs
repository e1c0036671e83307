using System.Net;
using System.Text.RegularExpressions;
using MimeKit;
using Portal.Tests.TestSupport;
using Portal.Web.Features.Accounts;

namespace Portal.Tests.Integration.Foundation;

/// <summary>With no SMTP host, account emails are .eml files a developer can open.</summary>
public sealed partial class PickupFolderRegistrationTests
{
    [Fact]
    public async Task Register_WithoutSmtpHost_WritesEmlWhoseLinkConfirmsTheAccount()
    {
        await using var app = new PortalApp();
        var client = app.CreateBrowserlikeClient();
        const string email = "pickup.owner@example.org";
        const string password = "Correct-horse-42";

        var register = await client.SubmitFormAsync("/Account/Register", "register", new()
        {
            ["Input.Email"] = email,
            ["Input.Password"] = password,
            ["Input.ConfirmPassword"] = password,
        });
        Assert.Equal(HttpStatusCode.Redirect, register.StatusCode);
        Assert.Contains("RegisterConfirmation", register.Headers.Location!.ToString(), StringComparison.Ordinal);

        // Account emails go through the outbox: a job worker writes the file moments later.
        var file = await Eventually.WaitForAsync(
            () => Task.FromResult(Directory.Exists(app.PickupFolder) ? Directory.GetFiles(app.PickupFolder, "*.eml").SingleOrDefault() : null),
            TimeSpan.FromSeconds(15), "the confirmation email in the pickup folder");
        var message = await MimeMessage.LoadAsync(file, TestContext.Current.CancellationToken);
        Assert.Equal(email, message.To.Mailboxes.Single().Address);
        Assert.Equal("Confirm your email address", message.Subject);
        Assert.NotNull(message.HtmlBody);
        var link = ConfirmLink().Match(message.TextBody ?? "").Value;
        Assert.NotEmpty(link);
        var code = CodeOfLink().Match(link).Groups[1].Value;
        Assert.NotEmpty(code);

        // The developer finds the file from the log; the line comes just after the file appears.
        await Eventually.WaitForAsync(
            () => Task.FromResult(app.Logs.Lines.FirstOrDefault(l => l.Contains(file, StringComparison.Ordinal))),
            TimeSpan.FromSeconds(5), "the log line naming the .eml file");

        // Before confirming, the account cannot sign in.
        var early = await client.SubmitFormAsync("/Account/Login", "login", new() { ["Input.Email"] = email, ["Input.Password"] = password });
        Assert.Equal(HttpStatusCode.OK, early.StatusCode);

        var confirm = await client.GetStringAsync(link, TestContext.Current.CancellationToken);
        Assert.Contains("Thank you for confirming your email", confirm, StringComparison.Ordinal);

        var signIn = await client.SubmitFormAsync("/Account/Login", "login", new() { ["Input.Email"] = email, ["Input.Password"] = password });
        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
        var home = await client.GetStringAsync("/", TestContext.Current.CancellationToken);
        Assert.Contains(email, home, StringComparison.Ordinal);

        Assert.Equal([PortalRoles.Owner], await app.RolesOfAsync(email));

        // Logs may be shipped to people who must not be able to sign in or confirm as this user.
        Assert.DoesNotContain(app.Logs.Lines, l => l.Contains(password, StringComparison.Ordinal));
        Assert.DoesNotContain(app.Logs.Lines, l => l.Contains(code, StringComparison.Ordinal));
    }

    [GeneratedRegex(@"https?://\S+/Account/ConfirmEmail\S+")]
    private static partial Regex ConfirmLink();

    [GeneratedRegex(@"[?&]code=([^&\s]+)")]
    private static partial Regex CodeOfLink();
}
