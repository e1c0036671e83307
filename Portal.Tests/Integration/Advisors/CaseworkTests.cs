using System.Net;
using AngleSharp.Html.Dom;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Portal.Tests.TestSupport;
using Portal.Web.Data;
using Portal.Web.Data.Entities;
using Portal.Web.Features.Advisors;
using Portal.Web.Features.FollowUps;
using Portal.Web.Features.Sharing;

namespace Portal.Tests.Integration.Advisors;

/// <summary>
/// Casework on the firm file through its own forms: notes, status with its dated history,
/// assignment and taking ownership, and a custom message that goes through the outbox and
/// arrives at a real SMTP server (maildev) only when the clock reaches the advisor's time.
/// Every change is audited with the actor's email.
/// </summary>
public sealed class CaseworkTests(MailDevServer mail) : IAsyncLifetime
{
    private const string Zone = "Europe/Berlin"; // UTC+1 in December: local and UTC times differ
    private readonly FakeTimeProvider clock = new(new DateTimeOffset(2026, 12, 1, 9, 0, 0, TimeSpan.Zero));
    private PortalApp app = default!;
    private Guid organisation;
    private PortalUser advisor = default!;
    private PortalUser colleague = default!;
    private PortalUser outsider = default!;
    private SharingFirm firm = default!;
    private string ownerEmail = "";
    private HttpClient client = default!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private string FileUrl => $"/advisor/firms/{firm.FirmId}";

    public async ValueTask InitializeAsync()
    {
        app = new PortalApp(o =>
        {
            o.Clock = clock;
            o.UseSmtp(mail);
            o.Settings["FollowUps:DispatchEveryMinutes"] = "0"; // the test runs the dispatcher itself
        });
        organisation = await FirmFileSetup.OrganisationAsync(app, "Scottish Enterprise");
        var other = await FirmFileSetup.OrganisationAsync(app, "Chamber of Commerce");
        var run = Guid.NewGuid().ToString("N")[..8]; // maildev is shared by the whole run: addresses are unique
        advisor = await FirmFileSetup.AdvisorAsync(app, $"advisor.{run}@example.org", organisation, Zone);
        colleague = await FirmFileSetup.AdvisorAsync(app, $"colleague.{run}@example.org", organisation);
        outsider = await FirmFileSetup.AdvisorAsync(app, $"outsider.{run}@example.org", other);
        ownerEmail = $"owner.{run}@example.org";
        firm = await FirmFileSetup.SharingFirmAsync(app, ownerEmail, "harris-fletcher-a", "Harris Valves", organisation);
        client = await app.SignedInClientAsync(advisor.Email!, FirmFileSetup.Password);
    }

    public async ValueTask DisposeAsync() => await app.DisposeAsync();

    [Fact]
    public async Task Notes_AreListedNewestFirstWithAuthorAndTime_AndAConversationIsTheLastContact()
    {
        var first = await client.SubmitFormAsync(FileUrl, "note", new() { ["Note.Text"] = "Read their plan: the US first." });
        // Post, redirect, get: the answer to the post is a redirect to the file, so reloading cannot post twice.
        Assert.Equal(HttpStatusCode.Redirect, first.StatusCode);
        Assert.Equal(FileUrl, first.Headers.Location!.IsAbsoluteUri ? first.Headers.Location.AbsolutePath : first.Headers.Location.OriginalString);
        Assert.Null(await CaseAsync(c => c.LastContactAt)); // reading is not contact
        clock.Advance(TimeSpan.FromHours(2));
        var second = await client.SubmitFormAsync(FileUrl, "note", new() { ["Note.Text"] = "Called the MD.\nAgreed a visit.", ["Note.IsContact"] = "true" });

        var page = await client.GetDocumentFromAsync(second);
        Assert.Contains("Your note is added, and the conversation counts as the last contact", page.QuerySelector("[data-testid=done]")!.TextContent, StringComparison.Ordinal);
        var notes = page.QuerySelectorAll("[data-testid=notes] .note").ToList();
        Assert.Equal(2, notes.Count);
        Assert.Contains("Called the MD.\nAgreed a visit.", notes[0].TextContent, StringComparison.Ordinal);
        Assert.Contains($"{advisor.Email}, 1 December 2026, 12:00", Squash(notes[0].TextContent), StringComparison.Ordinal); // 11:00 UTC in Berlin
        Assert.Contains("Conversation with the firm", notes[0].TextContent, StringComparison.Ordinal);
        Assert.Contains("1 December 2026, 10:00", Squash(notes[1].TextContent), StringComparison.Ordinal);
        Assert.DoesNotContain("Conversation with the firm", notes[1].TextContent, StringComparison.Ordinal);
        Assert.Equal("1 December 2026", page.QuerySelector("[data-testid=summary-contact]")!.TextContent.Trim());
        Assert.Equal(clock.GetUtcNow().UtcDateTime, await CaseAsync(c => c.LastContactAt));
        Assert.Equal(2, await AuditCountAsync(FirmFileAudit.AddedNote));

        // The confirmation shows once; opening the file again shows the same two notes and no confirmation.
        var reloaded = await client.GetDocumentAsync(FileUrl);
        Assert.Null(reloaded.QuerySelector("[data-testid=done]"));
        Assert.Equal(2, reloaded.QuerySelectorAll("[data-testid=notes] .note").Length);
    }

    [Fact]
    public async Task Note_EmptyOrTooLong_IsRefusedBesideTheField_KeepingTheText()
    {
        var empty = await client.GetDocumentFromAsync(await client.SubmitFormAsync(FileUrl, "note", new() { ["Note.Text"] = "   " }));
        Assert.Equal("Error: Enter the note", empty.QuerySelector("#error-note")!.TextContent.Trim());
        Assert.Equal("Enter the note", empty.QuerySelector(".error-summary a[href$='#note']")!.TextContent);

        var text = new string('x', CaseworkService.MaxNote + 1);
        var tooLong = await client.GetDocumentFromAsync(await client.SubmitFormAsync(FileUrl, "note", new() { ["Note.Text"] = text, ["Note.IsContact"] = "true" }));
        Assert.Contains($"{CaseworkService.MaxNote} characters or fewer", tooLong.QuerySelector("#error-note")!.TextContent, StringComparison.Ordinal);
        Assert.Equal(text, ((IHtmlTextAreaElement)tooLong.QuerySelector("#note")!).Value);
        Assert.True(((IHtmlInputElement)tooLong.QuerySelector("#note-contact")!).IsChecked);

        Assert.Equal(0, await app.QueryAsync(db => db.CaseNotes.CountAsync(Ct)));
        Assert.Null(await CaseAsync(c => c.LastContactAt));
        Assert.Equal(0, await AuditCountAsync(FirmFileAudit.AddedNote));
    }

    [Fact]
    public async Task Status_MovesToAnyStatus_WithADatedHistory_AndContactedRecordsTheContact()
    {
        var t1 = clock.GetUtcNow().UtcDateTime;
        await client.SubmitFormAsync(FileUrl, "status", new() { ["Status.To"] = nameof(CaseStatus.Contacted) });
        clock.Advance(TimeSpan.FromDays(3));
        var t2 = clock.GetUtcNow().UtcDateTime;
        await client.SubmitFormAsync(FileUrl, "status", new() { ["Status.To"] = nameof(CaseStatus.Closed) });
        clock.Advance(TimeSpan.FromDays(1));
        var t3 = clock.GetUtcNow().UtcDateTime;
        var last = await client.SubmitFormAsync(FileUrl, "status", new() { ["Status.To"] = nameof(CaseStatus.InSupport) }); // back from closed: any move is allowed

        var changes = await app.QueryAsync(db => db.CaseStatusChanges.AsNoTracking().OrderBy(c => c.At).ToListAsync(Ct));
        Assert.Equal(
            [(CaseStatus.New, CaseStatus.Contacted, t1), (CaseStatus.Contacted, CaseStatus.Closed, t2), (CaseStatus.Closed, CaseStatus.InSupport, t3)],
            changes.Select(c => (c.From, c.To, c.At)));
        Assert.All(changes, c => Assert.Equal(advisor.Id, c.ByUserId));
        var file = await CaseAsync(c => c);
        Assert.Equal((CaseStatus.InSupport, t3, (DateTime?)t1), (file.Status, file.StatusChangedAt, file.LastContactAt));

        var page = await client.GetDocumentFromAsync(last);
        Assert.Contains("In support", page.QuerySelector("[data-testid=summary-status]")!.TextContent, StringComparison.Ordinal);
        var history = page.QuerySelectorAll("[data-testid=status-history] li").Select(li => Squash(li.TextContent)).ToList();
        Assert.Equal(
        [
            $"In support on 5 December 2026, 10:00, from Closed, by {advisor.Email}",
            $"Closed on 4 December 2026, 10:00, from Contacted, by {advisor.Email}",
            $"Contacted on 1 December 2026, 10:00, from New, by {advisor.Email}",
            "Opened as New on 1 December 2026, 10:00, when the firm shared its results",
        ], history);
        var audit = await app.QueryAsync(db => db.AuditEntries.AsNoTracking().Where(e => e.Action == FirmFileAudit.ChangedStatus).OrderBy(e => e.Id).Select(e => e.Detail).ToListAsync(Ct));
        Assert.Equal(["New to Contacted", "Contacted to Closed", "Closed to In support"], audit);

        // Moving to the status it has is refused, beside the field.
        var same = await client.GetDocumentFromAsync(await client.SubmitFormAsync(FileUrl, "status", new() { ["Status.To"] = nameof(CaseStatus.InSupport) }));
        Assert.Contains("already “In support”", same.QuerySelector("#error-status")!.TextContent, StringComparison.Ordinal);
        Assert.Equal(3, await app.QueryAsync(db => db.CaseStatusChanges.CountAsync(Ct)));
    }

    [Fact]
    public async Task Assignment_GoesToAnAdvisorOfTheOrganisation_AndTakeOwnershipMakesItMine()
    {
        var page = await client.GetDocumentAsync(FileUrl);
        var choices = page.QuerySelectorAll("#assignee option").Select(o => o.TextContent).ToList();
        Assert.Equal(new[] { "Nobody", $"{advisor.Email} (you)", colleague.Email! }.Order(), choices.Order());

        var assigned = await client.GetDocumentFromAsync(await client.SubmitFormAsync(FileUrl, "assign", new() { ["Assign.AdvisorId"] = colleague.Id }));
        Assert.Equal(colleague.Email, assigned.QuerySelector("[data-testid=summary-owner]")!.ChildNodes[0].TextContent.Trim());
        Assert.Equal(colleague.Id, await CaseAsync(c => c.AssignedAdvisorId));

        // An advisor of another organisation cannot be chosen, whatever is posted.
        var refused = await client.GetDocumentFromAsync(await client.SubmitFormAsync(FileUrl, "assign", new() { ["Assign.AdvisorId"] = outsider.Id }));
        Assert.Equal("Error: Choose an advisor of your organisation", refused.QuerySelector("#error-assignee")!.TextContent.Trim());
        Assert.Equal(colleague.Id, await CaseAsync(c => c.AssignedAdvisorId));

        var taken = await client.GetDocumentFromAsync(await client.SubmitFormAsync(FileUrl, "take-ownership", []));
        Assert.Equal("The case is now yours.", taken.QuerySelector("[data-testid=done]")!.TextContent);
        Assert.Equal($"You ({advisor.Email})", taken.QuerySelector("[data-testid=summary-owner]")!.TextContent.Trim());
        Assert.Null(taken.QuerySelector("[data-testid=summary-owner] form")); // nothing left to take
        Assert.Equal(advisor.Id, await CaseAsync(c => c.AssignedAdvisorId));

        var audit = await app.QueryAsync(db => db.AuditEntries.AsNoTracking().Where(e => e.Action == FirmFileAudit.Assigned || e.Action == FirmFileAudit.TookOwnership)
            .OrderBy(e => e.Id).Select(e => new { e.Action, e.Detail, e.ActorEmail }).ToListAsync(Ct));
        Assert.Equal([(FirmFileAudit.Assigned, $"to {colleague.Email}"), (FirmFileAudit.TookOwnership, (string?)null)], audit.Select(a => (a.Action, a.Detail)));
        Assert.All(audit, a => Assert.Equal(advisor.Email, a.ActorEmail));
    }

    [Fact]
    public async Task ScheduledMessage_ArrivesOnlyWhenTheClockReachesTheAdvisorsTime_WithTheirEncodedTextAndReplyTo()
    {
        const string Body = "Dear team,\n\nThe <b>US fair</b> & our grant: shall we talk on Tuesday?";
        var response = await client.SubmitFormAsync(FileUrl, "message", new()
        {
            ["Message.Subject"] = "Your plans for the US",
            ["Message.Body"] = Body,
            ["Message.Date"] = "2026-12-03",
            ["Message.Time"] = "14:30",
        });
        var page = await client.GetDocumentFromAsync(response);
        Assert.Contains("will be sent to the firm on 3 December 2026, 14:30 (Europe/Berlin)", page.QuerySelector("[data-testid=done]")!.TextContent, StringComparison.Ordinal);

        // 14:30 in Berlin is 13:30 UTC; the row waits in the outbox, with its audit record.
        var due = new DateTime(2026, 12, 3, 13, 30, 0, DateTimeKind.Utc);
        var row = await app.QueryAsync(db => db.FollowUps.AsNoTracking().SingleAsync(f => f.Kind == EmailKind.AdvisorMessage, Ct));
        Assert.Equal((due, FollowUpStatus.Pending, firm.Owner.Id, advisor.Id), (row.DueAt, row.Status, row.UserId, row.SenderId));
        Assert.Equal(1, await AuditCountAsync(FirmFileAudit.ScheduledMessage));
        var listed = page.QuerySelector("[data-testid=email-table] tr[data-kind=AdvisorMessage]")!;
        Assert.Contains("3 December 2026, 14:30", listed.TextContent, StringComparison.Ordinal);
        Assert.Contains("Your plans for the US", listed.TextContent, StringComparison.Ordinal);
        Assert.Contains("Planned", listed.TextContent, StringComparison.Ordinal);

        await app.Dispatcher().RunAsync(Ct);
        clock.SetUtcNow(new DateTimeOffset(due.AddMinutes(-1)));
        await app.Dispatcher().RunAsync(Ct);
        Assert.DoesNotContain(await mail.EmailsToAsync(ownerEmail), e => e.Subject == "Your plans for the US");

        clock.SetUtcNow(new DateTimeOffset(due));
        await app.Dispatcher().RunAsync(Ct);
        var message = await mail.MimeAsync(await mail.WaitForEmailAsync(ownerEmail, "Your plans for the US"));
        Assert.Equal(advisor.Email, message.ReplyTo.Mailboxes.Single().Address);
        Assert.Contains("The &lt;b&gt;US fair&lt;/b&gt; &amp; our grant: shall we talk on Tuesday?", message.HtmlBody, StringComparison.Ordinal);
        Assert.DoesNotContain("<b>US fair</b>", message.HtmlBody, StringComparison.Ordinal);
        Assert.Contains("The <b>US fair</b> & our grant", message.TextBody, StringComparison.Ordinal);

        var after = await client.GetDocumentAsync(FileUrl);
        Assert.Contains("Sent", after.QuerySelector("[data-testid=email-table] tr[data-kind=AdvisorMessage]")!.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WithdrawnConsent_CancelsTheOrganisationsMessagesNotYetSent_ButNotAnotherOrganisations()
    {
        var sharing = app.Services.GetRequiredService<SharingService>();
        var chamber = await app.QueryAsync(db => db.Organisations.Where(o => o.Name == "Chamber of Commerce").Select(o => o.Id).SingleAsync(Ct));
        await sharing.ShareAsync(firm.Owner.Id, chamber, Ct);
        var theirs = await app.Services.GetRequiredService<CaseworkService>().ScheduleMessageAsync(
            await FirmFileSetup.ContextAsync(app, outsider.Id), firm.FirmId, new MessageDraft("From the Chamber", "Hello.", "2026-12-03", "13:30"), Ct);
        Assert.True(theirs.Succeeded);
        await client.SubmitFormAsync(FileUrl, "message", new()
        {
            ["Message.Subject"] = "From the agency",
            ["Message.Body"] = "Hello.",
            ["Message.Date"] = "2026-12-03",
            ["Message.Time"] = "14:30",
        });

        await sharing.RevokeAsync(firm.Owner.Id, organisation, Ct);

        var rows = await app.QueryAsync(db => db.FollowUps.AsNoTracking().Where(f => f.Kind == EmailKind.AdvisorMessage)
            .ToDictionaryAsync(f => f.Subject!, f => (f.Status, f.CancelReason), Ct));
        Assert.Equal((FollowUpStatus.Cancelled, CancelReasons.ConsentWithdrawn), rows["From the agency"]);
        Assert.Equal((FollowUpStatus.Pending, (string?)null), rows["From the Chamber"]);

        clock.SetUtcNow(new DateTimeOffset(2026, 12, 3, 14, 0, 0, TimeSpan.Zero));
        await app.Dispatcher().RunAsync(Ct);
        await mail.WaitForEmailAsync(ownerEmail, "From the Chamber");
        Assert.DoesNotContain(await mail.EmailsToAsync(ownerEmail), e => e.Subject == "From the agency");

        // Shared again: the file and its notes come back, and the cancelled message says why it did not go.
        await sharing.ShareAsync(firm.Owner.Id, organisation, Ct);
        var again = await app.SignedInClientAsync(advisor.Email!, FirmFileSetup.Password);
        var page = await again.GetDocumentAsync(FileUrl);
        Assert.Contains("Not sent: the firm stopped sharing with your organisation",
            page.QuerySelector("[data-testid=email-table] tr[data-kind=AdvisorMessage]")!.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MessageForm_RefusesBadInputBesideTheFields_AndKeepsEverythingTyped()
    {
        var body = "See you soon.";
        var missing = await client.GetDocumentFromAsync(await client.SubmitFormAsync(FileUrl, "message", new()
        {
            ["Message.Subject"] = "",
            ["Message.Body"] = body,
            ["Message.Date"] = "2026-12-01",
            ["Message.Time"] = "09:59", // 08:59 UTC: a minute ago in Berlin
        }));
        Assert.Equal("Error: Enter a subject", missing.QuerySelector("#error-subject")!.TextContent.Trim());
        Assert.Contains("must be in the future: it is now 1 December 2026, 10:00 in Europe/Berlin", missing.QuerySelector("#error-date")!.TextContent, StringComparison.Ordinal);
        Assert.Equal(body, ((IHtmlTextAreaElement)missing.QuerySelector("#message-body")!).Value);
        Assert.Equal("2026-12-01", ((IHtmlInputElement)missing.QuerySelector("#message-date")!).Value);
        Assert.Equal("09:59", ((IHtmlInputElement)missing.QuerySelector("#message-time")!).Value);
        Assert.Equal(2, missing.QuerySelectorAll(".error-summary li").Length);

        var badDate = await client.GetDocumentFromAsync(await client.SubmitFormAsync(FileUrl, "message", new()
        {
            ["Message.Subject"] = "Hello",
            ["Message.Body"] = body,
            ["Message.Date"] = "2026-02-30",
            ["Message.Time"] = "",
        }));
        Assert.Contains("Enter a real date", badDate.QuerySelector("#error-date")!.TextContent, StringComparison.Ordinal);
        Assert.Contains("Enter the time", badDate.QuerySelector("#error-time")!.TextContent, StringComparison.Ordinal);
        Assert.Equal("Hello", ((IHtmlInputElement)badDate.QuerySelector("#message-subject")!).Value);

        // The current minute counts as now, not the past.
        var now = await client.SubmitFormAsync(FileUrl, "message", new()
        {
            ["Message.Subject"] = "Hello",
            ["Message.Body"] = body,
            ["Message.Date"] = "2026-12-01",
            ["Message.Time"] = "10:00",
        });
        Assert.NotNull((await client.GetDocumentFromAsync(now)).QuerySelector("[data-testid=done]"));
        Assert.Equal(1, await app.QueryAsync(db => db.FollowUps.CountAsync(f => f.Kind == EmailKind.AdvisorMessage, Ct)));
    }

    private Task<T> CaseAsync<T>(System.Linq.Expressions.Expression<Func<CaseFile, T>> select) =>
        app.QueryAsync(db => db.CaseFiles.AsNoTracking().Where(c => c.FirmId == firm.FirmId && c.OrganisationId == organisation).Select(select).SingleAsync(Ct));

    private Task<int> AuditCountAsync(string action) =>
        app.QueryAsync(db => db.AuditEntries.CountAsync(e => e.Action == action && e.FirmId == firm.FirmId && e.ActorId == advisor.Id && e.ActorEmail == advisor.Email, Ct));

    private static string Squash(string text) => string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
}
