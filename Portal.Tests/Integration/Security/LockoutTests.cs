using System.Net;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Portal.Tests.TestSupport;
using Portal.Web.Data;
using Portal.Web.Features.Accounts;
using static Portal.Tests.Integration.Security.SecuritySteps;

namespace Portal.Tests.Integration.Security;

/// <summary>
/// Password guessing: five wrong passwords in a row lock the address for 15 minutes (Identity's
/// lockout, counted by the sign-in form), during which even the right password is refused with
/// the lockout page; the clock moved past 15 minutes lets the right password in. The responses
/// are the same whether or not the address has an account, so the lock tells nobody which
/// addresses do.
/// </summary>
public sealed class LockoutTests : IAsyncLifetime
{
    private const string Password = "Lockout-test-2026";
    private const string Wrong = "Not-the-password-1";
    private readonly FakeTimeProvider clock = new(DateTimeOffset.UtcNow);
    private readonly PortalApp app;

    public LockoutTests() => app = new PortalApp(o => o.Clock = clock);

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => app.DisposeAsync();

    private static string Unique(string name) => $"{name}.{Guid.NewGuid():N}@example.org";

    [Fact]
    public async Task FiveWrongPasswords_LockTheAccount_TheRightPasswordIsRefused_UntilFifteenMinutesHavePassed()
    {
        var email = Unique("owner");
        await app.CreateUserAsync(email, Password, PortalRoles.Owner);
        var client = app.CreateBrowserlikeClient();

        for (var attempt = 1; attempt <= 4; attempt++)
        {
            var wrong = await SignInAsync(client, email, Wrong);
            Assert.Equal(HttpStatusCode.OK, wrong.StatusCode);
            Assert.Contains("Invalid login attempt", await MainTextAsync(wrong), StringComparison.Ordinal);
        }

        var fifth = await SignInAsync(client, email, Wrong);
        Assert.Equal(HttpStatusCode.Redirect, fifth.StatusCode);
        Assert.Equal("/Account/Lockout", LeadsTo(fifth));
        var lockoutPage = await MainTextAsync(await client.GetAsync("/Account/Lockout", TestContext.Current.CancellationToken));
        Assert.Contains("Signing in is paused", lockoutPage, StringComparison.Ordinal);
        Assert.Contains("paused for 15 minutes", lockoutPage, StringComparison.Ordinal);

        var right = await SignInAsync(client, email, Password);
        Assert.Equal("/Account/Lockout", LeadsTo(right));
        Assert.False(await SignedInAsync(client));

        clock.Advance(TimeSpan.FromMinutes(14));
        Assert.Equal("/Account/Lockout", LeadsTo(await SignInAsync(client, email, Password)));

        clock.Advance(TimeSpan.FromMinutes(1) + TimeSpan.FromSeconds(1));
        var after = await SignInAsync(client, email, Password);
        Assert.Equal(HttpStatusCode.Redirect, after.StatusCode);
        Assert.NotEqual("/Account/Lockout", LeadsTo(after));
        Assert.True(await SignedInAsync(client));
        Assert.Equal(0, await FailedCountAsync(email)); // a success starts the count again
    }

    [Fact]
    public async Task TheCountIsOfFailuresInARow_ASuccessStartsItAgain()
    {
        var email = Unique("owner");
        await app.CreateUserAsync(email, Password, PortalRoles.Owner);

        for (var attempt = 1; attempt <= 4; attempt++)
        {
            await SignInAsync(app.CreateBrowserlikeClient(), email, Wrong);
        }

        Assert.Equal(HttpStatusCode.Redirect, (await SignInAsync(app.CreateBrowserlikeClient(), email, Password)).StatusCode);
        var wrongAgain = await SignInAsync(app.CreateBrowserlikeClient(), email, Wrong);

        Assert.Equal(HttpStatusCode.OK, wrongAgain.StatusCode); // the 6th wrong password, not the 5th in a row
        Assert.Equal(1, await FailedCountAsync(email));
    }

    [Fact]
    public async Task AnAddressWithoutAnAccount_OrNotConfirmed_GetsTheSameResponsesAsAnAccount()
    {
        var account = Unique("owner");
        await app.CreateUserAsync(account, Password, PortalRoles.Owner);
        var unconfirmed = Unique("unconfirmed");
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<PortalUser>>();
            Assert.True((await users.CreateAsync(new PortalUser { UserName = unconfirmed, Email = unconfirmed }, Password)).Succeeded);
        }

        var withAccount = await SevenAttemptsAsync(account);
        var nobody = Unique("nobody");
        var withoutAccount = await SevenAttemptsAsync(nobody);
        var notConfirmed = await SevenAttemptsAsync(unconfirmed);

        Assert.Equal(withAccount, withoutAccount);
        Assert.Equal(withAccount, notConfirmed);
        Assert.Equal(["200 Invalid", "200 Invalid", "200 Invalid", "200 Invalid", "302 /Account/Lockout", "302 /Account/Lockout", "302 /Account/Lockout"],
            withAccount.Select(r => r.Split(" | ")[0]));

        // And the lock ends for them all alike.
        clock.Advance(TimeSpan.FromMinutes(16));
        var client = app.CreateBrowserlikeClient();
        Assert.Equal(HttpStatusCode.OK, (await SignInAsync(client, nobody, Wrong)).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await SignInAsync(client, account, Password)).StatusCode);
    }

    /// <summary>Five wrong passwords, then the right one, then a wrong one: status, where it leads, and what the page says.</summary>
    private async Task<List<string>> SevenAttemptsAsync(string email)
    {
        var client = app.CreateBrowserlikeClient();
        var outcomes = new List<string>();
        foreach (var password in new[] { Wrong, Wrong, Wrong, Wrong, Wrong, Password, Wrong })
        {
            var response = await SignInAsync(client, email, password);
            var page = await MainTextAsync(await client.GetDocumentResponseAsync(response));
            var summary = response.StatusCode == HttpStatusCode.Redirect
                ? $"302 {LeadsTo(response)}"
                : $"{(int)response.StatusCode} {(page.Contains("Invalid login attempt", StringComparison.Ordinal) ? "Invalid" : "?")}";
            outcomes.Add($"{summary} | {page}");
        }

        return outcomes;
    }

    private static async Task<bool> SignedInAsync(HttpClient client)
    {
        var page = await client.GetStringAsync("/", TestContext.Current.CancellationToken);
        return page.Contains("Sign out", StringComparison.Ordinal);
    }

    private async Task<int> FailedCountAsync(string email)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<PortalUser>>();
        return await users.GetAccessFailedCountAsync((await users.FindByEmailAsync(email))!);
    }
}
