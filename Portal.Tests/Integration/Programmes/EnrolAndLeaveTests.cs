using System.Net;
using AngleSharp.Html.Dom;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Tests.TestSupport;
using Portal.Web.Data;
using Portal.Web.Features.Accounts;
using Portal.Web.Features.Audit;
using Portal.Web.Features.Programmes;
using Portal.Web.Features.Sharing;

namespace Portal.Tests.Integration.Programmes;

/// <summary>
/// Staff enrol firms that already share with the programme's organisation (chosen from a
/// list of exactly those not in the cohort); the owner sees the programme and can leave it,
/// after which staff no longer see the firm, while its sharing with the organisation stays.
/// </summary>
public sealed class EnrolAndLeaveTests : IAsyncLifetime
{
    private readonly PortalApp app = new();
    private EnrolmentSetup.ProgrammeIds ids = default!;
    private PortalUser staff = default!;
    private Guid cohort;
    private SharingFirm valves = default!;
    private SharingFirm knitwear = default!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private string CohortUrl => EnrolmentSetup.CohortUrl(ids.ProgrammeId, cohort);

    public async ValueTask InitializeAsync()
    {
        ids = await EnrolmentSetup.ProgrammeAsync(app, "Scottish Enterprise", "Export Ready");
        staff = await EnrolmentSetup.StaffAsync(app, "staff@example.org", ids.ProgrammeId);
        cohort = await EnrolmentSetup.CohortAsync(app, staff, ids.ProgrammeId, "Spring 2027");
        valves = await FirmFileSetup.SharingFirmAsync(app, "valves@example.org", "lew-a", "Valves of Zhejiang", ids.OrganisationId);
        knitwear = await FirmFileSetup.SharingFirmAsync(app, "knitwear@example.org", "harris-fletcher-a", "Thistle Knitwear", ids.OrganisationId);
    }

    public ValueTask DisposeAsync() => app.DisposeAsync();

    private static IReadOnlyList<string> Candidates(IHtmlDocument page) =>
        page.QuerySelectorAll("[data-firm]").Select(e => e.GetAttribute("data-firm")!).ToList();

    private static string State(IHtmlDocument page, string who) => page.QuerySelector($"tr[data-enrolment='{who}']")?.GetAttribute("data-state") ?? "";

    private Task<HttpResponseMessage> EnrolAsync(HttpClient client, params Guid[] firms) =>
        client.SubmitFormFieldsAsync(CohortUrl, "enrol", firms.Select(f => new KeyValuePair<string, string>("firm", f.ToString())).ToList());

    [Fact]
    public async Task StaffEnrolFirmsThatShare_FromAListOfExactlyThose_WithTheLatestAssessmentAsBaseline()
    {
        // Not offered: a firm sharing with another organisation, and one with no consent at all.
        var chamber = await FirmFileSetup.OrganisationAsync(app, "Chamber of Commerce");
        await FirmFileSetup.SharingFirmAsync(app, "elsewhere@example.org", "lew-a", "Elsewhere Ltd", chamber);
        var loner = await app.CreateUserAsync("loner@example.org", FirmFileSetup.Password, PortalRoles.Owner);
        Assert.Null(await app.Assessments().SaveFirmNameAsync(loner.Id, "Loner Ltd"));
        // Offered, though it has not submitted an assessment yet.
        var fresh = await app.CreateUserAsync("fresh@example.org", FirmFileSetup.Password, PortalRoles.Owner);
        Assert.Null(await app.Assessments().SaveFirmNameAsync(fresh.Id, "Fresh Start Ltd"));
        await app.Services.GetRequiredService<SharingService>().ShareAsync(fresh.Id, ids.OrganisationId, Ct);
        var freshFirm = await app.QueryAsync(db => db.FirmMembers.Where(m => m.UserId == fresh.Id).Select(m => m.FirmId).SingleAsync(Ct));
        var client = await app.SignedInClientAsync(staff.Email!, EnrolmentSetup.Password);

        var page = await client.GetDocumentAsync(CohortUrl);
        Assert.Equal(["Fresh Start Ltd", "Thistle Knitwear", "Valves of Zhejiang"], Candidates(page));
        Assert.Contains("no assessment submitted yet", page.QuerySelector("[data-firm='Fresh Start Ltd']")!.TextContent, StringComparison.Ordinal);
        Assert.Equal(["Valves of Zhejiang"], Candidates(await client.GetDocumentAsync($"{CohortUrl}?q=valves")));

        // Nothing chosen: refused beside the list.
        var none = await client.GetDocumentFromAsync(await EnrolAsync(client));
        Assert.Equal("Choose at least one firm to enrol", none.QuerySelector("#error-firms")!.TextContent.Replace("Error:", "", StringComparison.Ordinal).Trim());

        var response = await EnrolAsync(client, valves.FirmId, freshFirm);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        page = await client.GetDocumentFromAsync(response);
        Assert.Equal("Enrolled 2 firms in Spring 2027: Fresh Start Ltd, Valves of Zhejiang.", page.QuerySelector("[data-testid=done]")!.TextContent.Trim());
        Assert.Equal(nameof(EnrolmentState.Enrolled), State(page, "Valves of Zhejiang"));
        Assert.Equal(nameof(EnrolmentState.Enrolled), State(page, "Fresh Start Ltd"));
        Assert.Equal(["Thistle Knitwear"], Candidates(page));

        var enrolments = await EnrolmentSetup.EnrolmentsAsync(app, cohort);
        Assert.All(enrolments, e => Assert.Equal((staff.Id, (string?)null, (string?)null), (e.EnrolledById, e.InvitedEmail, e.TokenHash)));
        Assert.Equal(valves.AssessmentId, enrolments.Single(e => e.FirmId == valves.FirmId).BaselineAssessmentId);
        Assert.Null(enrolments.Single(e => e.FirmId == freshFirm).BaselineAssessmentId);

        // Enrolling is a change to the firm's data by someone else: the owner sees it on the activity page.
        var activity = await app.Services.GetRequiredService<AuditLog>().ListForOwnerAsync(valves.Owner.Id, 1, Ct);
        var line = Assert.Single(activity.Lines);
        Assert.Equal(("staff@example.org", ProgrammeService.EnrolledAction, "Spring 2027 of Export Ready (Scottish Enterprise)"), (line.ActorEmail, line.Action, line.Detail));

        // Enrolling the same firm again (a second tab) enrols nobody twice.
        var twice = await client.GetDocumentFromAsync(await FirmFileSetup.PostFormAsync(client, CohortUrl, "enrol", new() { ["firm"] = valves.FirmId.ToString() }, CohortUrl));
        Assert.Contains("None of the firms chosen can be enrolled any more", twice.QuerySelector("#error-firms")!.TextContent, StringComparison.Ordinal);
        Assert.Equal(2, (await EnrolmentSetup.EnrolmentsAsync(app, cohort)).Count);
    }

    [Fact]
    public async Task TheOwnerLeaves_TheProgrammeNoLongerSeesTheFirm_WhileSharingWithTheOrganisationStays()
    {
        var client = await app.SignedInClientAsync(staff.Email!, EnrolmentSetup.Password);
        var enrolled = await EnrolAsync(client, valves.FirmId, knitwear.FirmId);
        Assert.Equal(HttpStatusCode.Redirect, enrolled.StatusCode);
        await client.GetDocumentFromAsync(enrolled); // reads the confirmation, as the browser would
        var owner = await app.SignedInClientAsync("valves@example.org", FirmFileSetup.Password);

        var mine = await owner.GetDocumentAsync("/firm/programmes");
        var item = mine.QuerySelector("[data-programme='Export Ready']")!;
        Assert.Contains("Run by Scottish Enterprise", item.TextContent, StringComparison.Ordinal);
        Assert.Contains("Spring 2027", item.TextContent, StringComparison.Ordinal);
        Assert.Contains("If you leave the programme, it keeps sharing them with Scottish Enterprise's advisors until you stop it on the sharing page",
            item.TextContent, StringComparison.Ordinal);

        var left = await owner.SubmitFormAsync("/firm/programmes", $"leave-{ids.ProgrammeId}", []);
        Assert.Equal(HttpStatusCode.Redirect, left.StatusCode);
        mine = await owner.GetDocumentFromAsync(left);
        Assert.Contains("Your firm has left Export Ready", mine.QuerySelector(".notice--success")!.TextContent, StringComparison.Ordinal);
        Assert.Contains("Left", mine.QuerySelector("[data-programme='Export Ready'] .tag")!.TextContent, StringComparison.Ordinal);
        Assert.Null(mine.QuerySelector("[data-programme='Export Ready'] form"));

        var enrolment = (await EnrolmentSetup.EnrolmentsAsync(app, cohort)).Single(e => e.FirmId == valves.FirmId);
        Assert.NotNull(enrolment.LeftAt);
        Assert.True(await app.QueryAsync(db => db.FirmShares.AnyAsync(s => s.FirmId == valves.FirmId && s.OrganisationId == ids.OrganisationId && s.RevokedAt == null, Ct)));
        Assert.Equal([knitwear.FirmId], await app.QueryAsync(db => ProgrammeAccess.VisibleEnrolments(db, cohort).Select(e => e.FirmId!.Value).ToListAsync(Ct)));
        var audit = await app.QueryAsync(db => db.AuditEntries.AsNoTracking().SingleAsync(e => e.ActorId == valves.Owner.Id, Ct));
        Assert.Equal((FirmProgrammesService.LeftAction, "Valves of Zhejiang left Export Ready (Scottish Enterprise)"), (audit.Action, audit.Detail));

        // Staff: the firm is a nameless "left" row, and not offered for enrolment again.
        var page = await client.GetDocumentAsync(CohortUrl);
        Assert.DoesNotContain("Valves of Zhejiang", page.Body!.TextContent, StringComparison.Ordinal);
        Assert.Equal(nameof(EnrolmentState.Left), State(page, "A firm that left the programme"));
        Assert.Equal(nameof(EnrolmentState.Enrolled), State(page, "Thistle Knitwear"));
        Assert.Empty(Candidates(page));

        // A firm that stops sharing drops out of sight the same way, without leaving.
        await app.Services.GetRequiredService<SharingService>().RevokeAsync(knitwear.Owner.Id, ids.OrganisationId, Ct);
        page = await client.GetDocumentAsync(CohortUrl);
        Assert.DoesNotContain("Thistle Knitwear", page.Body!.TextContent, StringComparison.Ordinal);
        Assert.Equal(nameof(EnrolmentState.NotSharing), State(page, "A firm that stopped sharing its results"));
        var programme = await client.GetDocumentAsync($"/programmes/{ids.ProgrammeId}");
        Assert.Equal("0", programme.QuerySelector("tr[data-cohort='Spring 2027'] [data-testid=enrolled]")!.TextContent);
    }
}
