using System.Net;
using AngleSharp.Dom;
using AngleSharp.Html.Dom;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Portal.Tests.TestSupport;
using Portal.Web.Data;
using Portal.Web.Data.Entities;
using Portal.Web.Features.Accounts;
using Portal.Web.Features.Audit;
using Portal.Web.Features.FollowUps;

namespace Portal.Tests.Integration.Audit;

/// <summary>
/// Admins read the whole audit log, filtered and paged in the database, in their own time
/// zone; an owner reads only what others did with their own firm, in theirs.
/// </summary>
public sealed class AuditLogTests : IAsyncLifetime
{
    private const string Password = "Test-password-123";
    private const string Admin = "admin@example.org";
    private const string AdminZone = "America/New_York";
    private const string OwnerZone = "Europe/Berlin";
    private const int Seeded = 120;
    private readonly FakeTimeProvider clock = new(new DateTimeOffset(2026, 12, 1, 9, 0, 0, TimeSpan.Zero));
    private readonly PortalApp app;
    private readonly List<Seed> seeds = [];
    private string alphaOwner = "";

    public AuditLogTests() => app = new PortalApp(o => o.Clock = clock);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private sealed record Seed(DateTime At, string Actor, string? Organisation, string Firm, string Action, string Detail);

    public async ValueTask InitializeAsync()
    {
        await app.CreateUserAsync(Admin, Password, PortalRoles.Admin);
        var sam = await app.CreateUserAsync("sam@example.org", Password, PortalRoles.Advisor);
        var kim = await app.CreateUserAsync("kim@example.org", Password, PortalRoles.Advisor);
        alphaOwner = (await app.CreateUserAsync("alpha@example.org", Password, PortalRoles.Owner)).Id;
        var betaOwner = (await app.CreateUserAsync("beta@example.org", Password, PortalRoles.Owner)).Id;
        Assert.Null(await app.Assessments().SaveFirmNameAsync(alphaOwner, "Alpha Exports Ltd"));
        Assert.Null(await app.Assessments().SaveFirmNameAsync(betaOwner, "Beta Foods Ltd"));
        var firms = await app.QueryAsync(db => db.Firms.ToDictionaryAsync(f => f.Name, f => f.Id, Ct));

        var audit = app.Services.GetRequiredService<AuditLog>();
        await app.QueryAsync(async db =>
        {
            await db.Users.Where(u => u.Email == Admin).ExecuteUpdateAsync(s => s.SetProperty(u => u.TimeZoneId, AdminZone), Ct);
            await db.Users.Where(u => u.Id == alphaOwner).ExecuteUpdateAsync(s => s.SetProperty(u => u.TimeZoneId, OwnerZone), Ct);
            var organisation = new Organisation { Name = "Scottish Enterprise" };
            db.Organisations.Add(organisation);
            db.OrganisationMembers.Add(new OrganisationMember { UserId = sam.Id, OrganisationId = organisation.Id });

            // Five days of entries an hour apart: two advisors (one not placed in an organisation), two firms, two actions.
            for (var i = 0; i < Seeded; i++)
            {
                var (actor, organisationName) = i % 3 == 0 ? (kim, (string?)null) : (sam, "Scottish Enterprise");
                var firm = i % 2 == 0 ? "Alpha Exports Ltd" : "Beta Foods Ltd";
                var action = i % 4 == 0 ? "added a note" : "viewed the firm file";
                audit.Add(db, actor.Id, actor.Email!, firms[firm], action, $"entry {i}");
                seeds.Add(new Seed(clock.GetUtcNow().UtcDateTime, actor.Email!, organisationName, firm, action, $"entry {i}"));
                clock.Advance(TimeSpan.FromHours(1));
            }

            return await db.SaveChangesAsync(Ct);
        });
    }

    public ValueTask DisposeAsync() => app.DisposeAsync();

    private static IReadOnlyList<string> Details(IHtmlDocument page) =>
        page.QuerySelectorAll("tr[data-audit-line] td:nth-child(4) .hint").Select(h => h.TextContent.Trim()).ToList();

    private static string Total(IHtmlDocument page) => page.QuerySelector("[data-testid=audit-total]")?.TextContent ?? "";

    private static List<string> Newest(IEnumerable<Seed> matching) => matching.OrderByDescending(s => s.At).Select(s => s.Detail).ToList();

    [Fact]
    public async Task Admin_SeesEveryEntry_NewestFirst_FiftyAPage()
    {
        var client = await app.SignedInClientAsync(Admin, Password);
        var expected = Newest(seeds);

        var first = await client.GetDocumentAsync("/admin/audit");
        var last = await client.GetDocumentAsync("/admin/audit?page=3");

        Assert.Equal(Seeded.ToString(System.Globalization.CultureInfo.InvariantCulture), Total(first));
        Assert.Equal(expected.Take(AuditLog.PageSize), Details(first));
        Assert.Equal(expected.Skip(2 * AuditLog.PageSize), Details(last));
        Assert.Contains("Page 1 of 3", first.Body!.TextContent, StringComparison.Ordinal);

        // Times in the Admin's zone, with the advisor's organisation when known.
        var zone = TimeZones.Resolve(AdminZone);
        var newest = seeds.MaxBy(s => s.At)!;
        var row = first.QuerySelector("tr[data-audit-line]")!;
        Assert.Equal(TimeZones.DateAndTime(newest.At, zone), row.Children[0].TextContent.Trim());
        Assert.Equal(newest.Firm, row.Children[2].TextContent.Trim());
        Assert.Contains($"Times are in {AdminZone}", first.Body!.TextContent, StringComparison.Ordinal);
        Assert.Equal(
            first.QuerySelectorAll("tr[data-audit-line]").Select(r => r.Children[1].QuerySelector(".hint")?.TextContent.Trim()),
            seeds.OrderByDescending(s => s.At).Take(AuditLog.PageSize).Select(s => s.Organisation));
    }

    [Fact]
    public async Task Admin_FiltersByFirmPersonActionAndDays_InTheirZone()
    {
        var client = await app.SignedInClientAsync(Admin, Password);
        var zone = TimeZones.Resolve(AdminZone);
        var from = new DateOnly(2026, 12, 2);
        var to = new DateOnly(2026, 12, 3);
        bool InDays(Seed s) => DateOnly.FromDateTime(TimeZones.ToLocal(s.At, zone)) is var day && day >= from && day <= to;

        var byFirm = await client.GetDocumentAsync("/admin/audit?firm=ALPHA+exp");
        var byFirmPage2 = await client.GetDocumentAsync("/admin/audit?firm=ALPHA+exp&page=2");
        var byPerson = await client.GetDocumentAsync("/admin/audit?actor=kim%40");
        var byAction = await client.GetDocumentAsync("/admin/audit?action=note");
        var byDays = await client.GetDocumentAsync("/admin/audit?from=2026-12-02&to=2026-12-03");
        var combined = await client.GetDocumentAsync("/admin/audit?firm=beta&actor=sam&action=viewed&from=2026-12-02&to=2026-12-03");

        var alpha = Newest(seeds.Where(s => s.Firm == "Alpha Exports Ltd"));
        Assert.Equal("60", Total(byFirm));
        Assert.Equal(alpha.Take(AuditLog.PageSize), Details(byFirm));
        Assert.Equal(alpha.Skip(AuditLog.PageSize), Details(byFirmPage2));
        Assert.Contains("firm=ALPHA%20exp&page=2", byFirm.QuerySelector("nav[aria-label='Pages of the audit log'] a")!.GetAttribute("href"), StringComparison.Ordinal); // paging keeps the filter
        Assert.Equal(Newest(seeds.Where(s => s.Actor == "kim@example.org")).Take(AuditLog.PageSize), Details(byPerson));
        Assert.Equal(Newest(seeds.Where(s => s.Action == "added a note")), Details(byAction));
        var days = Newest(seeds.Where(InDays));
        Assert.InRange(days.Count, 1, Seeded - 1); // the range cuts the seeded days
        Assert.Equal(days.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), Total(byDays));
        Assert.Equal(days.Take(AuditLog.PageSize), Details(byDays));
        var expected = Newest(seeds.Where(s => s.Firm == "Beta Foods Ltd" && s.Actor == "sam@example.org" && s.Action == "viewed the firm file" && InDays(s)));
        Assert.NotEmpty(expected);
        Assert.Equal(expected, Details(combined));
        Assert.Equal("beta", combined.QuerySelector<IHtmlInputElement>("#audit-firm")!.Value); // the filters stay filled in
        Assert.Equal("2026-12-03", combined.QuerySelector<IHtmlInputElement>("#audit-to")!.Value);
    }

    [Fact]
    public async Task Admin_AnEndBeforeTheStart_IsRefusedBesideTheField_AndKeepsTheFilters()
    {
        var client = await app.SignedInClientAsync(Admin, Password);

        var page = await client.GetDocumentAsync("/admin/audit?actor=sam&from=2026-12-03&to=2026-12-02");

        Assert.Equal("The end date must be the same as or after the start date", page.QuerySelector(".error-summary a[href$='#audit-to']")!.TextContent.Trim());
        Assert.Contains("The end date must be the same as or after the start date", page.QuerySelector("#error-audit-to")!.TextContent, StringComparison.Ordinal);
        Assert.Equal("sam", page.QuerySelector<IHtmlInputElement>("#audit-actor")!.Value);
        Assert.Equal("2026-12-03", page.QuerySelector<IHtmlInputElement>("#audit-from")!.Value);
        Assert.Empty(Details(page));
    }

    [Fact]
    public async Task Owner_SeesOnlyTheirOwnFirmsEntries_InTheirZone_WithTheOrganisation()
    {
        var client = await app.SignedInClientAsync("alpha@example.org", Password);
        var zone = TimeZones.Resolve(OwnerZone);
        var alpha = seeds.Where(s => s.Firm == "Alpha Exports Ltd").OrderByDescending(s => s.At).ToList();

        var page = await client.GetDocumentAsync("/firm/activity");
        var page2 = await client.GetDocumentAsync("/firm/activity?page=2");

        var rows = page.QuerySelectorAll("tr[data-activity]").Concat(page2.QuerySelectorAll("tr[data-activity]"))
            .Select(r => r.Children.Select(c => c.TextContent.Trim()).ToList()).ToList();
        Assert.Equal(
            alpha.Select(s => new List<string> { TimeZones.DateAndTime(s.At, zone), s.Actor, s.Organisation ?? "No organisation", s.Action }),
            rows);
        Assert.Contains("60 records", page.Body!.TextContent, StringComparison.Ordinal);
        Assert.Contains($"Times are in {OwnerZone}", page.Body!.TextContent, StringComparison.Ordinal);
        // Nothing of the other firm, and no advisor's detail text, reaches this owner.
        Assert.DoesNotContain("Beta", page.Body!.TextContent, StringComparison.Ordinal);
        Assert.DoesNotContain("entry ", page.Body!.TextContent + page2.Body!.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Owner_WhoseFirmNobodyElseViewed_SeesTheEmptyState_NotTheirOwnVisits()
    {
        var owner = (await app.CreateUserAsync("gamma@example.org", Password, PortalRoles.Owner)).Id;
        var assessment = await app.SubmitPersonaAsync(owner, "lew-a", "Gamma Tools Ltd");
        var client = await app.SignedInClientAsync("gamma@example.org", Password);
        foreach (var path in new[] { "/assessment", $"/results/{assessment}", "/firm/sharing" })
        {
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(path, Ct)).StatusCode);
        }

        var page = await client.GetDocumentAsync("/firm/activity");

        Assert.Equal("Nobody else has looked at your firm's information yet.", page.QuerySelector(".empty-state")!.TextContent.Trim());
        Assert.Empty(page.QuerySelectorAll("tr[data-activity]"));
        var gamma = await app.QueryAsync(db => db.Firms.Where(f => f.Name == "Gamma Tools Ltd").Select(f => f.Id).SingleAsync(Ct));
        Assert.False(await app.QueryAsync(db => db.AuditEntries.AnyAsync(e => e.FirmId == gamma, Ct)));
    }

    [Fact]
    public async Task TheSharingPage_LinksToTheActivityPage()
    {
        var client = await app.SignedInClientAsync("alpha@example.org", Password);

        var page = await client.GetDocumentAsync("/firm/sharing");

        Assert.NotNull(page.QuerySelector("main a[href='firm/activity']"));
    }

    [Theory]
    [InlineData("sam@example.org")]
    [InlineData("alpha@example.org")]
    public async Task NonAdmins_Get403_AtTheAuditLog(string email)
    {
        var client = await app.SignedInClientAsync(email, Password);

        var response = await client.GetAsync("/admin/audit", Ct);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Theory]
    [InlineData("sam@example.org")]
    [InlineData(Admin)]
    public async Task NonOwners_Get403_AtFirmActivity(string email)
    {
        var client = await app.SignedInClientAsync(email, Password);

        var response = await client.GetAsync("/firm/activity", Ct);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Theory]
    [InlineData("/admin/audit")]
    [InlineData("/firm/activity")]
    public async Task Anonymous_IsSentToSignIn(string path)
    {
        var response = await app.CreateBrowserlikeClient().GetAsync(path, Ct);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Contains($"/Account/Login?ReturnUrl={Uri.EscapeDataString(path)}", response.Headers.Location!.ToString(), StringComparison.Ordinal);
    }
}
