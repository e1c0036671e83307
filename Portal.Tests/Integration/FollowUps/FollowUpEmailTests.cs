using System.Net;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using MimeKit;
using Portal.Tests.TestSupport;
using Portal.Web.Data.Entities;
using Portal.Web.Features.Accounts;
using Portal.Web.Features.FollowUps;

namespace Portal.Tests.Integration.FollowUps;

/// <summary>
/// A submitted assessment's follow-up plan becomes outbox rows; moving the clock makes each
/// email arrive at a real SMTP server (maildev) with the firm's own data and working links,
/// and the unsubscribe link and header stop the rest.
/// </summary>
public sealed partial class FollowUpEmailTests(MailDevServer mail)
{
    private const string Password = "Follow-up-2026";
    private const string FirmName = "Valves of Zhejiang Ltd";
    private readonly FakeTimeProvider clock = new(new DateTimeOffset(2026, 12, 1, 9, 0, 0, TimeSpan.Zero));

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private PortalApp NewApp() => new(o =>
    {
        o.Clock = clock;
        o.UseSmtp(mail);
        o.Settings["FollowUps:DispatchEveryMinutes"] = "0"; // the test runs the dispatcher itself
    });

    private static string Unique(string name) => $"{name}.{Guid.NewGuid():N}@example.org";

    [Fact]
    public async Task SubmittedAssessment_EmailsEachFollowUpWhenItFallsDue_WithTheFirmsOwnDataAndWorkingLinks()
    {
        await using var app = NewApp();
        var email = Unique("owner");
        var owner = await app.CreateUserAsync(email, Password, PortalRoles.Owner);
        var submittedAt = clock.GetUtcNow().UtcDateTime;
        var assessmentId = await app.SubmitPersonaAsync(owner.Id, "lew-a", FirmName);

        // The plan, as the outbox holds it: one row per follow-up, due the planned days after submission.
        var report = await app.ReportAsync(assessmentId);
        var rows = await app.QueryAsync(db => db.FollowUps.AsNoTracking().Where(f => f.AssessmentId == assessmentId).ToListAsync(Ct));
        Assert.NotEmpty(report.FollowUps);
        Assert.Equal(
            report.FollowUps.Select(f => $"{f.Advice}@{submittedAt.AddDays(f.AfterDays):O}").Order(),
            rows.Select(r => $"{r.AdviceId}@{r.DueAt:O}").Order());
        Assert.All(rows, r => Assert.Equal((FollowUpStatus.Pending, owner.Id, EmailKind.Advice), (r.Status, r.UserId, r.Kind)));

        Assert.Equal(0, (await app.Dispatcher().RunAsync(Ct)).Sent); // nothing is due yet
        clock.Advance(TimeSpan.FromDays(1));
        Assert.Equal(0, (await app.Dispatcher().RunAsync(Ct)).Sent);

        var scores = await app.QueryAsync(db => db.AssessmentFactorScores.Where(s => s.AssessmentId == assessmentId).ToDictionaryAsync(s => s.FactorId, s => s.Score, Ct));
        var received = new List<MimeMessage>();
        foreach (var due in rows.GroupBy(r => r.DueAt).OrderBy(g => g.Key))
        {
            clock.SetUtcNow(new DateTimeOffset(due.Key, TimeSpan.Zero));
            Assert.Equal(due.Count(), (await app.Dispatcher().RunAsync(Ct)).Sent);
            foreach (var row in due)
            {
                var advice = TestContent.Real.Advice[row.AdviceId!];
                var arrived = await mail.WaitForEmailAsync(email, advice.Title);
                var message = await mail.MimeAsync(arrived);
                received.Add(message);

                Assert.Equal($"{FirmName}: {advice.Title}", message.Subject);
                Assert.Equal(row.Id.ToString(), message.Headers[FollowUpMessages.OutboxIdHeader]);
                Assert.False(string.IsNullOrWhiteSpace(message.HtmlBody));
                Assert.False(string.IsNullOrWhiteSpace(message.TextBody));
                var score = $"{Math.Round(scores[advice.FactorId]!.Value):0} out of 100";
                Assert.Contains(score, message.HtmlBody, StringComparison.Ordinal);
                Assert.Contains(score, message.TextBody, StringComparison.Ordinal);
                Assert.Contains(FirmName, message.TextBody, StringComparison.Ordinal);
                Assert.Equal("List-Unsubscribe=One-Click", message.Headers["List-Unsubscribe-Post"]);
                Assert.Matches("^<http://localhost/email/unsubscribe/one-click\\?token=[^>]+>$", message.Headers["List-Unsubscribe"]);
            }
        }

        var sent = await app.QueryAsync(db => db.FollowUps.AsNoTracking().Where(f => f.AssessmentId == assessmentId).ToListAsync(Ct));
        Assert.All(sent, r => Assert.Equal((FollowUpStatus.Sent, 1, email), (r.Status, r.Attempts, r.RecipientEmail)));
        Assert.Equal(rows.Count, (await mail.EmailsToAsync(email)).Count);

        // The links in the email work: results and advice for the signed-in owner, unsubscribe for anyone.
        var html = received[0].HtmlBody!;
        var owners = await app.SignedInClientAsync(email, Password);
        var results = await owners.GetStringAsync(Href(html, "/results/"), Ct);
        Assert.Contains(FirmName, results, StringComparison.Ordinal);
        Assert.Contains("Your internationalization readiness results", results, StringComparison.Ordinal);
        var advicePage = await owners.GetAsync(Href(html, "/advice/"), Ct);
        Assert.Equal(HttpStatusCode.OK, advicePage.StatusCode);
        var unsubscribe = await app.CreateBrowserlikeClient().GetStringAsync(Href(html, "/email/unsubscribe?"), Ct);
        Assert.Contains("Stop advice emails?", unsubscribe, StringComparison.Ordinal);
        Assert.Contains(email, unsubscribe, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OneClickUnsubscribe_FromTheHeader_StopsTheRestWithoutSigningIn()
    {
        await using var app = NewApp();
        var email = Unique("one-click");
        var owner = await app.CreateUserAsync(email, Password, PortalRoles.Owner);
        var assessmentId = await app.SubmitPersonaAsync(owner.Id, "lew-a", FirmName);
        var rows = await app.QueryAsync(db => db.FollowUps.Where(f => f.AssessmentId == assessmentId).OrderBy(f => f.DueAt).ToListAsync(Ct));
        Assert.True(rows.Select(r => r.DueAt).Distinct().Count() > 1, "the persona's plan spreads emails over several dates");

        clock.SetUtcNow(new DateTimeOffset(rows[0].DueAt, TimeSpan.Zero));
        await app.Dispatcher().RunAsync(Ct);
        var first = await mail.MimeAsync(await mail.WaitForEmailAsync(email));
        var oneClick = first.Headers["List-Unsubscribe"]!.Trim('<', '>');

        // What a mail program does when the person presses its Unsubscribe button (RFC 8058).
        var response = await app.CreateBrowserlikeClient().PostAsync(oneClick,
            new FormUrlEncodedContent([new("List-Unsubscribe", "One-Click")]), Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        var after = await app.QueryAsync(db => db.FollowUps.AsNoTracking().Where(f => f.AssessmentId == assessmentId).ToListAsync(Ct));
        Assert.All(after.Where(r => r.Status != FollowUpStatus.Sent), r => Assert.Equal((FollowUpStatus.Cancelled, CancelReasons.Unsubscribed), (r.Status, r.CancelReason)));
        Assert.Equal(rows.Count - (await mail.EmailsToAsync(email)).Count, after.Count(r => r.Status == FollowUpStatus.Cancelled));

        clock.SetUtcNow(new DateTimeOffset(rows[^1].DueAt.AddDays(1), TimeSpan.Zero));
        Assert.Equal(0, (await app.Dispatcher().RunAsync(Ct)).Sent);
        Assert.Single(await mail.EmailsToAsync(email));

        // The owner sees why the rest did not come.
        var owners = await app.SignedInClientAsync(email, Password);
        Assert.Contains("Not sent: you turned these emails off", await owners.GetStringAsync($"/results/{assessmentId}", Ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task VisibleUnsubscribeLink_AsksFirst_ThenUnsubscribes()
    {
        await using var app = NewApp();
        var email = Unique("link");
        var owner = await app.CreateUserAsync(email, Password, PortalRoles.Owner);
        var assessmentId = await app.SubmitPersonaAsync(owner.Id, "lew-a", FirmName);
        var firstDue = await app.QueryAsync(db => db.FollowUps.Where(f => f.AssessmentId == assessmentId).MinAsync(f => f.DueAt, Ct));
        clock.SetUtcNow(new DateTimeOffset(firstDue, TimeSpan.Zero));
        await app.Dispatcher().RunAsync(Ct);
        var message = await mail.MimeAsync(await mail.WaitForEmailAsync(email));
        var link = Href(message.HtmlBody!, "/email/unsubscribe?");
        Assert.Contains(link, message.TextBody, StringComparison.Ordinal);
        var anonymous = app.CreateBrowserlikeClient();

        // Opening the link changes nothing: mail scanners open links too.
        Assert.Contains("Stop advice emails?", await anonymous.GetStringAsync(link, Ct), StringComparison.Ordinal);
        Assert.Equal(0, await app.QueryAsync(db => db.EmailOptOuts.CountAsync(o => o.UserId == owner.Id, Ct)));

        var done = await anonymous.SubmitFormAsync(link, "unsubscribe", new Dictionary<string, string>());
        var page = await done.Content.ReadAsStringAsync(Ct);

        Assert.Equal(HttpStatusCode.OK, done.StatusCode);
        Assert.Contains("You are unsubscribed", page, StringComparison.Ordinal);
        Assert.Contains(email, page, StringComparison.Ordinal);
        Assert.Equal(0, await app.QueryAsync(db => db.FollowUps.CountAsync(f => f.UserId == owner.Id && f.Status == FollowUpStatus.Pending, Ct)));
    }

    [Fact]
    public async Task ForgedOrTamperedToken_IsRefusedWithAFriendlyPage_AndATokenWorksOnlyForItsPersonAndFirm()
    {
        await using var app = NewApp();
        var a = await app.CreateUserAsync(Unique("firm-a"), Password, PortalRoles.Owner);
        var b = await app.CreateUserAsync(Unique("firm-b"), Password, PortalRoles.Owner);
        await app.SubmitPersonaAsync(a.Id, "lew-a", "Firm A");
        await app.SubmitPersonaAsync(b.Id, "lew-b", "Firm B");
        var firmOf = await app.QueryAsync(db => db.FirmMembers.ToDictionaryAsync(m => m.UserId, m => m.FirmId, Ct));
        var tokens = app.Services.GetRequiredService<UnsubscribeTokens>();
        var valid = tokens.Create(a.Id, firmOf[a.Id]);
        var tampered = valid[..10] + (valid[10] == 'A' ? 'B' : 'A') + valid[11..];
        var anonymous = app.CreateBrowserlikeClient();

        foreach (var token in new[] { "not-a-token", tampered, tokens.Create(a.Id, firmOf[b.Id]), "" })
        {
            var page = await anonymous.GetAsync($"/email/unsubscribe?token={Uri.EscapeDataString(token)}", Ct);
            Assert.Equal(HttpStatusCode.BadRequest, page.StatusCode);
            var text = await page.Content.ReadAsStringAsync(Ct);
            Assert.Contains("This unsubscribe link does not work", text, StringComparison.Ordinal);
            Assert.Contains("Nothing has been changed", text, StringComparison.Ordinal);

            var oneClick = await anonymous.PostAsync($"/email/unsubscribe/one-click?token={Uri.EscapeDataString(token)}",
                new FormUrlEncodedContent([new("List-Unsubscribe", "One-Click")]), Ct);
            Assert.Equal(HttpStatusCode.BadRequest, oneClick.StatusCode);
        }

        Assert.Equal(0, await app.QueryAsync(db => db.EmailOptOuts.CountAsync(Ct)));

        // Firm A's own link stops firm A's emails only.
        var used = await anonymous.PostAsync($"/email/unsubscribe/one-click?token={Uri.EscapeDataString(valid)}",
            new FormUrlEncodedContent([new("List-Unsubscribe", "One-Click")]), Ct);
        Assert.Equal(HttpStatusCode.OK, used.StatusCode);
        Assert.Equal(0, await app.QueryAsync(db => db.FollowUps.CountAsync(f => f.UserId == a.Id && f.Status == FollowUpStatus.Pending, Ct)));
        Assert.True(await app.QueryAsync(db => db.FollowUps.AnyAsync(f => f.UserId == b.Id && f.Status == FollowUpStatus.Pending, Ct)));
    }

    [Fact]
    public async Task Reassessment_CancelsThePendingEmailsOfThePreviousPlan_AndSchedulesTheNewOnes()
    {
        await using var app = NewApp();
        var owner = await app.CreateUserAsync(Unique("reassess"), Password, PortalRoles.Owner);
        var first = await app.SubmitPersonaAsync(owner.Id, "lew-a", FirmName);
        clock.Advance(TimeSpan.FromDays(15)); // past the first follow-up, before the later ones
        await app.Dispatcher().RunAsync(Ct);
        var sentBefore = await app.QueryAsync(db => db.FollowUps.CountAsync(f => f.AssessmentId == first && f.Status == FollowUpStatus.Sent, Ct));
        Assert.True(sentBefore > 0);

        await app.Assessments().StartReassessmentAsync(owner.Id, Ct);
        var second = (await app.Assessments().SubmitAsync(owner.Id, Ct)).AssessmentId!.Value;

        var old = await app.QueryAsync(db => db.FollowUps.AsNoTracking().Where(f => f.AssessmentId == first).ToListAsync(Ct));
        Assert.Equal(sentBefore, old.Count(r => r.Status == FollowUpStatus.Sent)); // what went out stays on record
        Assert.All(old.Where(r => r.Status != FollowUpStatus.Sent), r => Assert.Equal((FollowUpStatus.Cancelled, CancelReasons.Reassessed), (r.Status, r.CancelReason)));
        var report = await app.ReportAsync(second);
        var added = await app.QueryAsync(db => db.FollowUps.AsNoTracking().Where(f => f.AssessmentId == second).ToListAsync(Ct));
        Assert.Equal(report.FollowUps.Count, added.Count);
        Assert.All(added, r => Assert.Equal(FollowUpStatus.Pending, r.Status));
    }

    [Fact]
    public async Task AccountEmails_GoThroughTheOutbox_WithTheLinkEncryptedAtRest()
    {
        await using var app = NewApp();
        var email = Unique("account");
        var client = app.CreateBrowserlikeClient();

        var register = await client.SubmitFormAsync("/Account/Register", "register", new Dictionary<string, string>
        {
            ["Input.Email"] = email,
            ["Input.Password"] = Password,
            ["Input.ConfirmPassword"] = Password,
            ["Input.TimeZone"] = "Europe/Berlin",
        });
        Assert.Equal(HttpStatusCode.Redirect, register.StatusCode);

        // A Hangfire worker dispatches it at once; the row records it.
        var message = await mail.MimeAsync(await mail.WaitForEmailAsync(email, "Confirm your email address"));
        var row = await app.QueryAsync(db => db.FollowUps.AsNoTracking().SingleAsync(f => f.RecipientEmail == email, Ct));
        Assert.Equal((EmailKind.Account, FollowUpStatus.Sent), (row.Kind, row.Status));
        Assert.Equal(row.Id.ToString(), message.Headers[FollowUpMessages.OutboxIdHeader]);
        Assert.DoesNotContain("ConfirmEmail", row.ProtectedPayload, StringComparison.Ordinal);
        Assert.Null(message.Headers["List-Unsubscribe"]);
        Assert.Equal("Europe/Berlin", await app.QueryAsync(db => db.Users.Where(u => u.Email == email).Select(u => u.TimeZoneId).SingleAsync(Ct)));

        var link = ConfirmLink().Match(message.TextBody!).Value;
        Assert.Contains("Thank you for confirming your email", await client.GetStringAsync(link, Ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task PasswordReset_ArrivesFromItsTemplate()
    {
        await using var app = NewApp();
        var email = Unique("reset");
        await app.CreateUserAsync(email, Password, PortalRoles.Owner);

        await app.CreateBrowserlikeClient().SubmitFormAsync("/Account/ForgotPassword", "forgot-password", new Dictionary<string, string> { ["Input.Email"] = email });

        var message = await mail.MimeAsync(await mail.WaitForEmailAsync(email, "Reset your password"));
        Assert.Contains("/Account/ResetPassword?code=", message.TextBody, StringComparison.Ordinal);
        Assert.Contains("Reset my password", message.HtmlBody, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OneClickPostedTwiceAtOnce_BothSucceed()
    {
        await using var app = NewApp();
        var owner = await app.CreateUserAsync(Unique("twice"), Password, PortalRoles.Owner);
        await app.SubmitPersonaAsync(owner.Id, "lew-a", FirmName);
        var firm = await app.QueryAsync(db => db.FirmMembers.Where(m => m.UserId == owner.Id).Select(m => m.FirmId).SingleAsync(Ct));
        var url = $"/email/unsubscribe/one-click?token={Uri.EscapeDataString(app.Services.GetRequiredService<UnsubscribeTokens>().Create(owner.Id, firm))}";

        var responses = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ =>
            app.CreateBrowserlikeClient().PostAsync(url, new FormUrlEncodedContent([new("List-Unsubscribe", "One-Click")]), Ct)));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Equal(TestContent.Real.Model.Pillars.Count, await app.QueryAsync(db => db.EmailOptOuts.CountAsync(o => o.UserId == owner.Id, Ct)));
    }

    [Fact]
    public async Task APasswordResetAskedForWithAForgedHost_LinksToThePortalsOwnAddress()
    {
        await using var app = new PortalApp(o =>
        {
            o.UseSmtp(mail);
            o.Settings["Portal:PublicBaseUrl"] = "https://portal.example.org";
        });
        var email = Unique("host");
        await app.CreateUserAsync(email, Password, PortalRoles.Owner);
        var client = app.CreateBrowserlikeClient();
        var form = await client.GetDocumentAsync("/Account/ForgotPassword");
        var fields = form.Forms[0].Elements.OfType<AngleSharp.Html.Dom.IHtmlInputElement>().Where(i => i.Type == "hidden").ToDictionary(i => i.Name!, i => i.Value);
        fields["Input.Email"] = email;

        using var request = new HttpRequestMessage(HttpMethod.Post, "/Account/ForgotPassword") { Content = new FormUrlEncodedContent(fields) };
        request.Headers.Host = "evil.example";
        await client.SendAsync(request, Ct);

        var message = await mail.MimeAsync(await mail.WaitForEmailAsync(email, "Reset your password"));
        Assert.Contains("https://portal.example.org/Account/ResetPassword?code=", message.TextBody, StringComparison.Ordinal);
        Assert.DoesNotContain("evil.example", message.TextBody, StringComparison.Ordinal);
        Assert.DoesNotContain("evil.example", message.HtmlBody, StringComparison.Ordinal);
    }

    /// <summary>The first link in the HTML whose address contains the fragment.</summary>
    private static string Href(string html, string contains) =>
        WebUtility.HtmlDecode(Hrefs().Matches(html).Select(m => m.Groups[1].Value).First(h => h.Contains(contains, StringComparison.Ordinal)));

    [GeneratedRegex("href=\"([^\"]+)\"")]
    private static partial Regex Hrefs();

    [GeneratedRegex(@"https?://\S+/Account/ConfirmEmail\S+")]
    private static partial Regex ConfirmLink();
}
