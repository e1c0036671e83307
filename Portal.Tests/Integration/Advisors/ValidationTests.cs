using System.Net;
using System.Text.Json.Nodes;
using AngleSharp.Dom;
using AngleSharp.Html.Dom;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Domain.Scoring;
using Portal.Tests.TestSupport;
using Portal.Web.Data;
using Portal.Web.Data.Entities;
using Portal.Web.Features.Advisors;
using Portal.Web.Features.Sharing;

namespace Portal.Tests.Integration.Advisors;

/// <summary>
/// Advisor validation through the answer page's form, as a browser posts it: an adjusted
/// answer moves the validated score in the firm file (flagged past the margin) and never the
/// owner's own result; confirmations change nothing; bad input is refused beside the field;
/// nobody outside the organisation reaches the page; every validation is audited and belongs
/// to the organisation that made it.
/// </summary>
public sealed class ValidationTests : IAsyncLifetime
{
    private const string FirmName = "Harris Valves";
    private const string Capacity = "capacity";
    private readonly PortalApp app = new(); // Advisors:ValidationMarginPoints is 10 in appsettings.json
    private Guid organisation;
    private Guid otherOrganisation;
    private PortalUser advisor = default!;
    private PortalUser colleague = default!;
    private PortalUser outsider = default!;
    private SharingFirm firm = default!;
    private HttpClient client = default!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private string FileUrl => $"/advisor/firms/{firm.FirmId}";

    private string AnswerUrl(string questionId) => $"{FileUrl}/answers/{questionId}";

    public async ValueTask InitializeAsync()
    {
        organisation = await FirmFileSetup.OrganisationAsync(app, "Scottish Enterprise");
        otherOrganisation = await FirmFileSetup.OrganisationAsync(app, "Chamber of Commerce");
        advisor = await FirmFileSetup.AdvisorAsync(app, "advisor@example.org", organisation);
        colleague = await FirmFileSetup.AdvisorAsync(app, "colleague@example.org", organisation);
        outsider = await FirmFileSetup.AdvisorAsync(app, "outsider@example.org", otherOrganisation);
        // Firm A: capacity 50 from a home-language website (cp.online) and middling languages (cp.language 3).
        firm = await FirmFileSetup.SharingFirmAsync(app, "owner@example.org", "harris-fletcher-a", FirmName, organisation);
        client = await app.SignedInClientAsync(advisor.Email!, FirmFileSetup.Password);
    }

    public ValueTask DisposeAsync() => app.DisposeAsync();

    [Fact]
    public async Task Adjustment_MovesTheValidatedScore_FlaggedPastTheMargin_WhileTheOwnersResultStays()
    {
        var owner = await app.SignedInClientAsync(firm.Owner.Email!, FirmFileSetup.Password);
        var ownerPageBefore = await OwnerReportAsync(owner);
        var storedBefore = await StoredResultAsync();
        var report = await app.ReportAsync(firm.AssessmentId);
        var self = ValidatedScoring.Shown(report.Factor(Capacity)!.Score!.Value);

        // Languages 3 -> 5: capacity moves, but by no more than the margin.
        var first = await Adjust(client, "cp.language", "5", "The MD showed me their German and Arabic contracts; two sales staff are fluent.");
        Assert.Contains("The adjusted answer is saved", first.QuerySelector("[data-testid=done]")!.TextContent, StringComparison.Ordinal);
        Assert.StartsWith("Adjusted to: 5 (Fluently, for every target market), by advisor@example.org", Squash(first.QuerySelector("[data-testid=current-validation]")!.TextContent), StringComparison.Ordinal);
        var language = await ExpectedAsync(("cp.language", 5));
        var file = await client.GetDocumentAsync(FileUrl);
        AssertScores(file, report, language, margin: 10);
        var row = ScoreRow(file, Capacity);
        Assert.Equal((self.ToString("0"), ValidatedScoring.Shown(language.Factor(Capacity).Score!.Value).ToString("0")), (row.Self, row.Validated));
        Assert.False(row.Flagged, $"capacity moved {row.Difference}, within the margin");
        Assert.Null(file.QuerySelector("[data-testid=differences]"));

        // And a shop abroad: capacity now differs by more than the margin.
        await Adjust(client, "cp.online", "online-sales", "They sell through a marketplace in the Gulf since March.");
        var both = await ExpectedAsync(("cp.language", 5), ("cp.online", "online-sales"));
        file = await client.GetDocumentAsync(FileUrl);
        AssertScores(file, report, both, margin: 10);
        row = ScoreRow(file, Capacity);
        var moved = ValidatedScoring.Shown(both.Factor(Capacity).Score!.Value) - self;
        Assert.True(moved > 10, $"capacity moved {moved}");
        Assert.Equal($"Up {moved:0}", row.Difference);
        Assert.True(row.Flagged);
        Assert.Equal($"Up {moved:0} More than 10 points", Squash(file.QuerySelector($"[data-factor={Capacity}] [data-testid=difference]")!.TextContent));
        Assert.Contains("Capacity", file.QuerySelector("[data-testid=differences]")!.TextContent, StringComparison.OrdinalIgnoreCase);

        // The answers list says what was adjusted, by whom and why.
        var validation = Squash(file.QuerySelector("[data-question='cp.online'] [data-testid=validation]")!.TextContent);
        var online = TestContent.Real.Questionnaire.Find("cp.online")!.FindOption("online-sales")!.Label;
        Assert.StartsWith($"Adjusted to {online} by {advisor.Email}, ", validation, StringComparison.Ordinal);
        Assert.EndsWith(": “They sell through a marketplace in the Gulf since March.”", validation, StringComparison.Ordinal);

        // The owner's result: the stored row, its factor scores and the page, all as before.
        Assert.Equal(storedBefore, await StoredResultAsync());
        Assert.Equal(ownerPageBefore, await OwnerReportAsync(owner));
        var rows = await app.QueryAsync(db => db.AnswerValidations.AsNoTracking().OrderBy(v => v.QuestionId).ToListAsync(Ct));
        Assert.Equal([("cp.language", "5"), ("cp.online", "\"online-sales\"")], rows.Select(v => (v.QuestionId, v.ValueJson)));
        Assert.All(rows, v => Assert.Equal((firm.AssessmentId, organisation, advisor.Id), (v.AssessmentId, v.OrganisationId, v.ByUserId)));
    }

    [Fact]
    public async Task Margin_ComesFromTheOptions()
    {
        await using var wide = new PortalApp(o => o.Settings["Advisors:ValidationMarginPoints"] = "25");
        var org = await FirmFileSetup.OrganisationAsync(wide, "Scottish Enterprise");
        var user = await FirmFileSetup.AdvisorAsync(wide, "advisor@example.org", org);
        var shared = await FirmFileSetup.SharingFirmAsync(wide, "owner@example.org", "harris-fletcher-a", FirmName, org);
        var http = await wide.SignedInClientAsync(user.Email!, FirmFileSetup.Password);

        await http.SubmitFormAsync($"/advisor/firms/{shared.FirmId}/answers/cp.online", "validate",
            new() { ["answer-cp.online"] = "online-sales", ["Input.Reason"] = "Marketplace in the Gulf.", ["Input.Action"] = "adjust" });
        await http.SubmitFormAsync($"/advisor/firms/{shared.FirmId}/answers/cp.language", "validate",
            new() { ["answer-cp.language"] = "5", ["Input.Reason"] = "Fluent staff.", ["Input.Action"] = "adjust" });

        var file = await http.GetDocumentAsync($"/advisor/firms/{shared.FirmId}");
        var row = ScoreRow(file, Capacity);
        Assert.StartsWith("Up 2", row.Difference, StringComparison.Ordinal); // 21 points: past 10, within 25
        Assert.False(row.Flagged);
        Assert.Empty(file.QuerySelectorAll("[data-testid=beyond-margin]"));
        Assert.Contains("A difference of more than 25 points is flagged", Squash(file.QuerySelector("[data-testid=scores]")!.TextContent), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Confirmation_ShowsAsConfirmed_AndChangesNoScore()
    {
        var report = await app.ReportAsync(firm.AssessmentId);
        var confirmed = await client.GetDocumentFromAsync(await client.SubmitFormAsync(AnswerUrl("cp.online"), "validate",
            new() { ["Input.Reason"] = "Looked at their website with them.", ["Input.Action"] = "confirm" }));
        Assert.Equal("The firm's answer is confirmed. See the validated scores in the firm file.", Squash(confirmed.QuerySelector("[data-testid=done]")!.TextContent));
        Assert.StartsWith("Confirmed, by advisor@example.org", Squash(confirmed.QuerySelector("[data-testid=current-validation]")!.TextContent), StringComparison.Ordinal);

        // Saving the firm's own answer as "adjusted" is a confirmation too.
        await Adjust(client, "cp.language", "3", "Asked them again: still 3.");

        var file = await client.GetDocumentAsync(FileUrl);
        foreach (var question in new[] { "cp.online", "cp.language" })
        {
            var validation = file.QuerySelector($"[data-question='{question}'] [data-testid=validation]")!;
            Assert.Equal("Confirmed", validation.QuerySelector(".tag")!.TextContent);
            Assert.DoesNotContain(" to ", Squash(validation.TextContent).Split(" by ")[0], StringComparison.Ordinal);
        }

        AssertScores(file, report, await ExpectedAsync(), margin: 10);
        Assert.All(file.QuerySelectorAll("[data-testid=score-table] tbody tr"), tr => Assert.Contains(tr.QuerySelector("[data-testid=difference]")!.TextContent.Trim(), new[] { "None", "–" }));
        Assert.Empty(file.QuerySelectorAll("[data-testid=beyond-margin]"));
        Assert.Contains("(2 so far)", Squash(file.QuerySelector("[data-testid=scores]")!.TextContent), StringComparison.Ordinal);
        var rows = await app.QueryAsync(db => db.AnswerValidations.AsNoTracking().OrderBy(v => v.QuestionId).Select(v => new { v.QuestionId, v.ValueJson }).ToListAsync(Ct));
        Assert.Equal([("cp.language", "3"), ("cp.online", "\"home-site\"")], rows.Select(r => (r.QuestionId, r.ValueJson)));
    }

    [Fact]
    public async Task BadInput_IsRefusedBesideTheField_KeepingWhatWasTyped()
    {
        // No reason: the chosen option stays chosen.
        var noReason = await Post(client, "cp.online", new() { ["answer-cp.online"] = "online-sales", ["Input.Reason"] = "  ", ["Input.Action"] = "adjust" });
        Assert.Equal("Error: Enter the reason, for example what the firm told you", noReason.QuerySelector("#error-reason")!.TextContent.Trim());
        Assert.Equal("Enter the reason, for example what the firm told you", noReason.QuerySelector(".error-summary a[href$='#reason']")!.TextContent);
        Assert.True(Radio(noReason, "q-cp.online-online-sales").IsChecked);
        Assert.False(Radio(noReason, "q-cp.online-home-site").IsChecked);

        // Too long: the text comes back whole.
        var text = new string('r', ValidationService.MaxReason + 1);
        var tooLong = await Post(client, "cp.online", new() { ["answer-cp.online"] = "online-sales", ["Input.Reason"] = text, ["Input.Action"] = "adjust" });
        Assert.Contains($"must be {ValidationService.MaxReason} characters or fewer (it has {text.Length})", tooLong.QuerySelector("#error-reason")!.TextContent, StringComparison.Ordinal);
        Assert.Equal(text, ((IHtmlTextAreaElement)tooLong.QuerySelector("#reason")!).Value);
        Assert.True(Radio(tooLong, "q-cp.online-online-sales").IsChecked);

        // Not a number, with no reason either: both problems at once, the typed text kept.
        var notNumber = await Post(client, "ti.first-export-year", new() { ["answer-ti.first-export-year"] = "around 2001", ["Input.Reason"] = "", ["Input.Action"] = "adjust" });
        Assert.Equal("Error: Enter a number without decimals", notNumber.QuerySelector("#error-ti\\.first-export-year")!.TextContent.Trim());
        Assert.NotNull(notNumber.QuerySelector("#error-reason"));
        Assert.Equal("around 2001", ((IHtmlInputElement)notNumber.QuerySelector("#q-ti\\.first-export-year-value")!).Value);
        Assert.Equal(2, notNumber.QuerySelectorAll(".error-summary li").Length);
        Assert.Equal("true", notNumber.QuerySelector("#q-ti\\.first-export-year-value")!.GetAttribute("aria-invalid"));

        // A number that does not fit the firm's other answers.
        const string Reason = "They told me the first order came from Dubai.";
        var beforeFounding = await Post(client, "ti.first-export-year", new() { ["answer-ti.first-export-year"] = "1990", ["Input.Reason"] = Reason, ["Input.Action"] = "adjust" });
        Assert.Equal("Error: This answer 1990 is before the firm was founded (2002)", beforeFounding.QuerySelector("#error-ti\\.first-export-year")!.TextContent.Trim());
        Assert.Equal("1990", ((IHtmlInputElement)beforeFounding.QuerySelector("#q-ti\\.first-export-year-value")!).Value);
        Assert.Equal(Reason, ((IHtmlTextAreaElement)beforeFounding.QuerySelector("#reason")!).Value);
        Assert.Null(beforeFounding.QuerySelector("#error-reason"));

        // Values no form offers.
        var offScale = await Post(client, "cp.language", new() { ["answer-cp.language"] = "7", ["Input.Reason"] = Reason, ["Input.Action"] = "adjust" });
        Assert.Equal("Error: This answer expects a whole number from 1 to 5", offScale.QuerySelector("#error-cp\\.language")!.TextContent.Trim());
        var noOption = await Post(client, "cp.online", new() { ["answer-cp.online"] = "carrier-pigeon", ["Input.Reason"] = Reason, ["Input.Action"] = "adjust" });
        Assert.StartsWith("Error: This answer 'carrier-pigeon' is not an option", noOption.QuerySelector("#error-cp\\.online")!.TextContent.Trim(), StringComparison.Ordinal);
        var nothing = await Post(client, "cp.online", new() { ["Input.Reason"] = Reason, ["Input.Action"] = "adjust" });
        Assert.Equal("Error: Choose or enter the answer the firm gave you", nothing.QuerySelector("#error-cp\\.online")!.TextContent.Trim());
        Assert.Equal(Reason, ((IHtmlTextAreaElement)nothing.QuerySelector("#reason")!).Value);

        Assert.False(await app.QueryAsync(db => db.AnswerValidations.AnyAsync(Ct)));
        Assert.False(await app.QueryAsync(db => db.AuditEntries.AnyAsync(e => e.Action == FirmFileAudit.ValidatedAnswer, Ct)));
        Assert.Null((await client.GetDocumentAsync(FileUrl)).QuerySelector("[data-testid=validation]"));
    }

    [Fact]
    public async Task AdvisorOfAnotherOrganisation_Gets404_OnGetAndPostOfTheAnswerPage()
    {
        var other = await app.SignedInClientAsync(outsider.Email!, FirmFileSetup.Password);

        var get = await other.GetAsync(AnswerUrl("cp.online"), Ct);
        Assert.Equal(HttpStatusCode.NotFound, get.StatusCode);
        Assert.DoesNotContain(FirmName, await get.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        foreach (var action in new[] { "adjust", "confirm" })
        {
            var post = await FirmFileSetup.PostFormAsync(other, AnswerUrl("cp.online"), "validate",
                new() { ["answer-cp.online"] = "online-sales", ["Input.Reason"] = "Told me so.", ["Input.Action"] = action }, "/settings/emails");
            Assert.Equal(HttpStatusCode.NotFound, post.StatusCode);
            Assert.DoesNotContain(FirmName, await post.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        }

        Assert.False(await app.QueryAsync(db => db.AnswerValidations.AnyAsync(Ct)));
        Assert.False(await app.QueryAsync(db => db.AuditEntries.AnyAsync(e => e.ActorId == outsider.Id, Ct)));

        // The firm's own organisation, for a question the questionnaire does not have: 404 as well.
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync(AnswerUrl("cp.no-such-question"), Ct)).StatusCode);
    }

    [Fact]
    public async Task RevokedConsent_MakesTheAnswerPage404AtOnce()
    {
        await Adjust(client, "cp.online", "online-sales", "Marketplace in the Gulf.");

        await app.Services.GetRequiredService<SharingService>().RevokeAsync(firm.Owner.Id, organisation, Ct);

        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync(AnswerUrl("cp.online"), Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync(AnswerUrl("cp.language"), Ct)).StatusCode);
        var post = await FirmFileSetup.PostFormAsync(client, AnswerUrl("cp.language"), "validate",
            new() { ["answer-cp.language"] = "5", ["Input.Reason"] = "One more.", ["Input.Action"] = "adjust" }, "/settings/emails");
        Assert.Equal(HttpStatusCode.NotFound, post.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync(FileUrl, Ct)).StatusCode);
        Assert.Equal(["cp.online"], await app.QueryAsync(db => db.AnswerValidations.AsNoTracking().Select(v => v.QuestionId).ToListAsync(Ct)));
    }

    [Fact]
    public async Task EveryValidation_IsAudited_WithTheAdvisorsEmail_AndALaterOneReplacesTheEarlier()
    {
        await Adjust(client, "cp.online", "online-sales", "Marketplace in the Gulf.");
        await client.SubmitFormAsync(AnswerUrl("cp.language"), "validate", new() { ["Input.Reason"] = "Heard them on the phone.", ["Input.Action"] = "confirm" });
        var other = await app.SignedInClientAsync(colleague.Email!, FirmFileSetup.Password);
        var replaced = await Adjust(other, "cp.language", "4", "Visited: one of them is fluent.");

        var entries = await app.QueryAsync(db => db.AuditEntries.AsNoTracking().Where(e => e.Action == FirmFileAudit.ValidatedAnswer).OrderBy(e => e.Id).ToListAsync(Ct));
        Assert.Equal(
            [
                (advisor.Id, "advisor@example.org", "cp.online: adjusted"),
                (advisor.Id, "advisor@example.org", "cp.language: confirmed"),
                (colleague.Id, "colleague@example.org", "cp.language: adjusted"),
            ],
            entries.Select(e => (e.ActorId, e.ActorEmail, e.Detail!)));
        Assert.All(entries, e => Assert.Equal(firm.FirmId, e.FirmId));
        Assert.All(entries, e => Assert.DoesNotContain("Gulf", e.Detail, StringComparison.Ordinal)); // what was done, not what was said

        var language = await app.QueryAsync(db => db.AnswerValidations.AsNoTracking().Where(v => v.QuestionId == "cp.language").ToListAsync(Ct));
        Assert.Equal(("4", colleague.Id, "Visited: one of them is fluent."), (Assert.Single(language).ValueJson, language[0].ByUserId, language[0].Reason));
        Assert.StartsWith("Adjusted to: 4 of 5, by colleague@example.org", Squash(replaced.QuerySelector("[data-testid=current-validation]")!.TextContent), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Validations_BelongToTheOrganisationThatMadeThem()
    {
        await Adjust(client, "cp.online", "online-sales", "Marketplace in the Gulf.");
        await app.Services.GetRequiredService<SharingService>().ShareAsync(firm.Owner.Id, otherOrganisation, Ct);
        var report = await app.ReportAsync(firm.AssessmentId);
        var other = await app.SignedInClientAsync(outsider.Email!, FirmFileSetup.Password);

        // The second organisation sees the firm as it answered, with none of the first one's validations.
        var theirs = await other.GetDocumentAsync(FileUrl);
        Assert.Empty(theirs.QuerySelectorAll("[data-testid=validation]"));
        AssertScores(theirs, report, await ExpectedAsync(), margin: 10);
        Assert.Empty(theirs.QuerySelectorAll("[data-testid=beyond-margin]"));
        Assert.Contains("(0 so far)", Squash(theirs.QuerySelector("[data-testid=scores]")!.TextContent), StringComparison.Ordinal);
        var page = await other.GetDocumentAsync(AnswerUrl("cp.online"));
        Assert.Null(page.QuerySelector("[data-testid=current-validation]"));
        Assert.True(Radio(page, "q-cp.online-home-site").IsChecked);

        // Its own validation of another answer stays with it, too.
        await Adjust(other, "cp.language", "1", "Nobody speaks Arabic after all.");
        var ours = await client.GetDocumentAsync(FileUrl);
        Assert.Equal(["cp.online"], ours.QuerySelectorAll("[data-testid=validation]").Select(v => v.Closest("[data-question]")!.GetAttribute("data-question")));
        AssertScores(ours, report, await ExpectedAsync(("cp.online", "online-sales")), margin: 10);
        theirs = await other.GetDocumentAsync(FileUrl);
        Assert.Equal(["cp.language"], theirs.QuerySelectorAll("[data-testid=validation]").Select(v => v.Closest("[data-question]")!.GetAttribute("data-question")));
        AssertScores(theirs, report, await ExpectedAsync(("cp.language", 1)), margin: 10);
        var rows = await app.QueryAsync(db => db.AnswerValidations.AsNoTracking().OrderBy(v => v.QuestionId).Select(v => new { v.QuestionId, v.OrganisationId }).ToListAsync(Ct));
        Assert.Equal([("cp.language", otherOrganisation), ("cp.online", organisation)], rows.Select(r => (r.QuestionId, r.OrganisationId)));
    }

    /// <summary>Adjusts an answer through the page as the advisor would and returns the page the post answers with.</summary>
    private async Task<IHtmlDocument> Adjust(HttpClient http, string questionId, string value, string reason)
    {
        var page = await Post(http, questionId, new() { [$"answer-{questionId}"] = value, ["Input.Reason"] = reason, ["Input.Action"] = "adjust" });
        Assert.Empty(page.QuerySelectorAll(".field__error"));
        return page;
    }

    private async Task<IHtmlDocument> Post(HttpClient http, string questionId, Dictionary<string, string> values)
    {
        var response = await http.SubmitFormAsync(AnswerUrl(questionId), "validate", values);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await http.GetDocumentFromAsync(response);
    }

    /// <summary>The Assessor's result for the owner's stored answers with these changed by hand: what the validated column should show.</summary>
    private async Task<AssessmentResult> ExpectedAsync(params (string QuestionId, JsonNode Value)[] changes)
    {
        var stored = await app.QueryAsync(db => db.Assessments.AsNoTracking().Where(a => a.Id == firm.AssessmentId)
            .Select(a => new { a.AnswersJson, a.SubmittedAt }).SingleAsync(Ct));
        var answers = Answers.From(TestContent.Real, JsonNode.Parse(stored.AnswersJson!)!.AsObject());
        foreach (var (questionId, value) in changes)
        {
            answers = value.GetValueKind() == System.Text.Json.JsonValueKind.Number ? answers.Set(questionId, double.Parse(value.ToJsonString(), System.Globalization.CultureInfo.InvariantCulture)) : answers.Set(questionId, value.GetValue<string>());
        }

        return Assessor.Assess(TestContent.Real, answers.Build(stored.SubmittedAt!.Value.Year));
    }

    /// <summary>Every factor row and the overall row: self-assessed as the owner's stored result, validated as expected, flagged exactly past the margin.</summary>
    private static void AssertScores(IHtmlDocument file, AssessmentReport owner, AssessmentResult validated, int margin)
    {
        var rows = file.QuerySelectorAll("[data-testid=score-table] tbody tr").ToList();
        Assert.Equal(validated.Factors.Count + 1, rows.Count);
        foreach (var factor in validated.Factors)
        {
            var self = ValidatedScoring.Shown(owner.Factor(factor.Factor.Id)!.Score!.Value);
            var expected = ValidatedScoring.Shown(factor.Score!.Value);
            var row = ScoreRow(file, factor.Factor.Id);
            Assert.Equal((self.ToString("0"), expected.ToString("0"), Math.Abs(expected - self) > margin), (row.Self, row.Validated, row.Flagged));
        }

        var overallSelf = ValidatedScoring.Shown(owner.Overall.Score!.Value);
        var overall = ValidatedScoring.Shown(validated.OverallScore!.Value);
        var overallRow = ScoreRow(file, "overall");
        Assert.Equal((overallSelf.ToString("0"), overall.ToString("0"), Math.Abs(overall - overallSelf) > margin), (overallRow.Self, overallRow.Validated, overallRow.Flagged));
    }

    private static (string Self, string Validated, string Difference, bool Flagged) ScoreRow(IHtmlDocument file, string factorId)
    {
        var row = file.QuerySelector($"[data-testid=score-table] tr[data-factor='{factorId}']")!;
        var difference = row.QuerySelector("[data-testid=difference]")!;
        return (row.QuerySelector("[data-testid=self]")!.TextContent.Trim(), row.QuerySelector("[data-testid=validated]")!.TextContent.Trim(),
            Squash(difference.ChildNodes.Where(n => n.NodeType == NodeType.Text).Select(n => n.TextContent).Aggregate("", string.Concat)),
            difference.QuerySelector("[data-testid=beyond-margin]") is not null);
    }

    private static IHtmlInputElement Radio(IHtmlDocument page, string id) => (IHtmlInputElement)page.GetElementById(id)!;

    /// <summary>The owner's report as the page renders it; the charts' element ids count renders, so they are left out.</summary>
    private async Task<string> OwnerReportAsync(HttpClient owner) => System.Text.RegularExpressions.Regex.Replace(
        (await owner.GetDocumentAsync($"/results/{firm.AssessmentId}")).QuerySelector("[data-testid=results-report]")!.OuterHtml, @"radar-\d+-", "radar-N-");

    /// <summary>Everything the owner's result is stored as.</summary>
    private Task<string> StoredResultAsync() => app.QueryAsync(async db =>
    {
        var a = await db.Assessments.AsNoTracking().SingleAsync(x => x.Id == firm.AssessmentId, Ct);
        var factors = await db.AssessmentFactorScores.AsNoTracking().Where(s => s.AssessmentId == firm.AssessmentId).OrderBy(s => s.FactorId)
            .Select(s => $"{s.FactorId}={s.Score}").ToListAsync(Ct);
        return string.Join("|", a.ResultJson, a.AnswersJson, a.OverallScore, a.BandId, a.TriagePriority, a.Status, a.IsLatest, string.Join(",", factors));
    });

    private static string Squash(string text) => string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
}
