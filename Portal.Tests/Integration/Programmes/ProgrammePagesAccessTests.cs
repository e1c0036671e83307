using System.Net;
using AngleSharp.Html.Dom;
using Microsoft.EntityFrameworkCore;
using Portal.Tests.TestSupport;
using Portal.Web.Data;
using Portal.Web.Features.Accounts;

namespace Portal.Tests.Integration.Programmes;

/// <summary>
/// Who reaches the programme pages: staff see only the programmes they are on; staff of
/// another programme get 404 for every page and every form post, and change nothing; owners
/// and advisors get 403; anonymous visitors are sent to sign in.
/// </summary>
public sealed class ProgrammePagesAccessTests : IAsyncLifetime
{
    private readonly PortalApp app = new();
    private EnrolmentSetup.ProgrammeIds exporting = default!;
    private EnrolmentSetup.ProgrammeIds other = default!;
    private PortalUser staff = default!;
    private PortalUser outsider = default!;
    private Guid cohort;
    private SharingFirm firm = default!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private string ProgrammeUrl => $"/programmes/{exporting.ProgrammeId}";

    private string CohortUrl => EnrolmentSetup.CohortUrl(exporting.ProgrammeId, cohort);

    public async ValueTask InitializeAsync()
    {
        exporting = await EnrolmentSetup.ProgrammeAsync(app, "Scottish Enterprise", "Export Ready");
        other = await EnrolmentSetup.ProgrammeAsync(app, "Chamber of Commerce", "Go Global");
        staff = await EnrolmentSetup.StaffAsync(app, "staff@example.org", exporting.ProgrammeId);
        outsider = await EnrolmentSetup.StaffAsync(app, "outsider@example.org", other.ProgrammeId);
        cohort = await EnrolmentSetup.CohortAsync(app, staff, exporting.ProgrammeId, "Spring 2027");
        firm = await FirmFileSetup.SharingFirmAsync(app, "owner@example.org", "lew-a", "Valves of Zhejiang", exporting.OrganisationId);
    }

    public ValueTask DisposeAsync() => app.DisposeAsync();

    [Fact]
    public async Task Staff_SeeOnlyTheirOwnProgrammes()
    {
        var both = await EnrolmentSetup.StaffAsync(app, "both@example.org", exporting.ProgrammeId, other.ProgrammeId);

        var mine = await (await app.SignedInClientAsync(staff.Email!, EnrolmentSetup.Password)).GetDocumentAsync("/programmes");
        var theirs = await (await app.SignedInClientAsync(both.Email!, EnrolmentSetup.Password)).GetDocumentAsync("/programmes");

        Assert.Equal(["Export Ready"], Programmes(mine));
        Assert.Equal(["Export Ready", "Go Global"], Programmes(theirs));
        Assert.Equal(ProgrammeUrl.TrimStart('/'), mine.QuerySelector("[data-programme='Export Ready'] a")!.GetAttribute("href"));
        var programme = await (await app.SignedInClientAsync(staff.Email!, EnrolmentSetup.Password)).GetDocumentAsync(ProgrammeUrl);
        Assert.Equal("Export Ready", programme.QuerySelector("h1")!.TextContent);
        Assert.NotNull(programme.QuerySelector("tr[data-cohort='Spring 2027']"));
    }

    [Fact]
    public async Task StaffOfAnotherProgramme_Get404_ForEveryPageAndPost_AndChangeNothing()
    {
        var client = await app.SignedInClientAsync(outsider.Email!, EnrolmentSetup.Password);
        var before = await SnapshotAsync();

        foreach (var url in new[] { ProgrammeUrl, CohortUrl, $"{CohortUrl}?q=Valves", EnrolmentSetup.CohortUrl(other.ProgrammeId, cohort) })
        {
            var response = await client.GetAsync(url, Ct);
            var body = await response.Content.ReadAsStringAsync(Ct);
            Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"{url}: {(int)response.StatusCode}");
            Assert.Contains("Page not found", body, StringComparison.Ordinal);
            Assert.DoesNotContain("Spring 2027", body, StringComparison.Ordinal);
            Assert.DoesNotContain("Valves of Zhejiang", body, StringComparison.Ordinal);
        }

        var posts = new (string Url, string Form, Dictionary<string, string> Values)[]
        {
            (ProgrammeUrl, "create-cohort", new() { ["Input.Name"] = "Autumn 2027", ["Input.StartsOn"] = "2027-09-01", ["Input.EndsOn"] = "2027-11-30" }),
            (CohortUrl, "invite", new() { ["Invite.Emails"] = "someone@example.org" }),
            (CohortUrl, "enrol", new() { ["firm"] = firm.FirmId.ToString() }),
            // Their own programme's address with a cohort of another programme.
            (EnrolmentSetup.CohortUrl(other.ProgrammeId, cohort), "enrol", new() { ["firm"] = firm.FirmId.ToString() }),
        };
        foreach (var (url, form, values) in posts)
        {
            var response = await FirmFileSetup.PostFormAsync(client, url, form, values, "/settings/emails");
            Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"{form} on {url}: {(int)response.StatusCode}");
        }

        Assert.Equal(before, await SnapshotAsync());
    }

    [Fact]
    public async Task OwnersAndAdvisors_Get403_AndAnonymous_IsSentToSignIn()
    {
        await FirmFileSetup.AdvisorAsync(app, "advisor@example.org", exporting.OrganisationId);
        var owner = await app.SignedInClientAsync("owner@example.org", FirmFileSetup.Password);
        var advisor = await app.SignedInClientAsync("advisor@example.org", FirmFileSetup.Password);
        foreach (var url in new[] { "/programmes", ProgrammeUrl, CohortUrl })
        {
            Assert.Equal(HttpStatusCode.Forbidden, (await owner.GetAsync(url, Ct)).StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, (await advisor.GetAsync(url, Ct)).StatusCode);
            var anonymous = await app.CreateBrowserlikeClient().GetAsync(url, Ct);
            Assert.Equal(HttpStatusCode.Redirect, anonymous.StatusCode);
            Assert.Contains("/Account/Login", anonymous.Headers.Location!.ToString(), StringComparison.Ordinal);
        }

        var posted = await FirmFileSetup.PostFormAsync(owner, CohortUrl, "enrol", new() { ["firm"] = firm.FirmId.ToString() }, "/settings/emails");
        Assert.Equal(HttpStatusCode.Forbidden, posted.StatusCode);
        Assert.Empty(await EnrolmentSetup.EnrolmentsAsync(app, cohort));

        // The Admin pages are for Admins only: staff get 403 too.
        var staffClient = await app.SignedInClientAsync(staff.Email!, EnrolmentSetup.Password);
        Assert.Equal(HttpStatusCode.Forbidden, (await staffClient.GetAsync("/admin/programmes", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await staffClient.GetAsync($"/admin/programmes/{exporting.ProgrammeId}", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await staffClient.GetAsync("/firm/programmes", Ct)).StatusCode);
    }

    private static IReadOnlyList<string> Programmes(IHtmlDocument page) =>
        page.QuerySelectorAll("[data-programme]").Select(e => e.GetAttribute("data-programme")!).ToList();

    private Task<string> SnapshotAsync() => app.QueryAsync(async db =>
        $"{await db.Cohorts.CountAsync(Ct)} cohorts, {await db.Enrolments.CountAsync(Ct)} enrolments, {await db.FollowUps.CountAsync(Ct)} emails, "
        + $"{await db.AuditEntries.CountAsync(e => e.ActorId == outsider.Id, Ct)} audit entries by the outsider");
}
