using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Portal.Tests.Integration.Programmes;
using Portal.Tests.TestSupport;
using Portal.Web.Features.Benchmarks;
using Portal.Web.Features.Programmes;

namespace Portal.Tests.Integration.Benchmarks;

/// <summary>
/// The floor endpoints of scripts/bench-pages.sh: with Benchmarks:FloorEndpoints in Development
/// they answer the rows their page shows as JSON, under the page's role and access rules;
/// without the switch, or outside Development, the portal has no such routes.
/// </summary>
public sealed class FloorEndpointsTests
{
    private const string Queue = FloorEndpoints.Prefix + "/advisor";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task WithTheSwitchInDevelopment_EachFloorAnswersItsPagesRowsAsJson_UnderThePagesRules()
    {
        await using var app = new PortalApp(o => o.Settings["Benchmarks:FloorEndpoints"] = "true");
        var organisation = await FirmFileSetup.OrganisationAsync(app, "North Trade Office");
        var firm = await FirmFileSetup.SharingFirmAsync(app, "owner.a@floor.test", "lew-a", "Valves of Zhejiang", organisation);
        var other = await FirmFileSetup.SharingFirmAsync(app, "owner.b@floor.test", "lew-b", "Tailpipes of Ningbo", organisation);
        await FirmFileSetup.AdvisorAsync(app, "advisor@floor.test", organisation);
        var programme = (await EnrolmentSetup.ProgrammeAsync(app, "North Trade Office", "Export Ready")).ProgrammeId;
        var otherProgramme = (await EnrolmentSetup.ProgrammeAsync(app, "North Trade Office", "Go Global")).ProgrammeId;
        var staff = await EnrolmentSetup.StaffAsync(app, "staff@floor.test", programme);
        await EnrolmentSetup.StaffAsync(app, "staff2@floor.test", otherProgramme);
        var cohort = await EnrolmentSetup.CohortAsync(app, staff, programme, "Spring 2027");
        var enrolled = await app.Services.GetRequiredService<ProgrammeService>()
            .EnrolAsync(await EnrolmentSetup.ContextAsync(app, staff.Id, programme), cohort, [firm.FirmId, other.FirmId], staff.Id);
        Assert.True(enrolled.Succeeded);
        var dashboard = $"{FloorEndpoints.Prefix}/programmes/{programme}/cohorts/{cohort}/dashboard";
        var results = $"{FloorEndpoints.Prefix}/results/{firm.AssessmentId}";

        var advisor = await app.SignedInClientAsync("advisor@floor.test", FirmFileSetup.Password);
        using (var queue = await JsonAsync(advisor, Queue))
        {
            Assert.Equal(2, queue.RootElement.GetProperty("total").GetInt32());
            Assert.Equal(
                ["Tailpipes of Ningbo", "Valves of Zhejiang"],
                queue.RootElement.GetProperty("rows").EnumerateArray().Select(r => r.GetProperty("firmName").GetString()).Order());
        }

        var owner = await app.SignedInClientAsync("owner.a@floor.test", FirmFileSetup.Password);
        using (var result = await JsonAsync(owner, results))
        {
            Assert.Equal("Valves of Zhejiang", result.RootElement.GetProperty("firmName").GetString());
            Assert.True(result.RootElement.GetProperty("report").GetProperty("factors").GetArrayLength() > 0);
        }

        var staffClient = await app.SignedInClientAsync("staff@floor.test", EnrolmentSetup.Password);
        using (var figures = await JsonAsync(staffClient, dashboard))
        {
            Assert.Equal(2, figures.RootElement.GetProperty("enrolledFirms").GetInt32());
            Assert.Equal("Spring 2027", figures.RootElement.GetProperty("scope").GetProperty("cohortName").GetString());
        }

        // The pages' rules: another firm's results and another programme's cohort are not found; other roles are refused.
        var otherOwner = await app.SignedInClientAsync("owner.b@floor.test", FirmFileSetup.Password);
        var otherStaff = await app.SignedInClientAsync("staff2@floor.test", EnrolmentSetup.Password);
        Assert.Equal(HttpStatusCode.NotFound, (await otherOwner.GetAsync(results, Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await otherStaff.GetAsync(dashboard, Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await owner.GetAsync(Queue, Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await advisor.GetAsync(results, Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await advisor.GetAsync(dashboard, Ct)).StatusCode);
        var anonymous = await app.CreateBrowserlikeClient().GetAsync(Queue, Ct);
        Assert.Equal(HttpStatusCode.Redirect, anonymous.StatusCode);
        Assert.StartsWith("/Account/Login", anonymous.Headers.Location!.PathAndQuery, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Development", null)]
    [InlineData("Development", "false")]
    [InlineData("Production", "true")]
    public async Task WithoutTheSwitch_OrOutsideDevelopment_ThereAreNoFloorRoutes(string environment, string? setting)
    {
        await using var app = new PortalApp(o =>
        {
            o.Environment = environment;
            if (setting is not null)
            {
                o.Settings["Benchmarks:FloorEndpoints"] = setting;
            }
        });

        // A mapped floor sends an anonymous visitor to sign in; a path the portal does not have is 404.
        Assert.Equal(HttpStatusCode.NotFound, (await app.CreateBrowserlikeClient().GetAsync(Queue, Ct)).StatusCode);
        Assert.DoesNotContain(PortalRouteTable.Of(app.Services), r => r.Template.StartsWith(FloorEndpoints.Prefix, StringComparison.Ordinal));
        Assert.Equal(setting == "true", app.Logs.Lines.Any(l => l.Contains("Benchmarks:FloorEndpoints is ignored outside the Development environment.", StringComparison.Ordinal)));
    }

    private static async Task<JsonDocument> JsonAsync(HttpClient client, string url)
    {
        var response = await client.GetAsync(url, Ct);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{url}: {(int)response.StatusCode}");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
    }
}
