using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using AngleSharp.Html.Parser;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Tests.TestSupport;
using Portal.Web.Data;
using Portal.Web.Data.Entities;
using Portal.Web.Features.Accounts;
using Portal.Web.Features.Security;
using static Portal.Tests.Integration.Security.SecuritySteps;

namespace Portal.Tests.Integration.Security;

/// <summary>
/// Rate limits per network address on the forms anyone can post without signing in (sign-in,
/// registration, forgotten password, resend confirmation) and on the anonymous score API:
/// N requests go through, the next gets 429 with Retry-After and a page (or problem details)
/// that says what happened and when to try again, and the refused request did nothing. Each
/// test runs its own portal with low limits; the defaults let an office behind one address work.
/// </summary>
public sealed class RateLimitTests
{
    private const string Password = "Rate-limit-2026";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string Unique(string name) => $"{name}.{Guid.NewGuid():N}@example.org";

    private static PortalApp Limited(int permits, bool realServer = false) => new(o =>
    {
        o.RealServer = realServer;
        foreach (var limit in new[] { "SignIn", "Registration", "AccountEmails" })
        {
            o.Settings[$"RateLimits:{limit}:Permits"] = permits.ToString(CultureInfo.InvariantCulture);
        }

        o.Settings["ScoringApi:PermitsPerMinute"] = permits.ToString(CultureInfo.InvariantCulture);
    });

    /// <summary>The refusal a person sees: 429, Retry-After, the portal's page saying what and when.</summary>
    private static async Task<string> AssertRefusedAsync(HttpResponseMessage response, string what, string wait, int retryAfterSeconds)
    {
        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(retryAfterSeconds), response.Headers.RetryAfter?.Delta);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        var document = new HtmlParser().ParseDocument(await response.Content.ReadAsStringAsync(Ct));
        Assert.Equal("Too many attempts: please wait", document.QuerySelector("h1")?.TextContent);
        var text = Text(document);
        Assert.Contains($"The portal has received more {what} from your network than it accepts in a short time", text, StringComparison.Ordinal);
        Assert.Contains("nothing was saved or sent", text, StringComparison.Ordinal);
        Assert.Contains($"Try again in {wait}.", text, StringComparison.Ordinal);
        return text;
    }

    [Fact]
    public async Task SignIn_ThreeAllowed_TheFourthIsRefused_EvenWithTheRightPassword_AndSignsNobodyIn()
    {
        await using var app = Limited(3);
        var email = Unique("owner");
        await app.CreateUserAsync(email, Password, PortalRoles.Owner);
        var client = app.CreateBrowserlikeClient();

        for (var attempt = 1; attempt <= 3; attempt++)
        {
            var wrong = await SignInAsync(client, email, "Wrong-password-" + attempt);
            Assert.Equal(HttpStatusCode.OK, wrong.StatusCode);
        }

        var refused = await SignInAsync(client, email, Password);

        await AssertRefusedAsync(refused, "sign-in attempts", "5 minutes", 300);
        Assert.DoesNotContain(refused.Headers.TryGetValues("Set-Cookie", out var cookies) ? cookies : [], c => c.StartsWith(".AspNetCore.Identity.Application=", StringComparison.Ordinal));
        Assert.DoesNotContain("Sign out", await client.GetStringAsync("/", Ct), StringComparison.Ordinal);
        Assert.Equal(3, await FailedCountAsync(app, email)); // the refused attempt was not even counted
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/Account/Login", Ct)).StatusCode); // reading the form is never refused
    }

    [Fact]
    public async Task Registration_TwoAllowed_TheThirdIsRefused_AndCreatesNoAccountAndNoEmail()
    {
        await using var app = Limited(2);
        var client = app.CreateBrowserlikeClient();
        var allowed = new[] { Unique("first"), Unique("second") };
        foreach (var email in allowed)
        {
            var registered = await RegisterAsync(client, email, Password);
            Assert.StartsWith("/Account/RegisterConfirmation", LeadsTo(registered), StringComparison.Ordinal);
        }

        var third = Unique("third");
        var refused = await RegisterAsync(client, third, Password);

        await AssertRefusedAsync(refused, "new accounts", "60 minutes", 3600);
        Assert.Equal(allowed.Order(), (await app.QueryAsync(db => db.Users.Select(u => u.Email!).ToListAsync())).Order());
        Assert.Equal(allowed.Order(), (await AccountEmailsToAsync(app)).Order());
        Assert.Null(await FindAsync(app, third));
    }

    [Fact]
    public async Task ForgottenPassword_TwoAllowed_TheThirdIsRefused_AndSendsNoEmail()
    {
        await using var app = Limited(2);
        var email = Unique("owner");
        await app.CreateUserAsync(email, Password, PortalRoles.Owner);
        var client = app.CreateBrowserlikeClient();
        for (var request = 1; request <= 2; request++)
        {
            Assert.Equal("/Account/ForgotPasswordConfirmation", LeadsTo(await ForgotPasswordAsync(client, email)));
        }

        var refused = await ForgotPasswordAsync(client, email);

        await AssertRefusedAsync(refused, "requests for emails about accounts", "60 minutes", 3600);
        Assert.Equal([email, email], await AccountEmailsToAsync(app));
    }

    [Fact]
    public async Task ResendConfirmation_TwoAllowed_TheThirdIsRefused_AndSendsNoEmail_AndForgottenPasswordCountsWithIt()
    {
        await using var app = Limited(2);
        var client = app.CreateBrowserlikeClient();
        var email = Unique("unconfirmed");
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<PortalUser>>();
            Assert.True((await users.CreateAsync(new PortalUser { UserName = email, Email = email }, Password)).Succeeded);
        }

        for (var request = 1; request <= 2; request++)
        {
            var sent = await ResendConfirmationAsync(client, email);
            Assert.Equal(HttpStatusCode.OK, sent.StatusCode);
            Assert.Contains("Verification email sent", await MainTextAsync(sent), StringComparison.Ordinal);
        }

        var refused = await ResendConfirmationAsync(client, email);
        await AssertRefusedAsync(refused, "requests for emails about accounts", "60 minutes", 3600);

        // One count for both forms that email an address: switching form does not reset it.
        Assert.Equal(HttpStatusCode.TooManyRequests, (await ForgotPasswordAsync(client, email)).StatusCode);
        Assert.Equal([email, email], await AccountEmailsToAsync(app));
    }

    [Fact]
    public async Task ScoreApi_ThreeAllowed_TheFourthGetsProblemDetailsWithRetryAfter_PerNetworkAddress()
    {
        await using var app = Limited(3, realServer: true);
        using var first = ClientFrom(app.BaseAddress, IPAddress.Parse("127.0.0.2"));
        using var second = ClientFrom(app.BaseAddress, IPAddress.Parse("127.0.0.3"));
        static Task<HttpResponseMessage> Score(HttpClient client) =>
            client.PostAsync("/api/v1/score", new StringContent("""{"answers": {"cp.language": 4}}""", Encoding.UTF8, "application/json"), Ct);

        for (var request = 1; request <= 3; request++)
        {
            Assert.Equal(HttpStatusCode.OK, (await Score(first)).StatusCode);
        }

        var refused = await Score(first);

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(60), refused.Headers.RetryAfter?.Delta);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(await refused.Content.ReadAsStringAsync(Ct)).RootElement;
        Assert.Equal(429, problem.GetProperty("status").GetInt32());
        Assert.Equal("Too many requests", problem.GetProperty("title").GetString());
        Assert.Equal("This address has sent more requests than the portal allows in a short time. Wait 1 minute and try again.", problem.GetProperty("detail").GetString());

        // Another network is counted on its own.
        Assert.Equal(HttpStatusCode.OK, (await Score(second)).StatusCode);
        // The questionnaire (GET) is not limited.
        Assert.Equal(HttpStatusCode.OK, (await first.GetAsync("/api/v1/questionnaire", Ct)).StatusCode);
    }

    [Fact]
    public async Task SignIn_IsCountedPerNetworkAddress()
    {
        await using var app = Limited(2, realServer: true);
        var email = Unique("owner");
        await app.CreateUserAsync(email, Password, PortalRoles.Owner);
        using var office = ClientFrom(app.BaseAddress, IPAddress.Parse("127.0.0.4"));
        using var home = ClientFrom(app.BaseAddress, IPAddress.Parse("127.0.0.5"));

        await SignInAsync(office, email, "Wrong-password-1");
        await SignInAsync(office, email, "Wrong-password-2");
        Assert.Equal(HttpStatusCode.TooManyRequests, (await SignInAsync(office, email, Password)).StatusCode);

        var fromHome = await SignInAsync(home, email, Password);
        Assert.Equal(HttpStatusCode.Redirect, fromHome.StatusCode);
        Assert.Equal("/", LeadsTo(fromHome));
    }

    /// <summary>
    /// The defaults (RateLimitOptions) with an office of twenty people behind one address: each
    /// mistypes the password once and then signs in, all within minutes; a colleague group
    /// registers together. Nobody is refused. A script that goes on is.
    /// </summary>
    [Fact]
    public async Task DefaultLimits_LetAnOfficeBehindOneAddressWork_AndStopAScript()
    {
        var defaults = new RateLimitOptions();
        await using var app = new PortalApp(o =>
        {
            o.Settings["RateLimits:SignIn:Permits"] = defaults.SignIn.Permits.ToString(CultureInfo.InvariantCulture);
            o.Settings["RateLimits:Registration:Permits"] = defaults.Registration.Permits.ToString(CultureInfo.InvariantCulture);
            o.Settings["RateLimits:AccountEmails:Permits"] = defaults.AccountEmails.Permits.ToString(CultureInfo.InvariantCulture);
        });
        Assert.Equal((60, 5), (defaults.SignIn.Permits, defaults.SignIn.WindowMinutes));
        Assert.Equal((30, 60), (defaults.Registration.Permits, defaults.Registration.WindowMinutes));
        Assert.Equal((20, 60), (defaults.AccountEmails.Permits, defaults.AccountEmails.WindowMinutes));

        var colleagues = Enumerable.Range(1, 20).Select(i => Unique($"colleague{i}")).ToList();
        foreach (var email in colleagues)
        {
            await app.CreateUserAsync(email, Password, PortalRoles.Owner);
        }

        var statuses = new List<HttpStatusCode>();
        foreach (var email in colleagues)
        {
            var client = app.CreateBrowserlikeClient();
            statuses.Add((await SignInAsync(client, email, "Mistyped-password")).StatusCode);
            statuses.Add((await SignInAsync(client, email, Password)).StatusCode);
        }

        Assert.Equal(Enumerable.Repeat(new[] { HttpStatusCode.OK, HttpStatusCode.Redirect }, 20).SelectMany(s => s), statuses);

        var workshop = app.CreateBrowserlikeClient();
        for (var i = 1; i <= 20; i++)
        {
            Assert.Equal(HttpStatusCode.Redirect, (await RegisterAsync(workshop, Unique($"trainee{i}"), Password)).StatusCode);
        }

        // A script trying passwords from the same address: 20 more sign-ins fit in the 60, the next is refused.
        var script = app.CreateBrowserlikeClient();
        for (var i = 1; i <= 20; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await SignInAsync(script, Unique("guess"), "Guess-" + i)).StatusCode);
        }

        Assert.Equal(HttpStatusCode.TooManyRequests, (await SignInAsync(script, Unique("guess"), "Guess-61")).StatusCode);
    }

    [Fact]
    public async Task TheStatusPageFor429_OpenedDirectly_SaysToTryAgainInAFewMinutes()
    {
        await using var app = new PortalApp();
        var response = await app.CreateClient().GetAsync("/error/429", Ct);

        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        var text = await MainTextAsync(response);
        Assert.Contains("The portal has received more requests from your network than it accepts in a short time", text, StringComparison.Ordinal);
        Assert.Contains("Try again in a few minutes.", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("203.0.113.7", "203.0.113.7")]
    [InlineData("::ffff:203.0.113.7", "203.0.113.7")] // IPv4 as a dual-stack socket reports it
    [InlineData("2001:db8:1:2:aaaa:bbbb:cccc:dddd", "2001:db8:1:2::/64")]
    [InlineData("2001:db8:1:2::1", "2001:db8:1:2::/64")] // another machine, or the same one with a new address, of that network
    [InlineData("2001:db8:1:3::1", "2001:db8:1:3::/64")]
    public void ClientAddress_CountsAnIPv4AddressOrAnIPv6Network(string address, string counted) =>
        Assert.Equal(counted, ClientAddress.PartitionKey(IPAddress.Parse(address)));

    private static async Task<PortalUser?> FindAsync(PortalApp app, string email)
    {
        await using var scope = app.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<UserManager<PortalUser>>().FindByEmailAsync(email);
    }

    private static async Task<int> FailedCountAsync(PortalApp app, string email)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<PortalUser>>();
        return await users.GetAccessFailedCountAsync((await users.FindByEmailAsync(email))!);
    }

    /// <summary>The recipients of the account emails in the outbox (confirmation, password reset), oldest first.</summary>
    private static Task<List<string>> AccountEmailsToAsync(PortalApp app) =>
        app.QueryAsync(db => db.FollowUps.Where(f => f.Kind == EmailKind.Account).OrderBy(f => f.CreatedAt).Select(f => f.RecipientEmail!).ToListAsync());
}
