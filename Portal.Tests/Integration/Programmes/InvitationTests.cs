using AngleSharp.Dom;
using System.Net;
using AngleSharp.Html.Dom;
using AngleSharp.Html.Parser;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;
using Portal.Tests.TestSupport;
using Portal.Web.Data;
using Portal.Web.Data.Entities;
using Portal.Web.Features.Accounts;
using Portal.Web.Features.Programmes;

namespace Portal.Tests.Integration.Programmes;

/// <summary>
/// Invitations end to end: staff invite by email on the cohort page, the email arrives at a
/// real SMTP server (maildev) with the programme's names and a link; a registered owner who
/// follows it and accepts is enrolled (baseline: the latest assessment) and shares with the
/// organisation. A used, expired or forged link gets a clear page; non-owners are refused.
/// </summary>
public sealed class InvitationTests(MailDevServer mail) : IAsyncLifetime
{
    private const string Password = EnrolmentSetup.Password;
    private readonly FakeTimeProvider clock = new(new DateTimeOffset(2027, 2, 1, 9, 0, 0, TimeSpan.Zero));
    private PortalApp app = default!;
    private EnrolmentSetup.ProgrammeIds ids = default!;
    private PortalUser staff = default!;
    private Guid cohort;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private string CohortUrl => EnrolmentSetup.CohortUrl(ids.ProgrammeId, cohort);

    private static string Unique(string name) => $"{name}.{Guid.NewGuid():N}@example.org";

    public async ValueTask InitializeAsync()
    {
        app = new PortalApp(o =>
        {
            o.Clock = clock;
            o.UseSmtp(mail);
            o.Settings["FollowUps:DispatchEveryMinutes"] = "0"; // the test runs the dispatcher itself
        });
        ids = await EnrolmentSetup.ProgrammeAsync(app, "Scottish Enterprise", "Export Ready", "Twelve weeks of export support.");
        staff = await EnrolmentSetup.StaffAsync(app, Unique("staff"), ids.ProgrammeId);
        cohort = await EnrolmentSetup.CohortAsync(app, staff, ids.ProgrammeId, "Spring 2027");
    }

    public ValueTask DisposeAsync() => app.DisposeAsync();

    private async Task<IHtmlDocument> InviteAsync(HttpClient client, string addresses, HttpStatusCode expected = HttpStatusCode.Redirect)
    {
        var response = await client.SubmitFormAsync(CohortUrl, "invite", new() { ["Invite.Emails"] = addresses });
        Assert.Equal(expected, response.StatusCode);
        return await client.GetDocumentFromAsync(response);
    }

    /// <summary>Runs the dispatcher and returns the invitation link of the email that arrived for the address.</summary>
    private async Task<string> LinkSentToAsync(string email)
    {
        await app.Dispatcher().RunAsync(Ct);
        var message = await mail.MimeAsync(await mail.WaitForEmailAsync(email, "invites you to Export Ready"));
        return EnrolmentSetup.JoinLink(message.HtmlBody!);
    }

    private static async Task<(HttpStatusCode Status, IHtmlDocument Page)> OpenAsync(HttpClient client, string url)
    {
        var response = await client.GetAsync(url, Ct);
        return (response.StatusCode, new HtmlParser().ParseDocument(await response.Content.ReadAsStringAsync(Ct)));
    }

    private static string State(IHtmlDocument page, string who) => page.QuerySelector($"tr[data-enrolment='{who}']")?.GetAttribute("data-state") ?? "";

    [Fact]
    public async Task TheEmailArrives_AndItsLinkFollowedByARegisteredOwner_EnrolsTheFirmAndShares()
    {
        var ownerEmail = Unique("owner");
        var newcomer = Unique("newcomer");
        var owner = await app.CreateUserAsync(ownerEmail, Password, PortalRoles.Owner);
        var assessment = await app.SubmitPersonaAsync(owner.Id, "lew-a", "Valves of Zhejiang");
        var client = await app.SignedInClientAsync(staff.Email!, Password);

        var page = await InviteAsync(client, $"{ownerEmail}\n\n  {newcomer}  \n");

        Assert.Equal($"Invitations sent to {ownerEmail}, {newcomer}.", page.QuerySelector("[data-testid=done]")!.TextContent.Trim());
        Assert.Equal(nameof(EnrolmentState.Registered), State(page, ownerEmail)); // an account uses the address
        Assert.Equal(nameof(EnrolmentState.Invited), State(page, newcomer));
        var rows = await EnrolmentSetup.EnrolmentsAsync(app, cohort);
        Assert.Equal(2, rows.Count);
        Assert.All(rows, r => Assert.Matches("^[0-9a-f]{64}$", r.TokenHash));
        Assert.All(rows, r => Assert.Equal((staff.Id, (Guid?)null), (r.InvitedById, r.FirmId)));

        // The email: the programme's, cohort's and organisation's names, and a link whose token only the email holds.
        await app.Dispatcher().RunAsync(Ct);
        var message = await mail.MimeAsync(await mail.WaitForEmailAsync(ownerEmail));
        Assert.Equal("Scottish Enterprise invites you to Export Ready", message.Subject);
        foreach (var text in new[] { "Export Ready", "Spring 2027", "Scottish Enterprise", "1 March 2027", "Twelve weeks of export support." })
        {
            Assert.Contains(text, message.HtmlBody, StringComparison.Ordinal);
            Assert.Contains(text, message.TextBody, StringComparison.Ordinal);
        }

        var link = EnrolmentSetup.JoinLink(message.HtmlBody!);
        var token = Uri.UnescapeDataString(link[(link.IndexOf("token=", StringComparison.Ordinal) + 6)..]);
        Assert.Contains(link, message.TextBody, StringComparison.Ordinal);
        Assert.Equal(43, token.Length); // 32 bytes, base64url
        var row = rows.Single(r => r.InvitedEmail == ownerEmail);
        Assert.Equal(row.TokenHash, InvitationTokens.Hash(token));
        Assert.False(await app.QueryAsync(db => db.FollowUps.AnyAsync(f => f.ProtectedPayload!.Contains(token), Ct)));
        await mail.WaitForEmailAsync(newcomer, "invites you to Export Ready"); // the other address got its own

        // Anyone with the link reads what it is, and is offered to register or sign in and come back.
        var (status, anonymous) = await OpenAsync(app.CreateBrowserlikeClient(), link);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("Join Export Ready", anonymous.QuerySelector("h1")!.TextContent);
        Assert.Contains("shares its results with Scottish Enterprise", anonymous.QuerySelector(".panel")!.TextContent, StringComparison.Ordinal);
        var returnUrl = Uri.EscapeDataString(link);
        Assert.Equal($"Account/Register?ReturnUrl={returnUrl}", anonymous.QuerySelector("a.btn-primary")!.GetAttribute("href"));
        Assert.Equal($"Account/Login?ReturnUrl={returnUrl}", anonymous.QuerySelector("a.btn-outline-primary")!.GetAttribute("href"));
        Assert.DoesNotContain(anonymous.QuerySelectorAll("button"), b => b.TextContent.Contains("Accept", StringComparison.Ordinal));

        // The owner accepts.
        var owners = await app.SignedInClientAsync(ownerEmail, Password);
        var accepted = await owners.SubmitFormAsync(link, "accept", []);
        Assert.Equal(HttpStatusCode.Redirect, accepted.StatusCode);
        var programmes = await owners.GetDocumentFromAsync(accepted);
        Assert.Contains("Valves of Zhejiang has joined Spring 2027 of Export Ready. Scottish Enterprise can now see your results.",
            programmes.QuerySelector(".notice--success")!.TextContent, StringComparison.Ordinal);
        Assert.NotNull(programmes.QuerySelector("[data-programme='Export Ready']"));

        var firmId = await app.QueryAsync(db => db.FirmMembers.Where(m => m.UserId == owner.Id).Select(m => m.FirmId).SingleAsync(Ct));
        var enrolment = await app.QueryAsync(db => db.Enrolments.AsNoTracking().SingleAsync(e => e.Id == row.Id, Ct));
        Assert.Equal((firmId, clock.GetUtcNow().UtcDateTime, owner.Id, assessment, (DateTime?)null),
            (enrolment.FirmId!.Value, enrolment.EnrolledAt!.Value, enrolment.EnrolledById, enrolment.BaselineAssessmentId!.Value, enrolment.LeftAt));
        var share = await app.QueryAsync(db => db.FirmShares.AsNoTracking().SingleAsync(s => s.FirmId == firmId, Ct));
        Assert.Equal((ids.OrganisationId, (DateTime?)null, owner.Id), (share.OrganisationId, share.RevokedAt, share.GrantedByUserId));
        Assert.Equal(1, await app.QueryAsync(db => ProgrammeAccess.VisibleEnrolments(db, cohort).CountAsync(Ct)));
        var audit = await app.QueryAsync(db => db.AuditEntries.AsNoTracking().SingleAsync(e => e.ActorId == owner.Id, Ct));
        Assert.Equal((InvitationService.AcceptedAction, "Valves of Zhejiang joined Spring 2027 of Export Ready (Scottish Enterprise) and shares its results with it"),
            (audit.Action, audit.Detail));

        // Staff see the firm by name now, and the counts move.
        var cohortPage = await client.GetDocumentAsync(CohortUrl);
        Assert.Equal(nameof(EnrolmentState.Enrolled), State(cohortPage, "Valves of Zhejiang"));
        Assert.Equal(nameof(EnrolmentState.Invited), State(cohortPage, newcomer));
        var programmePage = await client.GetDocumentAsync($"/programmes/{ids.ProgrammeId}");
        Assert.Equal("1", programmePage.QuerySelector("tr[data-cohort='Spring 2027'] [data-testid=invited]")!.TextContent);
        Assert.Equal("1", programmePage.QuerySelector("tr[data-cohort='Spring 2027'] [data-testid=enrolled]")!.TextContent);
    }

    [Fact]
    public async Task SomeoneWithoutAnAccount_RegistersFromTheInvitation_AndSigningInLeadsBackToIt()
    {
        var newcomer = Unique("newcomer");
        await InviteAsync(await app.SignedInClientAsync(staff.Email!, Password), newcomer);
        var link = await LinkSentToAsync(newcomer);
        var visitor = app.CreateBrowserlikeClient();
        var (_, invitation) = await OpenAsync(visitor, link);

        var register = "/" + invitation.QuerySelector("a.btn-primary")!.GetAttribute("href");
        var registered = await visitor.SubmitFormAsync(register, "register", new()
        {
            ["Input.Email"] = newcomer,
            ["Input.Password"] = Password,
            ["Input.ConfirmPassword"] = Password,
        });
        Assert.Equal(HttpStatusCode.Redirect, registered.StatusCode);
        await app.Dispatcher().RunAsync(Ct);
        var confirmation = await mail.WaitForEmailAsync(newcomer, "Confirm your email address");
        var confirm = WebUtility.HtmlDecode(System.Text.RegularExpressions.Regex.Match(confirmation.Html!, "href=\"([^\"]*ConfirmEmail[^\"]*)\"").Groups[1].Value);
        var (_, confirmed) = await OpenAsync(visitor, new Uri(confirm).PathAndQuery);
        var signIn = "/" + confirmed.QuerySelector("a.btn-primary")!.GetAttribute("href");
        Assert.Equal($"/Account/Login?ReturnUrl={Uri.EscapeDataString(link)}", signIn);

        var signedIn = await visitor.SubmitFormAsync(signIn, "login", new() { ["Input.Email"] = newcomer, ["Input.Password"] = Password });
        Assert.Equal(link, new Uri(new Uri("http://localhost"), signedIn.Headers.Location!).PathAndQuery);
        Assert.Equal(HttpStatusCode.Redirect, (await visitor.SubmitFormAsync(link, "accept", [])).StatusCode);
        Assert.NotNull(Assert.Single(await EnrolmentSetup.EnrolmentsAsync(app, cohort)).FirmId);
    }

    [Fact]
    public async Task InvalidAddresses_AreRefusedByName_WithNothingSent_AndAnAddressIsNotInvitedTwice()
    {
        var client = await app.SignedInClientAsync(staff.Email!, Password);
        var first = Unique("first");
        var second = Unique("second");

        var typed = $"{first}\nnot-an-email\njo@example\n";
        var refused = await InviteAsync(client, typed, HttpStatusCode.OK);
        Assert.Equal("“not-an-email”, “jo@example” are not email addresses. Correct them or remove them, then send again: no invitation has been sent",
            refused.QuerySelector("#error-emails")!.TextContent.Replace("Error:", "", StringComparison.Ordinal).Trim());
        Assert.EndsWith("#invite-emails", refused.QuerySelector(".error-summary a")!.GetAttribute("href"), StringComparison.Ordinal);
        Assert.Equal(typed, refused.QuerySelector<IHtmlTextAreaElement>("#invite-emails")!.Value.Replace("\r\n", "\n", StringComparison.Ordinal));
        Assert.Empty(await EnrolmentSetup.EnrolmentsAsync(app, cohort));
        Assert.False(await app.QueryAsync(db => db.FollowUps.AnyAsync(Ct)));

        // The same address twice in one go, in another case: one invitation.
        await InviteAsync(client, $"{first}\n{first.ToUpperInvariant()}");
        var again = await InviteAsync(client, $"{first}\n{second}");
        Assert.Equal($"Invitations sent to {second}. Not invited again: {first} was invited already on 1 February 2027.",
            again.QuerySelector("[data-testid=done]")!.TextContent.Trim());

        var nothing = await InviteAsync(client, first, HttpStatusCode.OK);
        Assert.Equal($"No invitation was sent: {first} was invited already on 1 February 2027",
            nothing.QuerySelector("#error-emails")!.TextContent.Replace("Error:", "", StringComparison.Ordinal).Trim());

        Assert.Equal([first, second], (await EnrolmentSetup.EnrolmentsAsync(app, cohort)).Select(e => e.InvitedEmail).Order());
        await app.Dispatcher().RunAsync(Ct);
        await mail.WaitForEmailAsync(second);
        Assert.Single(await mail.EmailsToAsync(first));
        var audit = await app.QueryAsync(db => db.AuditEntries.AsNoTracking().Where(e => e.ActorId == staff.Id && e.Action == InvitationService.InvitedAction).CountAsync(Ct));
        Assert.Equal(2, audit); // the two posts that sent something
    }

    [Fact]
    public async Task AUsedLink_AnExpiredLink_AndAForgedLink_EachGetAClearPage()
    {
        var firstEmail = Unique("first-owner");
        var secondEmail = Unique("second-owner");
        await app.CreateUserAsync(firstEmail, Password, PortalRoles.Owner);
        await app.CreateUserAsync(secondEmail, Password, PortalRoles.Owner);
        var client = await app.SignedInClientAsync(staff.Email!, Password);
        await InviteAsync(client, $"{firstEmail}\n{secondEmail}");
        var firstLink = await LinkSentToAsync(firstEmail);
        var secondLink = await LinkSentToAsync(secondEmail);
        var first = await app.SignedInClientAsync(firstEmail, Password);
        Assert.Equal(HttpStatusCode.Redirect, (await first.SubmitFormAsync(firstLink, "accept", [])).StatusCode);

        // Used: another owner, or anyone, gets 410 and what to do; the firm that used it is told it is in.
        var second = await app.SignedInClientAsync(secondEmail, Password);
        foreach (var reader in new[] { second, app.CreateBrowserlikeClient() })
        {
            var (status, page) = await OpenAsync(reader, firstLink);
            Assert.Equal(HttpStatusCode.Gone, status);
            Assert.Equal("This invitation has already been used", page.QuerySelector("h1")!.TextContent);
            Assert.Contains("ask the programme's staff at Scottish Enterprise for an invitation of your own", page.Body!.TextContent, StringComparison.Ordinal);
            Assert.DoesNotContain(page.QuerySelectorAll("button"), b => b.TextContent.Contains("Accept", StringComparison.Ordinal));
        }

        var (own, ownPage) = await OpenAsync(first, firstLink);
        Assert.Equal(HttpStatusCode.OK, own);
        Assert.Equal("Your firm has already accepted this invitation", ownPage.QuerySelector("h1")!.TextContent);

        // Forged or cut short: 400, whatever it looks like.
        var random = Microsoft.AspNetCore.WebUtilities.WebEncoders.Base64UrlEncode(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        foreach (var forged in new[] { $"/programmes/join?token={random}", "/programmes/join?token=abc", "/programmes/join", firstLink[..^5] })
        {
            var (status, page) = await OpenAsync(second, forged);
            Assert.True(status == HttpStatusCode.BadRequest, $"{forged}: {(int)status}");
            Assert.Equal("This invitation link does not work", page.QuerySelector("h1")!.TextContent);
        }

        // Expired: the day after its last valid day, 410 and nothing can be accepted.
        clock.Advance(TimeSpan.FromDays(30) + TimeSpan.FromMinutes(1));
        second = await app.SignedInClientAsync(secondEmail, Password);
        var (expired, expiredPage) = await OpenAsync(second, secondLink);
        Assert.Equal(HttpStatusCode.Gone, expired);
        Assert.Equal("This invitation has expired", expiredPage.QuerySelector("h1")!.TextContent);
        Assert.Contains("could be accepted until 3 March 2027", expiredPage.Body!.TextContent, StringComparison.Ordinal);
        var posted = await FirmFileSetup.PostFormAsync(second, secondLink, "accept", [], "/settings/emails");
        Assert.Equal(HttpStatusCode.Gone, posted.StatusCode);
        Assert.Single(await app.QueryAsync(db => db.Enrolments.Where(e => e.FirmId != null).ToListAsync(Ct)));

        // Inviting the address again sends a new link; the old one stays dead.
        client = await app.SignedInClientAsync(staff.Email!, Password); // a month on, the sign-in cookie has expired
        var renewed = await InviteAsync(client, secondEmail);
        Assert.Contains($"A new link was sent to {secondEmail}, whose earlier link had expired.", renewed.QuerySelector("[data-testid=done]")!.TextContent, StringComparison.Ordinal);
        await app.Dispatcher().RunAsync(Ct);
        await Eventually.WaitForAsync(async () => (await mail.EmailsToAsync(secondEmail)).Count == 2 ? "two" : null, TimeSpan.FromSeconds(15), "the second invitation");
        Assert.Equal(HttpStatusCode.BadRequest, (await OpenAsync(second, secondLink)).Status);
    }

    [Fact]
    public async Task SignedInNonOwners_AreRefusedClearly_AndChangeNothing()
    {
        var invited = Unique("invited");
        var client = await app.SignedInClientAsync(staff.Email!, Password);
        await InviteAsync(client, invited);
        var link = await LinkSentToAsync(invited);
        var advisor = await FirmFileSetup.AdvisorAsync(app, Unique("advisor"), ids.OrganisationId);
        var admin = await app.CreateUserAsync(Unique("admin"), Password, PortalRoles.Admin);

        foreach (var (email, password) in new[] { (advisor.Email!, FirmFileSetup.Password), (staff.Email!, Password), (admin.Email!, Password) })
        {
            var signedIn = await app.SignedInClientAsync(email, password);
            var (status, page) = await OpenAsync(signedIn, link);
            Assert.True(status == HttpStatusCode.Forbidden, $"{email}: {(int)status}");
            Assert.Equal("Only a firm's owner can accept", page.QuerySelector("[data-testid=not-owner] h2")!.TextContent);
            Assert.Contains(email, page.QuerySelector("[data-testid=not-owner]")!.TextContent, StringComparison.Ordinal);
            Assert.DoesNotContain(page.QuerySelectorAll("button"), b => b.TextContent.Contains("Accept", StringComparison.Ordinal));

            var posted = await FirmFileSetup.PostFormAsync(signedIn, link, "accept", [], "/settings/emails");
            Assert.Equal(HttpStatusCode.Forbidden, posted.StatusCode);
        }

        var row = Assert.Single(await EnrolmentSetup.EnrolmentsAsync(app, cohort));
        Assert.Null(row.FirmId);
        Assert.False(await app.QueryAsync(db => db.Firms.AnyAsync(Ct)));
        Assert.False(await app.QueryAsync(db => db.FirmShares.AnyAsync(Ct)));
    }
}
