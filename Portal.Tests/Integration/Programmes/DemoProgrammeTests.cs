using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Portal.Tests.TestSupport;
using Portal.Web.Data.Entities;
using Portal.Web.Features.DemoData;
using Portal.Web.Features.Programmes;

namespace Portal.Tests.Integration.Programmes;

/// <summary>A developer's first run: the demo staff user finds a programme with a cohort of the case firms, some of which moved on since their baseline.</summary>
public sealed class DemoProgrammeTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task DemoData_InDevelopment_GivesTheDemoStaffAProgramme_WithACohortOfThePersonaFirms_Once()
    {
        // The demo users come from appsettings.Development.json, as when a developer runs the portal.
        await using var app = new PortalApp(o => o.Settings["DemoData:Enabled"] = "true");
        var personas = TestContent.Real.Personas;
        var staffId = await app.QueryAsync(db => db.Users.Where(u => u.Email == "staff@demo.test").Select(u => u.Id).SingleAsync(Ct));

        var programme = Assert.Single(await app.Services.GetRequiredService<ProgrammeAccess>().ProgrammesOfAsync(staffId, Ct));
        Assert.Equal(DemoProgrammeData.ProgrammeName, programme.Name);
        Assert.Equal(DemoAdvisorData.OrganisationName, programme.OrganisationName);
        var cohort = await app.QueryAsync(db => db.Cohorts.SingleAsync(c => c.ProgrammeId == programme.ProgrammeId, Ct));
        Assert.Equal(DemoProgrammeData.CohortName, cohort.Name);
        Assert.True(cohort.StartsOn < cohort.EndsOn);

        // Every persona firm is enrolled, visible to staff, its first assessment the baseline.
        var enrolled = await app.QueryAsync(db => ProgrammeAccess.VisibleEnrolments(db, cohort.Id)
            .Select(e => new
            {
                e.EnrolledAt,
                Owner = db.FirmMembers.Where(m => m.FirmId == e.FirmId).Select(m => m.User.Email).Single(),
                Baseline = db.Assessments.Where(a => a.Id == e.BaselineAssessmentId).Select(a => new { a.Number, a.OverallScore, a.SubmittedAt }).Single(),
                Latest = db.Assessments.Where(a => a.FirmId == e.FirmId && a.IsLatest).Select(a => new { a.Number, a.OverallScore, a.SubmittedAt, a.ContentVersion }).Single(),
            })
            .ToListAsync(Ct));
        Assert.Equal(personas.Select(p => $"{p.Id}@{DemoAdvisorData.OwnerEmailDomain}").Order(), enrolled.Select(e => e.Owner).Order());
        Assert.All(enrolled, e => Assert.Equal(1, e.Baseline.Number));
        Assert.All(enrolled, e => Assert.True(e.EnrolledAt > e.Baseline.SubmittedAt));
        Assert.All(enrolled, e => Assert.Equal(TestContent.Real.Version, e.Latest.ContentVersion));

        // Some reassessed since, with better answers: distance travelled shows, and the group is big enough to be shown.
        var reassessed = enrolled.Where(e => e.Latest.Number > e.Baseline.Number).ToList();
        Assert.Equal(DemoProgrammeData.Reassessed, reassessed.Count);
        Assert.True(reassessed.Count >= app.Services.GetRequiredService<IOptions<ProgrammeOptions>>().Value.MinGroupSize);
        Assert.All(reassessed, e => Assert.True(e.Latest.OverallScore > e.Baseline.OverallScore, $"{e.Owner}: {e.Baseline.OverallScore} -> {e.Latest.OverallScore}"));
        Assert.All(reassessed, e => Assert.True(e.Latest.SubmittedAt > e.Baseline.SubmittedAt));

        // Two invitations nobody has answered, from the staff member, with only a hash of their token.
        var pending = await app.QueryAsync(db => db.Enrolments.AsNoTracking().Where(e => e.CohortId == cohort.Id && e.FirmId == null).ToListAsync(Ct));
        Assert.Equal(DemoProgrammeData.PendingInvitations.Order(), pending.Select(e => e.InvitedEmail!).Order());
        Assert.All(pending, e =>
        {
            Assert.Equal(staffId, e.InvitedById);
            Assert.Matches("^[0-9a-f]{64}$", e.TokenHash!);
            Assert.Null(e.EnrolledAt);
            Assert.NotNull(e.InvitedAt);
        });

        // Through the page, signed in with the demo password, as README says.
        var client = await app.SignedInClientAsync("staff@demo.test", "Demo-staff-2026");
        var response = await client.GetAsync("/programmes/content", Ct);
        var page = await client.GetDocumentFromAsync(response);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains(DemoProgrammeData.CohortName, page.QuerySelector($"tr[data-cohort='{cohort.Id}']")!.TextContent, StringComparison.Ordinal);

        // A second start finds the programme and adds nothing.
        var counts = await CountsAsync(app);
        await using (var scope = app.Services.CreateAsyncScope())
        {
            Assert.Null(await DemoProgrammeData.SeedAsync(scope.ServiceProvider, scope.ServiceProvider.GetRequiredService<IOptions<DemoDataOptions>>().Value, Ct));
        }

        Assert.Equal(counts, await CountsAsync(app));
        Assert.Equal((1, 1, personas.Count + 2, personas.Count + DemoProgrammeData.Reassessed), counts);
    }

    private static Task<(int Programmes, int Cohorts, int Enrolments, int Submitted)> CountsAsync(PortalApp app) =>
        app.QueryAsync(async db => (
            await db.Programmes.CountAsync(Ct),
            await db.Cohorts.CountAsync(Ct),
            await db.Enrolments.CountAsync(Ct),
            await db.Assessments.CountAsync(a => a.Status == AssessmentStatus.Submitted, Ct)));
}
