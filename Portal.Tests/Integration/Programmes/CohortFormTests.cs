using AngleSharp.Dom;
using System.Net;
using AngleSharp.Html.Dom;
using Microsoft.EntityFrameworkCore;
using Portal.Tests.TestSupport;
using Portal.Web.Data;
using Portal.Web.Features.Programmes;

namespace Portal.Tests.Integration.Programmes;

/// <summary>
/// Staff create cohorts on the programme page: a name unique in the programme, a start and an
/// end not before it. A refusal says why beside the field and keeps everything typed; a cohort
/// created shows with its dates and counts, and is in the audit log.
/// </summary>
public sealed class CohortFormTests : IAsyncLifetime
{
    private readonly PortalApp app = new();
    private EnrolmentSetup.ProgrammeIds ids = default!;
    private PortalUser staff = default!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private string Url => $"/programmes/{ids.ProgrammeId}";

    public async ValueTask InitializeAsync()
    {
        ids = await EnrolmentSetup.ProgrammeAsync(app, "Scottish Enterprise", "Export Ready");
        staff = await EnrolmentSetup.StaffAsync(app, "staff@example.org", ids.ProgrammeId);
    }

    public ValueTask DisposeAsync() => app.DisposeAsync();

    private async Task<(HttpResponseMessage Response, IHtmlDocument Page)> CreateAsync(HttpClient client, string name, string starts, string ends)
    {
        var response = await client.SubmitFormAsync(Url, "create-cohort", new()
        {
            ["Input.Name"] = name,
            ["Input.StartsOn"] = starts,
            ["Input.EndsOn"] = ends,
        });
        return (response, await client.GetDocumentFromAsync(response));
    }

    private static string Error(IHtmlDocument page, string key) =>
        page.QuerySelector($"#error-{key}")?.TextContent.Replace("Error:", "", StringComparison.Ordinal).Trim() ?? "";

    [Fact]
    public async Task ACohort_IsCreated_ShownWithItsDatesAndCounts_AndAudited()
    {
        var client = await app.SignedInClientAsync(staff.Email!, EnrolmentSetup.Password);

        var (response, page) = await CreateAsync(client, " Spring 2027 ", "2027-03-01", "2027-05-31");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode); // post, redirect, get
        Assert.Contains("The cohort “Spring 2027” was created.", page.QuerySelector(".notice--success")!.TextContent, StringComparison.Ordinal);
        var row = page.QuerySelector("tr[data-cohort='Spring 2027']")!;
        Assert.Contains("1 Mar 2027", row.TextContent, StringComparison.Ordinal);
        Assert.Contains("31 May 2027", row.TextContent, StringComparison.Ordinal);
        Assert.Equal(("0", "0"), (row.QuerySelector("[data-testid=invited]")!.TextContent, row.QuerySelector("[data-testid=enrolled]")!.TextContent));
        var cohort = await app.QueryAsync(db => db.Cohorts.AsNoTracking().SingleAsync(Ct));
        Assert.Equal((new DateOnly(2027, 3, 1), new DateOnly(2027, 5, 31)), (cohort.StartsOn, cohort.EndsOn));
        Assert.EndsWith($"programmes/{ids.ProgrammeId}/cohorts/{cohort.Id}", row.QuerySelector("a")!.GetAttribute("href"), StringComparison.Ordinal);
        var entry = await app.QueryAsync(db => db.AuditEntries.AsNoTracking().SingleAsync(e => e.ActorId == staff.Id, Ct));
        Assert.Equal((ProgrammeService.CreatedCohortAction, "Spring 2027 in Export Ready"), (entry.Action, entry.Detail));
    }

    [Theory]
    [InlineData("", "2027-03-01", "2027-05-31", "name", "Enter the cohort's name")]
    [InlineData("Autumn", "", "2027-05-31", "starts", "Enter the start date")]
    [InlineData("Autumn", "2027-03-01", "", "ends", "Enter the end date")]
    [InlineData("Autumn", "1 March", "2027-05-31", "starts", "Enter the start date as a real date, like 2027-03-01")]
    [InlineData("Autumn", "2027-03-01", "2027-02-30", "ends", "Enter the end date as a real date, like 2027-03-01")]
    [InlineData("Autumn", "2027-03-01", "2027-02-28", "ends", "The end date must be the same as or after the start date")]
    public async Task ABadCohort_IsRefusedBesideTheField_AndKeepsWhatWasTyped(string name, string starts, string ends, string field, string message)
    {
        var client = await app.SignedInClientAsync(staff.Email!, EnrolmentSetup.Password);

        var (response, page) = await CreateAsync(client, name, starts, ends);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(message, Error(page, field));
        Assert.Equal(message, Assert.Single(page.QuerySelectorAll(".error-summary li")).TextContent.Trim());
        Assert.EndsWith($"#cohort-{field}", page.QuerySelector(".error-summary a")!.GetAttribute("href"), StringComparison.Ordinal);
        Assert.Equal("true", page.QuerySelector($"#cohort-{field}")!.GetAttribute("aria-invalid"));
        Assert.Equal(name, page.QuerySelector<IHtmlInputElement>("#cohort-name")!.Value);
        Assert.Equal(starts, page.QuerySelector<IHtmlInputElement>("#cohort-starts")!.GetAttribute("value") ?? "");
        Assert.Equal(ends, page.QuerySelector<IHtmlInputElement>("#cohort-ends")!.GetAttribute("value") ?? "");
        Assert.False(await app.QueryAsync(db => db.Cohorts.AnyAsync(Ct)));
    }

    [Fact]
    public async Task ANameTheProgrammeHasAlready_IsRefused_WhileAnotherProgrammeMayUseIt()
    {
        await EnrolmentSetup.CohortAsync(app, staff, ids.ProgrammeId, "Spring 2027");
        var other = await EnrolmentSetup.ProgrammeAsync(app, "Scottish Enterprise", "Go Global");
        await EnrolmentSetup.CohortAsync(app, await EnrolmentSetup.StaffAsync(app, "other@example.org", other.ProgrammeId), other.ProgrammeId, "Autumn 2027");
        var client = await app.SignedInClientAsync(staff.Email!, EnrolmentSetup.Password);

        var (_, page) = await CreateAsync(client, "Spring 2027", "2027-09-01", "2027-11-30");
        Assert.Equal("Export Ready already has a cohort called “Spring 2027”: choose another name", Error(page, "name"));
        Assert.Equal("2027-09-01", page.QuerySelector("#cohort-starts")!.GetAttribute("value"));

        var (created, _) = await CreateAsync(client, "Autumn 2027", "2027-09-01", "2027-09-01"); // one day is a cohort too
        Assert.Equal(HttpStatusCode.Redirect, created.StatusCode);
        Assert.Equal(2, await app.QueryAsync(db => db.Cohorts.CountAsync(c => c.ProgrammeId == ids.ProgrammeId, Ct)));
    }
}
