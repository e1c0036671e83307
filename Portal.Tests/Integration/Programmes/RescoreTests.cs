using System.Net;
using AngleSharp.Html.Dom;
using Microsoft.EntityFrameworkCore;
using Portal.Domain.Scoring;
using Portal.Tests.TestSupport;
using Portal.Web.Data.Entities;
using Portal.Web.Features.Accounts;
using Portal.Web.Features.Programmes;

namespace Portal.Tests.Integration.Programmes;

/// <summary>
/// Re-scoring a cohort after the content changed: the preview names exactly the firms whose
/// band or stage the new content changes (worked out here with the pure scorer), lists
/// answers the new questionnaire refuses, and saves nothing; applying re-scores in one go,
/// keeps each old result, audits each firm and the cohort, and a second apply does nothing.
/// </summary>
public sealed class RescoreTests : IAsyncLifetime
{
    private RescoreScenario scenario = default!;
    private RescoreFirm unusable = default!;
    private RescoreFirm leftFirm = default!;
    private RescoreFirm elsewhere = default!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private PortalApp App => scenario.After;

    /// <summary>The cohort's firms the new content can score: the ones a re-scoring touches.</summary>
    private IReadOnlyList<RescoreFirm> Usable => scenario.Firms.Where(f => f != unusable && f != leftFirm && f != elsewhere).ToList();

    public async ValueTask InitializeAsync()
    {
        scenario = await RescoreScenario.CreateAsync();
        await scenario.AddFirmAsync("harris-fletcher-d", "Delta Pumps Ltd");        // makes products abroad: a stage the new content no longer gives
        await scenario.AddFirmAsync("harris-fletcher-b", "Bramble Learning Ltd");   // just under the new threshold of "ready"
        await scenario.AddFirmAsync("lew-b", "Lew Textiles");
        await scenario.AddFirmAsync("lew-d", "Lew Machinery");
        unusable = await scenario.AddFirmAsync("harris-fletcher-a", "Alder Education Ltd"); // chose the renamed option
        leftFirm = await scenario.AddFirmAsync("harris-fletcher-d", "Dale Castings Ltd", left: true);
        elsewhere = await scenario.AddFirmAsync("harris-fletcher-d", "Dunmore Foundry Ltd", scenario.OtherCohortId);
        scenario.RestartWithNewContent();
    }

    public async ValueTask DisposeAsync() => await scenario.DisposeAsync();

    [Fact]
    public async Task Preview_ListsExactlyTheFirmsWhoseBandOrStageChanges_TheAnswersThatNoLongerFit_AndSavesNothing()
    {
        // The scenario is only worth something if the change moves some firms and not others.
        var changing = Usable.Where(f => f.Changes).ToList();
        var keeping = Usable.Where(f => !f.Changes).ToList();
        Assert.Contains(changing, f => f.PersonaId == "harris-fletcher-d");
        Assert.True(changing.Count >= 2, $"only {changing.Count} firm changes band or stage");
        Assert.NotEmpty(keeping);
        Assert.Null(unusable.Expected);
        Assert.True(leftFirm.Changes && elsewhere.Changes); // so leaving them out shows
        var stored = await scenario.StoredAsync(App);

        var client = await App.SignedInClientAsync(scenario.Staff.Email!, RescoreScenario.Password);
        var response = await client.GetAsync(scenario.RescoreUrl, Ct);
        var page = await client.GetDocumentFromAsync(response);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains(RescoreScenario.NewVersion, page.QuerySelector("h1")!.TextContent, StringComparison.Ordinal);
        var listed = page.QuerySelectorAll("[data-testid=changes] tr[data-firm]").Select(r => Guid.Parse(r.GetAttribute("data-firm")!)).ToList();
        Assert.Equal(changing.Select(f => f.FirmId).Order(), listed.Order());
        var unchanged = page.QuerySelectorAll("[data-testid=unchanged] li[data-firm]").Select(r => Guid.Parse(r.GetAttribute("data-firm")!)).ToList();
        Assert.Equal(keeping.Select(f => f.FirmId).Order(), unchanged.Order());
        Assert.Equal(changing.Count.ToString(), Text(page, "count-changes"));
        Assert.Equal(keeping.Count.ToString(), Text(page, "count-unchanged"));
        Assert.Equal((Usable.Count + 1).ToString(), Text(page, "count-firms")); // the firm that left is not counted

        // Each changing firm: old -> new band, stage and score, in the new content's names.
        foreach (var firm in changing)
        {
            var row = page.QuerySelector($"[data-testid=changes] tr[data-firm='{firm.FirmId}']")!;
            Assert.Contains(firm.Name, row.TextContent, StringComparison.Ordinal);
            var band = row.QuerySelector("[data-testid=band]")!.TextContent;
            Assert.Contains(BandName(firm.Before), band, StringComparison.Ordinal);
            Assert.Contains(BandName(firm.Expected!), band, StringComparison.Ordinal);
            var stage = row.QuerySelector("[data-testid=stage]")!.TextContent;
            Assert.Contains(StageName(firm.Before.Stage.Id), stage, StringComparison.Ordinal);
            Assert.Contains(StageName(firm.Expected!.Stage.Id), stage, StringComparison.Ordinal);
            Assert.Contains($"{firm.Before.Overall.Score:0.0}", row.QuerySelector("[data-testid=score]")!.TextContent, StringComparison.Ordinal);
            Assert.Contains($"{firm.Expected.Overall.Score:0.0}", row.QuerySelector("[data-testid=score]")!.TextContent, StringComparison.Ordinal);
        }

        // The answers the new questionnaire refuses: listed with the reason, not re-scored, no error page.
        var problem = page.QuerySelector($"[data-testid=unusable] li[data-firm='{unusable.FirmId}']");
        Assert.NotNull(problem);
        Assert.Contains("answers.cp.online", problem.TextContent, StringComparison.Ordinal);
        Assert.Contains("'home-site' is not an option", problem.TextContent, StringComparison.Ordinal);
        Assert.Equal("1", Text(page, "count-unusable"));

        // Nothing saved: results, versions, audit.
        Assert.Equal(stored, await scenario.StoredAsync(App));
        Assert.Equal(0, await App.QueryAsync(db => db.AssessmentResultVersions.CountAsync(Ct)));
        Assert.Equal(0, await App.QueryAsync(db => db.AuditEntries.CountAsync(e => e.Action.StartsWith("re-scored"), Ct)));
    }

    [Fact]
    public async Task Apply_RescoresTheCohort_KeepsEachOldResult_AuditsEachFirmAndTheCohort_AndASecondApplyDoesNothing()
    {
        var before = (await scenario.StoredAsync(App)).ToDictionary(s => s.Id);
        var client = await App.SignedInClientAsync(scenario.Staff.Email!, RescoreScenario.Password);

        var applied = await client.SubmitFormAsync(scenario.RescoreUrl, "apply", new() { ["Apply.Confirm"] = "true" });
        Assert.Equal(HttpStatusCode.Redirect, applied.StatusCode);
        var page = await client.GetDocumentFromAsync(applied);
        var changing = Usable.Count(f => f.Changes);
        Assert.Equal($"{Usable.Count} assessments re-scored with content {RescoreScenario.NewVersion}; {changing} changed band or stage; 1 skipped because its answers no longer fit the questionnaire. The earlier results are kept below.",
            Text(page, "done"));

        // Each re-scored assessment has the new content's result, computed here independently.
        var after = (await scenario.StoredAsync(App)).ToDictionary(s => s.Id);
        foreach (var firm in Usable)
        {
            var now = after[firm.AssessmentId];
            var expected = firm.Expected!;
            Assert.Equal(RescoreScenario.NewVersion, now.ContentVersion);
            Assert.Equal(expected.Overall.Band?.Id, now.BandId);
            Assert.Equal(expected.Stage.Id, now.StageId);
            Assert.Equal(expected.Stage.Group, now.StageGroupId);
            Assert.Equal(expected.Overall.Score, now.OverallScore);
            Assert.Equal(expected.TriagePriority, now.TriagePriority);
            var report = AssessmentReport.FromJson(now.ResultJson!);
            Assert.Equal(RescoreScenario.NewVersion, report.ContentVersion);
            Assert.Equal(expected.ToJson(), report.ToJson());

            var rows = await App.QueryAsync(async db => new
            {
                Factors = await db.AssessmentFactorScores.Where(f => f.AssessmentId == firm.AssessmentId).OrderBy(f => f.FactorId).Select(f => new { f.FactorId, f.Score }).ToListAsync(Ct),
                Flags = await db.AssessmentFlags.Where(f => f.AssessmentId == firm.AssessmentId).Select(f => f.FlagId).OrderBy(f => f).ToListAsync(Ct),
                Plan = await db.AssessmentPlanItems.Where(p => p.AssessmentId == firm.AssessmentId).OrderBy(p => p.Rank).Select(p => p.AdviceId).ToListAsync(Ct),
                Versions = await db.AssessmentResultVersions.Where(v => v.AssessmentId == firm.AssessmentId).ToListAsync(Ct),
            });
            Assert.Equal(expected.Factors.OrderBy(f => f.Id, StringComparer.Ordinal).Select(f => (f.Id, f.Score)), rows.Factors.Select(f => (f.FactorId, f.Score)));
            Assert.Equal(expected.Flags.Select(f => f.Id).Order(StringComparer.Ordinal), rows.Flags);
            Assert.Equal(expected.ActionPlan.Select(p => p.Advice), rows.Plan);

            // The old result is kept as it was, with who replaced it.
            var kept = Assert.Single(rows.Versions);
            var old = before[firm.AssessmentId];
            Assert.Equal(TestContent.Real.Version, kept.ContentVersion);
            Assert.Equal(old.ResultJson, kept.ResultJson);
            Assert.Equal(old.OverallScore, kept.OverallScore);
            Assert.Equal(old.BandId, kept.BandId);
            Assert.Equal(old.StageId, kept.StageId);
            Assert.Equal(firm.Before.Overall.Band?.Id, kept.BandId);
            Assert.Equal(scenario.Staff.Id, kept.ReplacedById);
        }

        // Not touched: answers that no longer fit, the firm that left, another cohort's firm.
        foreach (var firm in new[] { unusable, leftFirm, elsewhere })
        {
            Assert.Equal(before[firm.AssessmentId], after[firm.AssessmentId]);
        }

        // One audit entry per re-scored firm, and one for the cohort.
        var audit = await App.QueryAsync(db => db.AuditEntries.AsNoTracking().Where(e => e.Action.StartsWith("re-scored")).ToListAsync(Ct));
        var perFirm = audit.Where(e => e.Action == RescoreAudit.Firm(RescoreScenario.NewVersion)).ToList();
        Assert.Equal(Usable.Select(f => (Guid?)f.FirmId).Order(), perFirm.Select(e => e.FirmId).Order());
        Assert.All(perFirm, e => Assert.Equal(scenario.Staff.Email, e.ActorEmail));
        var delta = Usable.Single(f => f.PersonaId == "harris-fletcher-d");
        Assert.Contains($"stage {StageName(delta.Before.Stage.Id)} -> {StageName(delta.Expected!.Stage.Id)}", perFirm.Single(e => e.FirmId == delta.FirmId).Detail, StringComparison.Ordinal);
        var cohortEntry = Assert.Single(audit, e => e.Action == RescoreAudit.Cohort(RescoreScenario.NewVersion));
        Assert.Null(cohortEntry.FirmId);
        Assert.Contains("Spring intake", cohortEntry.Detail, StringComparison.Ordinal);
        Assert.Equal(Usable.Count + 1, audit.Count);

        // The page lists the re-scored assessments with both results, and nothing left to apply.
        var history = page.QuerySelectorAll("[data-testid=history] tbody tr").ToList();
        Assert.Equal(Usable.Count, history.Count);
        var deltaRow = history.Single(r => r.TextContent.Contains(delta.Name, StringComparison.Ordinal));
        Assert.Contains(BandName(delta.Before), deltaRow.QuerySelector("[data-testid=earlier]")!.TextContent, StringComparison.Ordinal);
        Assert.Contains(TestContent.Real.Version, deltaRow.QuerySelector("[data-testid=earlier]")!.TextContent, StringComparison.Ordinal);
        Assert.Contains(StageName(delta.Expected.Stage.Id), deltaRow.QuerySelector("[data-testid=current]")!.TextContent, StringComparison.Ordinal);
        Assert.Null(page.QuerySelector("[data-testid=apply]"));
        Assert.Equal(Usable.Count.ToString(), Text(page, "count-current"));

        // A second apply (a resubmitted form) finds everything current and changes nothing.
        var again = await FirmFileSetup.PostFormAsync(client, scenario.RescoreUrl, "apply",
            new() { ["Apply.Confirm"] = "true", ["Apply.Version"] = RescoreScenario.NewVersion }, scenario.RescoreUrl);
        var second = await client.GetDocumentFromAsync(again);
        Assert.StartsWith("Nothing re-scored", Text(second, "done"), StringComparison.Ordinal);
        Assert.Equal(after, (await scenario.StoredAsync(App)).ToDictionary(s => s.Id));
        Assert.Equal(Usable.Count, await App.QueryAsync(db => db.AssessmentResultVersions.CountAsync(Ct)));
        Assert.Equal(Usable.Count + 1, await App.QueryAsync(db => db.AuditEntries.CountAsync(e => e.Action.StartsWith("re-scored"), Ct)));

        // The owner's results page says when and with what, and what the first result was.
        var owner = await App.SignedInClientAsync(delta.Owner.Email!, FirmFileSetup.Password);
        var results = await owner.GetDocumentAsync($"/results/{delta.AssessmentId}");
        var note = Text(results, "rescored");
        Assert.Contains($"with content {RescoreScenario.NewVersion}; the result as first given: band {BandName(delta.Before)}, score {Math.Round(delta.Before.Overall.Score!.Value, MidpointRounding.AwayFromZero):0}.", note, StringComparison.Ordinal);
        Assert.Equal(delta.Expected.Stage.Name, Text(results, "stage"));
        var untouched = await App.SignedInClientAsync(unusable.Owner.Email!, FirmFileSetup.Password);
        Assert.Null((await untouched.GetDocumentAsync($"/results/{unusable.AssessmentId}")).QuerySelector("[data-testid=rescored]"));
    }

    [Fact]
    public async Task Apply_WithoutTheBoxTicked_OrAfterTheContentChangedAgain_IsRefusedBesideTheBox_AndChangesNothing()
    {
        var stored = await scenario.StoredAsync(App);
        var client = await App.SignedInClientAsync(scenario.Staff.Email!, RescoreScenario.Password);

        var unticked = await client.SubmitFormAsync(scenario.RescoreUrl, "apply", []);
        var page = await client.GetDocumentFromAsync(unticked);
        Assert.Equal(HttpStatusCode.OK, unticked.StatusCode);
        Assert.Contains("Tick the box to confirm", page.QuerySelector(".error-summary")!.TextContent, StringComparison.Ordinal);
        Assert.Contains("Tick the box to confirm", page.QuerySelector("#error-confirm")!.TextContent, StringComparison.Ordinal);
        Assert.Equal("error-confirm", page.QuerySelector("#confirm")!.GetAttribute("aria-describedby"));
        Assert.NotEmpty(page.QuerySelectorAll("[data-testid=changes] tr[data-firm]")); // the preview is still there

        // A form from before a restart with other content.
        var stale = await client.SubmitFormAsync(scenario.RescoreUrl, "apply", new() { ["Apply.Confirm"] = "true", ["Apply.Version"] = TestContent.Real.Version });
        Assert.Contains($"now runs content {RescoreScenario.NewVersion}", (await client.GetDocumentFromAsync(stale)).QuerySelector("#error-confirm")!.TextContent, StringComparison.Ordinal);

        Assert.Equal(stored, await scenario.StoredAsync(App));
        Assert.Equal(0, await App.QueryAsync(db => db.AssessmentResultVersions.CountAsync(Ct)));
        Assert.Equal(0, await App.QueryAsync(db => db.AuditEntries.CountAsync(e => e.Action.StartsWith("re-scored"), Ct)));
    }

    [Fact]
    public async Task OtherProgrammesStaff_Get404_ByPageAndByPost_OwnersAndAdvisors_Get403()
    {
        var stored = await scenario.StoredAsync(App);
        var other = await App.SignedInClientAsync(scenario.OtherStaff.Email!, RescoreScenario.Password);
        Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync(scenario.RescoreUrl, Ct)).StatusCode);
        var posted = await FirmFileSetup.PostFormAsync(other, scenario.RescoreUrl, "apply",
            new() { ["Apply.Confirm"] = "true", ["Apply.Version"] = RescoreScenario.NewVersion }, "/programmes/content");
        Assert.Equal(HttpStatusCode.NotFound, posted.StatusCode);

        // Their own programme's id with this cohort, and this programme with their cohort: not found either.
        Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync($"/programmes/{scenario.OtherProgrammeId}/cohorts/{scenario.CohortId}/rescore", Ct)).StatusCode);
        var staff = await App.SignedInClientAsync(scenario.Staff.Email!, RescoreScenario.Password);
        Assert.Equal(HttpStatusCode.NotFound, (await staff.GetAsync($"/programmes/{scenario.ProgrammeId}/cohorts/{scenario.OtherCohortId}/rescore", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await other.GetAsync($"/programmes/{scenario.OtherProgrammeId}/cohorts/{scenario.OtherCohortId}/rescore", Ct)).StatusCode);

        var owner = await App.SignedInClientAsync(scenario.Firms[0].Owner.Email!, FirmFileSetup.Password);
        await App.CreateUserAsync("advisor@example.org", RescoreScenario.Password, PortalRoles.Advisor);
        var advisor = await App.SignedInClientAsync("advisor@example.org", RescoreScenario.Password);
        foreach (var client in new[] { owner, advisor })
        {
            Assert.Equal(HttpStatusCode.Forbidden, (await client.GetAsync(scenario.RescoreUrl, Ct)).StatusCode);
            var forbidden = await FirmFileSetup.PostFormAsync(client, scenario.RescoreUrl, "apply",
                new() { ["Apply.Confirm"] = "true", ["Apply.Version"] = RescoreScenario.NewVersion }, "/settings/emails");
            Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
        }

        var anonymous = await App.CreateBrowserlikeClient().GetAsync(scenario.RescoreUrl, Ct);
        Assert.Equal(HttpStatusCode.Redirect, anonymous.StatusCode);
        Assert.Contains("/Account/Login", anonymous.Headers.Location!.ToString(), StringComparison.Ordinal);
        Assert.Equal(stored, await scenario.StoredAsync(App));
    }

    private string BandName(AssessmentReport report) => scenario.NewContent.Model.Bands.Single(b => b.Id == report.Overall.Band!.Id).Name;

    private string StageName(string id) => scenario.NewContent.Model.Stages.Single(s => s.Id == id).Name;

    private static string Text(IHtmlDocument page, string testId) =>
        page.QuerySelector($"[data-testid={testId}]")?.TextContent.Trim() ?? throw new InvalidOperationException($"No [data-testid={testId}] on the page");
}
