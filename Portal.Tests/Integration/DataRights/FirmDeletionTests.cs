using System.Net;
using AngleSharp.Html.Dom;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Tests.TestSupport;
using Portal.Web.Data;
using Portal.Web.Data.Entities;
using Portal.Web.Features.Advisors;
using Portal.Web.Features.DataRights;
using Portal.Web.Features.Programmes;

namespace Portal.Tests.Integration.DataRights;

/// <summary>
/// An owner deletes their firm and account from the "Your data" page: every row about the
/// firm and the account goes (found by walking the whole schema, not a list of tables), planned
/// emails never reach the mail server, the co-owner and the other firm are untouched, the
/// cohort's funnel still counts the firm, the audit log keeps staff's entries without personal
/// data and records the deletion naming no one. A wrong confirmation deletes nothing.
/// </summary>
public sealed class FirmDeletionTests(MailDevServer mail)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static Dictionary<string, string> Confirmation(string name, string password) => new()
    {
        ["Input.FirmName"] = name,
        ["Input.Password"] = password,
    };

    [Fact]
    public async Task Deleting_RemovesEveryRowAboutTheFirmAndAccount_SendsNothingPlanned_AndKeepsOnlyAnonymousRecords()
    {
        await using var s = await DataRightsScenario.CreateAsync(mail);
        var app = s.App;
        var dashboards = app.Services.GetRequiredService<CohortDashboardService>();
        var scope = (await dashboards.FindAsync(s.Staff.Id, s.ProgrammeId, s.CohortId, Ct))!;
        var before = await dashboards.GetAsync(scope, Ct);
        Assert.Equal([1, 1, 2, 2, 1], before.Funnel.Select(f => f.Count)); // invited, registered, enrolled, baseline, follow-up
        var emails = await s.EmailsOfTheFirmAndOwnerAsync();
        Assert.Contains(emails, e => e.Status == FollowUpStatus.Sent);
        Assert.Contains(emails, e => e.Status == FollowUpStatus.Pending && e.Kind == EmailKind.Advice);
        var lastPlanned = emails.Where(e => e.Status == FollowUpStatus.Pending).Max(e => e.DueAt);
        var arrivedBefore = (await mail.EmailsToAsync(s.OwnerEmail)).Count;
        var advisorEntries = await app.QueryAsync(db => db.AuditEntries.CountAsync(e => e.FirmId == s.FirmId, Ct));
        var assessmentIds = await app.QueryAsync(db => db.Assessments.Where(a => a.FirmId == s.FirmId).Select(a => a.Id).ToListAsync(Ct));
        Assert.Equal(2, assessmentIds.Count);

        // The owner reads what goes and what stays, and confirms.
        var client = await app.SignedInClientAsync(s.OwnerEmail, DataRightsScenario.Password);
        var page = await client.GetDocumentAsync("/firm/data/delete");
        Assert.Contains(s.CoOwnerEmail, page.QuerySelector("main")!.TextContent, StringComparison.Ordinal);
        Assert.Contains("keeps their account", page.QuerySelector("[data-testid=co-owners]")!.TextContent, StringComparison.Ordinal);
        Assert.Contains("2 assessments", page.QuerySelector("[data-testid=deleted-list]")!.TextContent, StringComparison.Ordinal);
        var response = await client.SubmitFormAsync("/firm/data/delete", "delete-firm", Confirmation($"  {s.FirmName.ToLowerInvariant()} ", DataRightsScenario.Password));
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.EndsWith("/firm/data/deleted", response.Headers.Location!.ToString(), StringComparison.Ordinal);
        Assert.Contains("have been deleted", (await client.GetDocumentFromAsync(response)).QuerySelector("h1")!.TextContent, StringComparison.Ordinal);
        var signedOut = await client.GetAsync("/firm/data", Ct);
        Assert.Equal(HttpStatusCode.Redirect, signedOut.StatusCode);
        Assert.Contains("/Account/Login", signedOut.Headers.Location!.ToString(), StringComparison.Ordinal);

        // The account cannot sign in; the co-owner's can, without the firm; the other firm is whole.
        await Assert.ThrowsAsync<InvalidOperationException>(() => app.SignedInClientAsync(s.OwnerEmail, DataRightsScenario.Password));
        await using (var scopeServices = app.Services.CreateAsyncScope())
        {
            Assert.Null(await scopeServices.ServiceProvider.GetRequiredService<UserManager<PortalUser>>().FindByEmailAsync(s.OwnerEmail));
        }

        await app.SignedInClientAsync(s.CoOwnerEmail, DataRightsScenario.Password);
        Assert.False(await app.QueryAsync(db => db.FirmMembers.AnyAsync(m => m.UserId == s.CoOwner.Id, Ct)));
        Assert.True(await app.QueryAsync(db => db.Enrolments.AnyAsync(e => e.FirmId == s.OtherFirmId && e.CohortId == s.CohortId, Ct)));
        Assert.True(await app.QueryAsync(db => db.Assessments.AnyAsync(a => a.FirmId == s.OtherFirmId && a.IsLatest, Ct)));
        Assert.True(await app.QueryAsync(db => db.CaseFiles.AnyAsync(c => c.FirmId == s.OtherFirmId, Ct)));

        // No row anywhere refers to the firm, the account or the assessments, or holds the
        // owner's address, the firm's name or the casework's words; only the audit log keeps the
        // firm's id, as the record of what staff did with it.
        var ids = new Dictionary<string, string> { ["firm id"] = s.FirmId.ToString(), ["owner id"] = s.Owner.Id };
        foreach (var id in assessmentIds)
        {
            ids[$"assessment {id}"] = id.ToString();
        }

        var texts = new Dictionary<string, string>
        {
            ["owner email"] = s.OwnerEmail,
            ["firm name"] = s.FirmName,
            ["note"] = DataRightsScenario.NoteText,
            ["message"] = DataRightsScenario.MessageSubject,
        };
        var hits = await DatabaseScan.FindAsync(app, ids, texts);
        Assert.Equal([new DatabaseScan.Hit("AuditEntries", "FirmId", "firm id")], hits);

        // The same through the schema's own foreign keys, and SQLite's check of all of them.
        var keys = await DatabaseScan.ForeignKeysAsync(app);
        var toFirms = keys.Where(k => k.References == "Firms").Select(k => k.Table).Order().ToList();
        Assert.Superset(new HashSet<string> { "Assessments", "CaseFiles", "Enrolments", "FirmMembers", "FirmProfileAnswers", "FirmShares", "FollowUps" }, toFirms.ToHashSet());
        foreach (var key in keys)
        {
            var values = key.References switch
            {
                "Firms" => [s.FirmId.ToString()],
                "AspNetUsers" => [s.Owner.Id],
                "Assessments" => assessmentIds.Select(a => a.ToString()).ToList(),
                _ => new List<string>(),
            };
            foreach (var value in values)
            {
                Assert.True(await DatabaseScan.CountAsync(app, key, value) == 0, $"{key.Table}.{key.Column} still refers to {key.References} {value}");
            }
        }

        Assert.Empty(await DatabaseScan.ForeignKeyViolationsAsync(app));

        // The cohort's funnel still counts the firm; the "now" figures do not.
        var after = await dashboards.GetAsync(scope, Ct);
        Assert.Equal(before.Funnel.Select(f => (f.Key, f.Count)), after.Funnel.Select(f => (f.Key, f.Count)));
        Assert.Equal((before.EnrolledFirms - 1, 1), (after.EnrolledFirms, after.Deleted));
        var record = await app.QueryAsync(db => db.AnonymousEnrolments.AsNoTracking().SingleAsync(r => r.CohortId == s.CohortId, Ct));
        Assert.Equal((true, true, true, true, true), (record.WasInvited, record.WasRegistered, record.WasEnrolled, record.HadBaseline, record.HadFollowUp));
        var staff = await s.SignInAsync(s.Staff);
        var cohortPage = await staff.GetDocumentAsync($"/programmes/{s.ProgrammeId}/cohorts/{s.CohortId}");
        Assert.Contains("1 firm or invitation is no longer listed", cohortPage.QuerySelector("[data-testid=deleted]")!.TextContent, StringComparison.Ordinal);
        Assert.Null(cohortPage.QuerySelector($"tr[data-enrolment='{s.OwnerEmail}']"));
        var dashboardPage = await staff.GetDocumentAsync($"/programmes/{s.ProgrammeId}/cohorts/{s.CohortId}/dashboard");
        Assert.Equal("2", dashboardPage.QuerySelector("[data-testid=funnel] tr[data-step='enrolled'] [data-testid=count]")!.TextContent.Trim());
        Assert.Equal("1 firm", dashboardPage.QuerySelector("[data-testid=enrolled-firms]")!.TextContent.Trim());

        // The audit log: staff's entries stay, the owner's own lose the person, one entry records the deletion.
        var entries = await app.QueryAsync(db => db.AuditEntries.AsNoTracking().ToListAsync(Ct));
        var deletion = Assert.Single(entries, e => e.Action == FirmDeletion.DeletedAction);
        Assert.Equal((s.FirmId, "", FirmDeletion.DeletedOwner), (deletion.FirmId, deletion.ActorId, deletion.ActorEmail));
        Assert.Equal(advisorEntries + 1, entries.Count(e => e.FirmId == s.FirmId));
        Assert.Equal(advisorEntries, entries.Count(e => e.FirmId == s.FirmId && e.ActorId == s.Advisor.Id));
        var joined = Assert.Single(entries, e => e.Action == InvitationService.AcceptedAction);
        Assert.Equal(("", FirmDeletion.DeletedOwner), (joined.ActorId, joined.ActorEmail));
        Assert.StartsWith(FirmDeletion.RemovedFirm, joined.Detail, StringComparison.Ordinal);
        var invited = Assert.Single(entries, e => e.Action == InvitationService.InvitedAction);
        Assert.EndsWith(FirmDeletion.RemovedAddress, invited.Detail, StringComparison.Ordinal);
        Assert.Equal(FirmDeletion.RemovedText, Assert.Single(entries, e => e.Action == FirmFileAudit.ScheduledMessage).Detail);

        // Past every planned email's time the dispatcher sends the other firm's, never the deleted owner's.
        var otherSentBefore = await app.QueryAsync(db => db.FollowUps.CountAsync(f => f.UserId == s.OtherOwner.Id && f.Status == FollowUpStatus.Sent, Ct));
        s.Clock.SetUtcNow(new DateTimeOffset(lastPlanned.AddDays(1), TimeSpan.Zero));
        var run = await app.Dispatcher().RunAsync(Ct);
        var otherSent = await app.QueryAsync(db => db.FollowUps.CountAsync(f => f.UserId == s.OtherOwner.Id && f.Status == FollowUpStatus.Sent, Ct));
        Assert.True(otherSent > otherSentBefore, "the other firm's planned emails went out in the same run");
        Assert.Equal(otherSent - otherSentBefore, run.Sent);
        await Eventually.WaitForAsync(async () => (await mail.EmailsToAsync(s.OtherOwnerEmail)).Count >= otherSent ? "arrived" : null,
            TimeSpan.FromSeconds(15), "the other firm's emails");
        Assert.Equal(arrivedBefore, (await mail.EmailsToAsync(s.OwnerEmail)).Count);
    }

    [Fact]
    public async Task AWrongNameOrPassword_IsRefusedBesideItsField_KeepingTheNameTyped_AndDeletesNothing()
    {
        await using var s = await DataRightsScenario.CreateAsync(mail);
        var client = await s.App.SignedInClientAsync(s.OwnerEmail, DataRightsScenario.Password);

        var wrongName = await PostAsync(client, Confirmation("Kestrel Ceramics", DataRightsScenario.Password));
        Assert.Contains($"What you typed is not “{s.FirmName}”", Error(wrongName, "confirm-name"), StringComparison.Ordinal);
        Assert.Equal("Kestrel Ceramics", ((IHtmlInputElement)wrongName.QuerySelector("#confirm-name")!).Value);
        Assert.Equal("true", wrongName.QuerySelector("#confirm-name")!.GetAttribute("aria-invalid"));
        Assert.Null(wrongName.QuerySelector("#error-password"));
        Assert.Contains("firm/data/delete#confirm-name", wrongName.QuerySelector(".error-summary a")!.GetAttribute("href"), StringComparison.Ordinal);

        var wrongPassword = await PostAsync(client, Confirmation(s.FirmName, "Not-my-password-1"));
        Assert.Equal("Error: The password is not right", Error(wrongPassword, "password"));
        Assert.Equal(s.FirmName, ((IHtmlInputElement)wrongPassword.QuerySelector("#confirm-name")!).Value);
        Assert.Null(wrongPassword.QuerySelector("#error-confirm-name"));
        Assert.Equal("", ((IHtmlInputElement)wrongPassword.QuerySelector("#password")!).Value); // a password is never written back into a page
        Assert.Equal(1, await s.App.QueryAsync(db => db.Users.Where(u => u.Id == s.Owner.Id).Select(u => u.AccessFailedCount).SingleAsync(Ct)));

        var empty = await PostAsync(client, Confirmation("", ""));
        Assert.Equal("Error: Type your firm's name to confirm", Error(empty, "confirm-name"));
        Assert.Equal("Error: Enter your password", Error(empty, "password"));

        Assert.True(await s.App.QueryAsync(db => db.Firms.AnyAsync(f => f.Id == s.FirmId, Ct)));
        Assert.True(await s.App.QueryAsync(db => db.Users.AnyAsync(u => u.Id == s.Owner.Id, Ct)));
        Assert.Empty(await s.App.QueryAsync(db => db.AuditEntries.Where(e => e.Action == FirmDeletion.DeletedAction).ToListAsync(Ct)));
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/firm/data", Ct)).StatusCode); // still signed in
    }

    [Fact]
    public async Task OtherRolesAre403_EvenWithAValidToken_AndAPostWithoutAntiforgeryDeletesNothing()
    {
        await using var s = await DataRightsScenario.CreateAsync(mail);
        foreach (var (other, tokenFrom) in new[] { (s.Advisor, "/advisor"), (s.Staff, "/programmes"), (s.Admin, "/admin/users") })
        {
            var client = await s.SignInAsync(other);
            var post = await FirmFileSetup.PostFormAsync(client, "/firm/data/delete", "delete-firm", Confirmation(s.FirmName, DataRightsScenario.Password), tokenFrom);
            Assert.Equal(HttpStatusCode.Forbidden, post.StatusCode);
        }

        var owner = await s.App.SignedInClientAsync(s.OwnerEmail, DataRightsScenario.Password);
        var forged = await owner.PostAsync("/firm/data/delete", new FormUrlEncodedContent(new Dictionary<string, string>(Confirmation(s.FirmName, DataRightsScenario.Password))
        {
            ["_handler"] = "delete-firm",
        }), Ct);
        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);

        Assert.True(await s.App.QueryAsync(db => db.Firms.AnyAsync(f => f.Id == s.FirmId, Ct)));
        Assert.True(await s.App.QueryAsync(db => db.Users.AnyAsync(u => u.Id == s.Owner.Id, Ct)));
    }

    private static async Task<IHtmlDocument> PostAsync(HttpClient client, Dictionary<string, string> values)
    {
        var response = await client.SubmitFormAsync("/firm/data/delete", "delete-firm", values);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await client.GetDocumentFromAsync(response);
    }

    private static string Error(IHtmlDocument page, string field) =>
        page.QuerySelector($"#error-{field}")?.TextContent.Trim() ?? $"(no error beside {field})";
}
