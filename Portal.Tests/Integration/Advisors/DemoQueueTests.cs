using System.Net;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Portal.Tests.TestSupport;
using Portal.Web.Data;
using Portal.Web.Features.Advisors;
using Portal.Web.Features.DemoData;

namespace Portal.Tests.Integration.Advisors;

/// <summary>A developer's first run: the demo advisor signs in to a full queue of the case firms.</summary>
public sealed class DemoQueueTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task DemoData_InDevelopment_FillsTheDemoAdvisorsQueue_WithEveryPersonaFirm_Once()
    {
        // The demo users come from appsettings.Development.json, as when a developer runs the portal.
        await using var app = new PortalApp(o => o.Settings["DemoData:Enabled"] = "true");
        var advisorId = await app.QueryAsync(db => db.Users.Where(u => u.Email == "advisor@demo.test").Select(u => u.Id).SingleAsync(Ct));
        var advisor = await app.Services.GetRequiredService<AdvisorAccess>().ForUserAsync(advisorId, Ct);

        Assert.NotNull(advisor);
        Assert.Equal(DemoAdvisorData.OrganisationName, advisor.OrganisationName);
        var queue = await app.Services.GetRequiredService<TriageQueueService>().ListAsync(advisor, new QueueFilter(), Ct);
        var personas = TestContent.Real.Personas;
        Assert.Equal(personas.Count, queue.Total);
        Assert.Equal(14, personas.Count);
        Assert.All(queue.Rows, r => Assert.True(r.HasAssessment));
        Assert.Contains(queue.Rows, r => r.Overdue);
        Assert.Contains(queue.Rows, r => r.AssignedToMe);
        var firstPage = personas.Select(p => p.Name).Intersect(queue.Rows.Select(r => r.FirmName)).Count();
        Assert.Equal(Math.Min(personas.Count, queue.PageSize), firstPage);

        // Through the page, signed in with the demo password, as README says.
        var client = await app.SignedInClientAsync("advisor@demo.test", "Demo-advisor-2026");
        var response = await client.GetAsync("/advisor", Ct);
        var page = await response.Content.ReadAsStringAsync(Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains($"of {personas.Count} firms", page, StringComparison.Ordinal);

        // The demo firms' owners have no password; the demo owner is left as it was.
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<PortalUser>>();
            foreach (var persona in personas)
            {
                var owner = await users.FindByEmailAsync($"{persona.Id}@{DemoAdvisorData.OwnerEmailDomain}");
                Assert.NotNull(owner);
                Assert.False(await users.HasPasswordAsync(owner));
            }

            Assert.Equal(0, await app.QueryAsync(db => db.FirmMembers.CountAsync(m => m.User.Email == "owner@demo.test", Ct)));

            // A second start finds the organisation and adds nothing.
            Assert.Null(await DemoAdvisorData.SeedAsync(scope.ServiceProvider, scope.ServiceProvider.GetRequiredService<IOptions<DemoDataOptions>>().Value, Ct));
        }

        Assert.Equal(personas.Count, await app.QueryAsync(db => db.Firms.CountAsync(Ct)));
        Assert.Equal(1, await app.QueryAsync(db => db.Organisations.CountAsync(Ct)));
    }
}
