using System.Net;
using AngleSharp.Dom;
using AngleSharp.Html.Dom;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Tests.TestSupport;
using Portal.Web.Data.Entities;
using Portal.Web.Features.Accounts;
using Portal.Web.Features.Admin;
using Portal.Web.Features.FollowUps;

namespace Portal.Tests.Integration.Admin;

/// <summary>
/// An Admin adds, moves and removes the advisors of an organisation through the page's own
/// forms, as a browser posts them; refusals say why and keep what was typed; every change is
/// in the audit log.
/// </summary>
public sealed class OrganisationAdvisorsTests : IAsyncLifetime
{
    private const string Password = "Test-password-123";
    private const string Admin = "admin@example.org";
    private readonly PortalApp app = new();
    private Guid scottish;
    private Guid chamber;
    private string adminId = "";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private string Page(Guid organisation) => $"/admin/organisations/{organisation}";

    public async ValueTask InitializeAsync()
    {
        adminId = (await app.CreateUserAsync(Admin, Password, PortalRoles.Admin)).Id;
        var admin = app.Services.GetRequiredService<OrganisationAdminService>();
        Assert.Null(await admin.CreateAsync("Scottish Enterprise", "Trade advisors for Scottish firms"));
        Assert.Null(await admin.CreateAsync("Chamber of Commerce", null));
        var organisations = await admin.ListAsync(Ct);
        scottish = organisations.Single(o => o.Name == "Scottish Enterprise").Id;
        chamber = organisations.Single(o => o.Name == "Chamber of Commerce").Id;
    }

    public ValueTask DisposeAsync() => app.DisposeAsync();

    private async Task<IHtmlDocument> AddAsync(HttpClient client, Guid organisation, string email, Guid? moveFrom = null)
    {
        var fields = new Dictionary<string, string> { ["Input.Email"] = email };
        if (moveFrom is { } from)
        {
            fields["Input.MoveFrom"] = from.ToString();
        }

        var response = await client.SubmitFormAsync(Page(organisation), "add-advisor", fields);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await client.GetDocumentFromAsync(response);
    }

    private Task<List<OrganisationMember>> MembersAsync() =>
        app.QueryAsync(db => db.OrganisationMembers.AsNoTracking().ToListAsync(Ct));

    private Task<List<AuditEntry>> AdminAuditAsync() =>
        app.QueryAsync(db => db.AuditEntries.AsNoTracking().Where(e => e.ActorId == adminId).OrderBy(e => e.Id).ToListAsync(Ct));

    private static string Notice(IHtmlDocument page) => page.QuerySelector(".notice--success")?.TextContent.Trim() ?? "";

    private static IReadOnlyList<string> Advisors(IHtmlDocument page) =>
        page.QuerySelectorAll("tr[data-advisor]").Select(r => r.GetAttribute("data-advisor")!).ToList();

    [Fact]
    public async Task AddingARegisteredAccount_MakesItAnAdvisorOfTheOrganisation_InPlaceOfOwner_AndIsAudited()
    {
        // Every registration starts as a firm owner; this one never opened a firm.
        var person = await app.CreateUserAsync("jo.advisor@example.org", Password, PortalRoles.Owner);
        var client = await app.SignedInClientAsync(Admin, Password);

        var page = await AddAsync(client, scottish, "  Jo.Advisor@example.org ");

        Assert.Contains("jo.advisor@example.org is now an advisor of Scottish Enterprise.", Notice(page), StringComparison.OrdinalIgnoreCase);
        Assert.Contains("it now has the Trade advisor role instead", Notice(page), StringComparison.Ordinal);
        Assert.Equal(["jo.advisor@example.org"], Advisors(page));
        Assert.Equal("", page.QuerySelector<IHtmlInputElement>("#advisor-email")!.Value); // done: the box is clear for the next one
        Assert.Equal([PortalRoles.Advisor], await app.RolesOfAsync("jo.advisor@example.org"));
        var member = Assert.Single(await MembersAsync());
        Assert.Equal((person.Id, scottish), (member.UserId, member.OrganisationId));

        var entry = Assert.Single(await AdminAuditAsync());
        Assert.Equal((Admin, (Guid?)null, OrganisationAdminService.AddedAction), (entry.ActorEmail, entry.FirmId, entry.Action));
        Assert.Contains("to Scottish Enterprise", entry.Detail, StringComparison.Ordinal);

        var list = await client.GetDocumentAsync("/admin/organisations");
        Assert.Equal("1", list.QuerySelector("tr[data-organisation='Scottish Enterprise'] td:nth-child(3)")!.TextContent.Trim());
        Assert.Equal("0", list.QuerySelector("tr[data-organisation='Chamber of Commerce'] td:nth-child(3)")!.TextContent.Trim());
    }

    [Theory]
    [InlineData("", "Enter the email address of the advisor's account")]
    [InlineData("not-an-email", "Enter an email address in the correct format, like name@example.org")]
    [InlineData("nobody@example.org", "No account uses nobody@example.org. Ask the advisor to register on the portal first, then add them here")]
    public async Task ABadEmail_IsRefusedBesideTheField_AndTheFormKeepsIt(string email, string message)
    {
        var client = await app.SignedInClientAsync(Admin, Password);

        var page = await AddAsync(client, scottish, email);

        Assert.Equal(message, page.QuerySelector("#error-advisor-email")!.TextContent.Replace("Error:", "", StringComparison.Ordinal).Trim());
        Assert.Equal(message, page.QuerySelector(".error-summary a[href$='#advisor-email']")!.TextContent.Trim());
        Assert.Equal(email, page.QuerySelector<IHtmlInputElement>("#advisor-email")!.Value);
        Assert.Empty(await MembersAsync());
        Assert.Empty(await AdminAuditAsync());
    }

    [Fact]
    public async Task AFirmOwnersAccount_IsRefused_AndKeepsItsRoles()
    {
        var owner = await app.CreateUserAsync("owner@example.org", Password, PortalRoles.Owner);
        Assert.Null(await app.Assessments().SaveFirmNameAsync(owner.Id, "Thistle Knitwear"));
        var client = await app.SignedInClientAsync(Admin, Password);

        var page = await AddAsync(client, scottish, "owner@example.org");

        Assert.Contains("owner@example.org is the account of the firm “Thistle Knitwear”. A firm owner's account cannot also be an advisor's",
            page.QuerySelector("#error-advisor-email")!.TextContent, StringComparison.Ordinal);
        Assert.Equal("owner@example.org", page.QuerySelector<IHtmlInputElement>("#advisor-email")!.Value);
        Assert.Empty(await MembersAsync());
        Assert.Equal([PortalRoles.Owner], await app.RolesOfAsync("owner@example.org"));
    }

    [Fact]
    public async Task AnAdvisorOfAnotherOrganisation_IsMovedOnlyAfterConfirming_AndTheirCasesThereBecomeUnassigned()
    {
        var advisor = await app.CreateUserAsync("sam@example.org", Password, PortalRoles.Advisor);
        var client = await app.SignedInClientAsync(Admin, Password);
        await AddAsync(client, chamber, "sam@example.org");
        var firm = new Firm { Name = "Assigned Ltd" };
        await app.QueryAsync(async db =>
        {
            db.Firms.Add(firm);
            db.CaseFiles.Add(new CaseFile { FirmId = firm.Id, OrganisationId = chamber, AssignedAdvisorId = advisor.Id });
            return await db.SaveChangesAsync(Ct);
        });

        var asked = await AddAsync(client, scottish, "sam@example.org");

        Assert.Contains("sam@example.org is an advisor of Chamber of Commerce. An advisor works for one organisation at a time: confirm below to move them to Scottish Enterprise",
            asked.QuerySelector("#error-advisor-email")!.TextContent, StringComparison.Ordinal);
        Assert.Equal("sam@example.org", asked.QuerySelector<IHtmlInputElement>("#advisor-email")!.Value);
        var confirm = asked.QuerySelector<IHtmlInputElement>("#advisor-move")!;
        Assert.Equal((chamber.ToString(), false), (confirm.Value, confirm.IsChecked));
        Assert.Equal("Yes, move sam@example.org from Chamber of Commerce to Scottish Enterprise", asked.QuerySelector("label[for='advisor-move']")!.TextContent.Trim());
        Assert.Equal(chamber, Assert.Single(await MembersAsync()).OrganisationId); // not moved yet

        var moved = await AddAsync(client, scottish, "sam@example.org", moveFrom: chamber);

        Assert.Equal("sam@example.org has moved from Chamber of Commerce to Scottish Enterprise. The firm assigned to them in Chamber of Commerce is now unassigned.", Notice(moved));
        Assert.Equal(["sam@example.org"], Advisors(moved));
        Assert.Equal(scottish, Assert.Single(await MembersAsync()).OrganisationId);
        Assert.Null(await app.QueryAsync(db => db.CaseFiles.Where(c => c.FirmId == firm.Id).Select(c => c.AssignedAdvisorId).SingleAsync(Ct)));
        Assert.Empty(Advisors(await client.GetDocumentAsync(Page(chamber))));
        Assert.Equal([OrganisationAdminService.AddedAction, OrganisationAdminService.MovedAction], (await AdminAuditAsync()).Select(e => e.Action));
        Assert.Equal("sam@example.org from Chamber of Commerce to Scottish Enterprise", (await AdminAuditAsync())[^1].Detail);
    }

    [Fact]
    public async Task AConfirmationForAnotherOrganisation_DoesNotMoveTheAdvisor()
    {
        await app.CreateUserAsync("sam@example.org", Password, PortalRoles.Advisor);
        var client = await app.SignedInClientAsync(Admin, Password);
        await AddAsync(client, chamber, "sam@example.org");

        // A stale confirmation (they were moved elsewhere since the question was asked) asks again.
        var page = await AddAsync(client, scottish, "sam@example.org", moveFrom: Guid.NewGuid());

        Assert.NotNull(page.QuerySelector("#advisor-move"));
        Assert.Equal(chamber, Assert.Single(await MembersAsync()).OrganisationId);
    }

    [Fact]
    public async Task AnAdvisorAlreadyInTheOrganisation_IsNotAddedTwice()
    {
        await app.CreateUserAsync("sam@example.org", Password, PortalRoles.Advisor);
        var client = await app.SignedInClientAsync(Admin, Password);
        await AddAsync(client, scottish, "sam@example.org");

        var page = await AddAsync(client, scottish, "sam@example.org");

        Assert.Contains("sam@example.org is already an advisor of Scottish Enterprise", page.QuerySelector("#error-advisor-email")!.TextContent, StringComparison.Ordinal);
        Assert.Single(await MembersAsync());
    }

    [Fact]
    public async Task RemovingAnAdvisor_TakesThemOutOfTheOrganisation_KeepsTheirRole_AndIsAudited()
    {
        var sam = await app.CreateUserAsync("sam@example.org", Password, PortalRoles.Advisor);
        await app.CreateUserAsync("kim@example.org", Password, PortalRoles.Advisor);
        var client = await app.SignedInClientAsync(Admin, Password);
        await AddAsync(client, scottish, "sam@example.org");
        await AddAsync(client, scottish, "kim@example.org");

        var response = await client.SubmitFormAsync(Page(scottish), "remove-advisor", new() { ["RemoveUserId"] = sam.Id });
        var page = await client.GetDocumentFromAsync(response);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("sam@example.org is no longer an advisor of Scottish Enterprise.", Notice(page));
        Assert.Equal(["kim@example.org"], Advisors(page));
        Assert.DoesNotContain(await MembersAsync(), m => m.UserId == sam.Id);
        Assert.Equal([PortalRoles.Advisor], await app.RolesOfAsync("sam@example.org"));
        var entry = (await AdminAuditAsync())[^1];
        Assert.Equal((OrganisationAdminService.RemovedAction, "sam@example.org from Scottish Enterprise"), (entry.Action, entry.Detail));

        // A second click on a page opened before the removal says so, and changes nothing.
        var again = await client.GetDocumentFromAsync(await client.SubmitFormAsync(Page(scottish), "remove-advisor", new() { ["RemoveUserId"] = sam.Id }));
        Assert.Equal("That advisor is no longer in this organisation", again.QuerySelector(".error-summary a")!.TextContent.Trim());
        Assert.Equal(["kim@example.org"], Advisors(again));
    }

    [Fact]
    public async Task RemovingOrMovingAnAdvisor_CancelsTheirMessagesNotYetSent_AndNoOneElses()
    {
        var sam = await app.CreateUserAsync("sam@example.org", Password, PortalRoles.Advisor);
        var kim = await app.CreateUserAsync("kim@example.org", Password, PortalRoles.Advisor);
        var lee = await app.CreateUserAsync("lee@example.org", Password, PortalRoles.Advisor);
        var client = await app.SignedInClientAsync(Admin, Password);
        foreach (var email in new[] { "sam@example.org", "kim@example.org" })
        {
            await AddAsync(client, scottish, email);
        }

        await AddAsync(client, chamber, "lee@example.org");
        FollowUp Message(string senderId, FollowUpStatus status) => new()
        {
            Kind = EmailKind.AdvisorMessage, Template = "advisor-message", Topic = "advisor", SenderId = senderId, UserId = adminId,
            Status = status, Subject = $"{senderId} {status}", Body = "Hello", CreatedAt = DateTime.UtcNow, DueAt = DateTime.UtcNow.AddDays(1), NextAttemptAt = DateTime.UtcNow.AddDays(1),
        };
        await app.QueryAsync(db =>
        {
            db.FollowUps.AddRange(
                Message(sam.Id, FollowUpStatus.Pending), Message(sam.Id, FollowUpStatus.Failed), Message(sam.Id, FollowUpStatus.Sent),
                Message(kim.Id, FollowUpStatus.Pending), Message(lee.Id, FollowUpStatus.Pending));
            return db.SaveChangesAsync(Ct);
        });

        await client.SubmitFormAsync(Page(scottish), "remove-advisor", new() { ["RemoveUserId"] = sam.Id });
        await AddAsync(client, scottish, "lee@example.org", moveFrom: chamber);

        var statuses = await app.QueryAsync(db => db.FollowUps.AsNoTracking().Select(f => new { f.Subject, f.Status, f.CancelReason }).ToListAsync(Ct));
        Assert.Equal(
            new[]
            {
                ($"{sam.Id} Pending", FollowUpStatus.Cancelled, (string?)CancelReasons.AdvisorLeft),
                ($"{sam.Id} Failed", FollowUpStatus.Cancelled, CancelReasons.AdvisorLeft),
                ($"{sam.Id} Sent", FollowUpStatus.Sent, null),
                ($"{kim.Id} Pending", FollowUpStatus.Pending, null),
                ($"{lee.Id} Pending", FollowUpStatus.Cancelled, CancelReasons.AdvisorLeft),
            }.OrderBy(x => x.Item1, StringComparer.Ordinal),
            statuses.Select(s => (s.Subject!, s.Status, s.CancelReason)).OrderBy(x => x.Item1, StringComparer.Ordinal));
    }

    [Fact]
    public async Task AnUnknownOrganisation_Is404()
    {
        var client = await app.SignedInClientAsync(Admin, Password);

        var response = await client.GetAsync(Page(Guid.NewGuid()), Ct);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Theory]
    [InlineData(PortalRoles.Owner)]
    [InlineData(PortalRoles.Advisor)]
    [InlineData(PortalRoles.ProgrammeStaff)]
    public async Task WithoutTheAdminRole_ThePageIs403(string role)
    {
        await app.CreateUserAsync("someone@example.org", Password, role);
        var client = await app.SignedInClientAsync("someone@example.org", Password);

        var response = await client.GetAsync(Page(scottish), Ct);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task Anonymous_IsSentToSignIn()
    {
        var response = await app.CreateBrowserlikeClient().GetAsync(Page(scottish), Ct);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Contains("/Account/Login", response.Headers.Location!.ToString(), StringComparison.Ordinal);
    }
}
