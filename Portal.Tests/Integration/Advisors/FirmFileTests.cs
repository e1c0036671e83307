using System.Net;
using AngleSharp.Html.Dom;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Domain.Scoring;
using Portal.Tests.TestSupport;
using Portal.Web.Data;
using Portal.Web.Data.Entities;
using Portal.Web.Features.Accounts;
using Portal.Web.Features.Advisors;
using Portal.Web.Features.Sharing;

namespace Portal.Tests.Integration.Advisors;

/// <summary>
/// The firm file through HTTP as a browser would use it: what an advisor of the organisation
/// sees, that nobody else reaches it (404 for another organisation and after consent is
/// revoked, 403 for an owner, sign-in for anonymous), and that every view is audited.
/// </summary>
public sealed class FirmFileTests : IAsyncLifetime
{
    private const string FirmName = "Harris Valves & Co <Ltd>";
    private readonly PortalApp app = new();
    private Guid organisation;
    private Guid otherOrganisation;
    private PortalUser advisor = default!;
    private PortalUser outsider = default!;
    private SharingFirm firm = default!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private string FileUrl => $"/advisor/firms/{firm.FirmId}";

    public async ValueTask InitializeAsync()
    {
        organisation = await FirmFileSetup.OrganisationAsync(app, "Scottish Enterprise");
        otherOrganisation = await FirmFileSetup.OrganisationAsync(app, "Chamber of Commerce");
        advisor = await FirmFileSetup.AdvisorAsync(app, "advisor@example.org", organisation);
        outsider = await FirmFileSetup.AdvisorAsync(app, "outsider@example.org", otherOrganisation);
        firm = await FirmFileSetup.SharingFirmAsync(app, "owner@example.org", "harris-fletcher-a", FirmName, organisation);
    }

    public ValueTask DisposeAsync() => app.DisposeAsync();

    [Fact]
    public async Task Advisor_SeesTheFirmsResultWhyItIsQueuedAnswersAndEmails()
    {
        var client = await app.SignedInClientAsync(advisor.Email!, FirmFileSetup.Password);
        var report = await app.ReportAsync(firm.AssessmentId);
        var content = TestContent.Real;

        var response = await client.GetAsync(FileUrl, Ct);
        var page = await client.GetDocumentFromAsync(response);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(FirmName, page.QuerySelector("h1")!.TextContent);
        Assert.Equal("advisor", page.QuerySelector("a.back-link")!.GetAttribute("href")); // the queue's own address
        Assert.Contains(report.Overall.Band!.Name, page.QuerySelector("[data-testid=summary-band]")!.TextContent, StringComparison.Ordinal);
        Assert.Equal($"{report.TriagePriority} of 100", page.QuerySelector("[data-testid=summary-priority]")!.TextContent.Trim());
        Assert.Contains("Not assigned", page.QuerySelector("[data-testid=summary-owner]")!.TextContent, StringComparison.Ordinal);
        Assert.Contains("New", page.QuerySelector("[data-testid=summary-status]")!.TextContent, StringComparison.Ordinal);

        // Why it is queued: exactly the fired rules that give triage points, with their points.
        var triage = report.Trace.Where(t => t.Fired && content.Rules.Single(r => r.Id == t.Rule).Then.Triage > 0).ToList();
        Assert.NotEmpty(triage);
        var reasons = page.QuerySelectorAll("[data-testid=why] [data-rule]").Select(e => e.GetAttribute("data-rule")).ToList();
        Assert.Equal(triage.Select(t => t.Rule).Order(), reasons.Order());
        Assert.Equal(report.TriagePriority, Math.Min(100, triage.Sum(t => content.Rules.Single(r => r.Id == t.Rule).Then.Triage)));
        foreach (var t in triage)
        {
            var points = content.Rules.Single(r => r.Id == t.Rule).Then.Triage;
            Assert.Contains($"+{points}", page.QuerySelector($"[data-testid=why] [data-rule='{t.Rule}']")!.TextContent, StringComparison.Ordinal);
        }

        // The result: flags with descriptions, caps, the plan with the advisor's own steps, the fired rules.
        foreach (var flag in report.Flags)
        {
            Assert.Contains(flag.Description, page.QuerySelector($"[data-flag='{flag.Id}']")!.TextContent, StringComparison.Ordinal);
        }

        foreach (var cap in report.Overall.Caps)
        {
            Assert.Contains(cap.Explanation, page.QuerySelector("[data-testid=caps]")!.TextContent, StringComparison.Ordinal);
        }

        Assert.Equal(report.ActionPlan.Select(i => i.Advice), page.QuerySelectorAll("[data-testid=plan] [data-advice]").Select(e => e.GetAttribute("data-advice")));
        Assert.Contains(report.ActionPlan, i => i.Audience == "advisor");
        Assert.Equal(report.Trace.Where(t => t.Fired).Select(t => t.Rule), page.QuerySelectorAll("[data-testid=trace] [data-rule]").Select(e => e.GetAttribute("data-rule")));

        // Answers: every "don't know" is marked in words.
        var stored = System.Text.Json.Nodes.JsonNode.Parse(await app.QueryAsync(db => db.Assessments.Where(a => a.Id == firm.AssessmentId).Select(a => a.AnswersJson!).SingleAsync(Ct)))!;
        var dontKnow = stored["answers"]!.AsObject().Where(a => a.Value?.ToJsonString() == "\"dont-know\"").Select(a => a.Key).Order().ToList();
        Assert.NotEmpty(dontKnow);
        Assert.Equal(dontKnow, page.QuerySelectorAll("[data-testid=dont-know]").Select(e => e.Closest("[data-question]")!.GetAttribute("data-question")).Order());
        Assert.All(page.QuerySelectorAll("[data-testid=dont-know]"), e => Assert.Equal("Don't know", e.TextContent));

        // Profile as text, history, emails.
        var profile = page.QuerySelector("[data-testid=profile]")!.TextContent;
        var sector = content.Questionnaire.Find("sector")!;
        Assert.Contains(sector.FindOption(stored["profile"]!["sector"]!.GetValue<string>())!.Label, profile, StringComparison.Ordinal);
        Assert.Contains("Assessment 1", page.QuerySelector("[data-testid=history]")!.TextContent, StringComparison.Ordinal);
        var adviceEmails = page.QuerySelectorAll("[data-testid=email-table] tbody tr[data-kind=Advice]").ToList();
        Assert.Equal(report.FollowUps.Count, adviceEmails.Count);
        Assert.All(adviceEmails, row => Assert.Contains("Planned", row.TextContent, StringComparison.Ordinal));
    }

    [Fact]
    public async Task EveryView_IsAudited_WithTheAdvisorsEmail()
    {
        var client = await app.SignedInClientAsync(advisor.Email!, FirmFileSetup.Password);

        await client.GetStringAsync(FileUrl, Ct);
        await client.GetStringAsync(FileUrl, Ct);
        await client.GetStringAsync($"{FileUrl}/answers/cs.intent", Ct);

        var entries = await app.QueryAsync(db => db.AuditEntries.AsNoTracking().Where(e => e.FirmId == firm.FirmId).OrderBy(e => e.Id).ToListAsync(Ct));
        Assert.Equal([FirmFileAudit.Viewed, FirmFileAudit.Viewed, FirmFileAudit.ViewedAnswer], entries.Select(e => e.Action));
        Assert.All(entries, e => Assert.Equal((advisor.Id, "advisor@example.org"), (e.ActorId, e.ActorEmail)));
    }

    [Fact]
    public async Task AdvisorOfAnotherOrganisation_Gets404_ForTheFileItsAnswersAndEveryFormPost()
    {
        var client = await app.SignedInClientAsync(outsider.Email!, FirmFileSetup.Password);
        var tokenPage = "/settings/emails"; // any page of the outsider's own with a form
        var before = await SnapshotAsync();

        foreach (var url in new[] { FileUrl, $"{FileUrl}/answers/cs.intent" })
        {
            var response = await client.GetAsync(url, Ct);
            var body = await response.Content.ReadAsStringAsync(Ct);
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            Assert.Contains("Page not found", body, StringComparison.Ordinal);
            Assert.DoesNotContain("Harris Valves", body, StringComparison.Ordinal);
        }

        var posts = new (string Url, string Form, Dictionary<string, string> Values)[]
        {
            (FileUrl, "note", new() { ["Note.Text"] = "Called them", ["Note.IsContact"] = "true" }),
            (FileUrl, "status", new() { ["Status.To"] = nameof(CaseStatus.Contacted) }),
            (FileUrl, "assign", new() { ["Assign.AdvisorId"] = outsider.Id }),
            (FileUrl, "take-ownership", new()),
            (FileUrl, "message", new() { ["Message.Subject"] = "Hello", ["Message.Body"] = "Hi", ["Message.Date"] = "2099-01-01", ["Message.Time"] = "09:00" }),
            ($"{FileUrl}/answers/cs.intent", "validate", new() { ["Input.Reason"] = "Told me", ["Input.Action"] = "confirm" }),
            ($"{FileUrl}/answers/cs.intent", "validate", new() { ["Input.Reason"] = "Told me", ["Input.Action"] = "adjust", ["answer-cs.intent"] = "no-plans" }),
        };
        foreach (var (url, form, values) in posts)
        {
            var response = await FirmFileSetup.PostFormAsync(client, url, form, values, tokenPage);
            Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"{form} on {url}: {(int)response.StatusCode}");
            Assert.DoesNotContain("Harris Valves", await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        }

        Assert.Equal(before, await SnapshotAsync());
        Assert.False(await app.QueryAsync(db => db.AuditEntries.AnyAsync(e => e.ActorId == outsider.Id, Ct)));
    }

    [Fact]
    public async Task RevokedConsent_Is404AtOnce_WhileTheNotesStayInTheDatabase()
    {
        var client = await app.SignedInClientAsync(advisor.Email!, FirmFileSetup.Password);
        var added = await client.SubmitFormAsync(FileUrl, "note", new() { ["Note.Text"] = "Spoke to the MD about the US." });
        Assert.Equal(HttpStatusCode.Redirect, added.StatusCode);

        await app.Services.GetRequiredService<SharingService>().RevokeAsync(firm.Owner.Id, organisation, Ct);

        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync(FileUrl, Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"{FileUrl}/answers/cs.intent", Ct)).StatusCode);
        var again = await FirmFileSetup.PostFormAsync(client, FileUrl, "note", new() { ["Note.Text"] = "One more" }, "/settings/emails");
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
        var notes = await app.QueryAsync(db => db.CaseNotes.AsNoTracking().Select(n => n.Text).ToListAsync(Ct));
        Assert.Equal(["Spoke to the MD about the US."], notes);
    }

    [Fact]
    public async Task Owner_Gets403_AndAnonymous_IsSentToSignIn()
    {
        var owner = await app.SignedInClientAsync("owner@example.org", FirmFileSetup.Password);
        foreach (var url in new[] { FileUrl, $"{FileUrl}/answers/cs.intent" })
        {
            var forbidden = await owner.GetAsync(url, Ct);
            Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);

            var anonymous = await app.CreateBrowserlikeClient().GetAsync(url, Ct);
            Assert.Equal(HttpStatusCode.Redirect, anonymous.StatusCode);
            Assert.Contains("/Account/Login", anonymous.Headers.Location!.ToString(), StringComparison.Ordinal);
        }

        var posted = await FirmFileSetup.PostFormAsync(owner, FileUrl, "note", new() { ["Note.Text"] = "Owner's note" }, "/settings/emails");
        Assert.Equal(HttpStatusCode.Forbidden, posted.StatusCode);
        Assert.False(await app.QueryAsync(db => db.CaseNotes.AnyAsync(Ct)));
    }

    [Fact]
    public async Task History_ListsEachAssessment_WithTheChangePerFactor()
    {
        // The owner reassesses with one answer better: that factor moves, the others stay.
        var assessments = app.Assessments();
        await assessments.StartReassessmentAsync(firm.Owner.Id, Ct);
        Assert.Null((await assessments.SaveAnswerAsync(firm.Owner.Id, "cp.language", 5, Ct)).Error);
        var second = (await assessments.SubmitAsync(firm.Owner.Id, Ct)).AssessmentId!.Value;
        var before = (await app.ReportAsync(firm.AssessmentId)).Factor("capacity")!.Score!.Value;
        var after = (await app.ReportAsync(second)).Factor("capacity")!.Score!.Value;
        var change = ValidatedScoring.Shown(after) - ValidatedScoring.Shown(before);
        Assert.True(change > 0, "the better answer raises capacity");

        var client = await app.SignedInClientAsync(advisor.Email!, FirmFileSetup.Password);
        var page = await client.GetDocumentAsync(FileUrl);

        var history = page.QuerySelector("[data-testid=history]")!;
        Assert.Equal(["Assessment 2", "Assessment 1"], history.QuerySelectorAll("thead th").Skip(1).Select(th => th.ChildNodes[0].TextContent));
        var capacity = history.QuerySelector("tr[data-factor=capacity]")!.QuerySelectorAll("td").Select(td => td.TextContent.Trim()).ToList();
        Assert.Equal($"{ValidatedScoring.Shown(after):0} (up {change:0})", Squash(capacity[0]));
        Assert.Equal($"{ValidatedScoring.Shown(before):0}", capacity[1]);
        var innovation = history.QuerySelector("tr[data-factor=innovation]")!.QuerySelectorAll("td").Select(td => Squash(td.TextContent)).ToList();
        Assert.EndsWith("(no change)", innovation[0], StringComparison.Ordinal);
    }

    private static string Squash(string text) => string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));

    /// <summary>Everything a post on the file could change.</summary>
    private Task<string> SnapshotAsync() => app.QueryAsync(async db =>
    {
        var cases = await db.CaseFiles.AsNoTracking().OrderBy(c => c.Id).Select(c => $"{c.Id}:{c.Status}:{c.AssignedAdvisorId}:{c.LastContactAt}").ToListAsync(Ct);
        return string.Join("|",
            string.Join(",", cases),
            await db.CaseNotes.CountAsync(Ct),
            await db.CaseStatusChanges.CountAsync(Ct),
            await db.AnswerValidations.CountAsync(Ct),
            await db.FollowUps.CountAsync(f => f.Kind == EmailKind.AdvisorMessage, Ct));
    });
}
