using AngleSharp.Dom;
using System.Net;
using AngleSharp.Html.Dom;
using Microsoft.EntityFrameworkCore;
using Portal.Tests.TestSupport;
using Portal.Web.Data.Entities;
using Portal.Web.Features.Accounts;
using Portal.Web.Features.Programmes;

namespace Portal.Tests.Integration.Programmes;

/// <summary>
/// An Admin creates programmes and manages their staff through the pages' own forms: the
/// refusals say why beside the field and keep what was typed; an account gets the staff role
/// (in place of Owner); a firm's account is refused; each change is in the audit log.
/// </summary>
public sealed class ProgrammeAdminTests : IAsyncLifetime
{
    private const string Admin = "admin@example.org";
    private readonly PortalApp app = new();
    private string adminId = "";
    private Guid scottish;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        adminId = (await app.CreateUserAsync(Admin, EnrolmentSetup.Password, PortalRoles.Admin)).Id;
        scottish = await FirmFileSetup.OrganisationAsync(app, "Scottish Enterprise");
        await FirmFileSetup.OrganisationAsync(app, "Chamber of Commerce");
    }

    public ValueTask DisposeAsync() => app.DisposeAsync();

    private Task<List<AuditEntry>> AdminAuditAsync() =>
        app.QueryAsync(db => db.AuditEntries.AsNoTracking().Where(e => e.ActorId == adminId).OrderBy(e => e.Id).ToListAsync(Ct));

    private static string Error(IHtmlDocument page, string key) =>
        page.QuerySelector($"#error-{key}")?.TextContent.Replace("Error:", "", StringComparison.Ordinal).Trim() ?? "";

    [Fact]
    public async Task CreatingAProgramme_LeadsToItsPage_AndIsAudited()
    {
        var client = await app.SignedInClientAsync(Admin, EnrolmentSetup.Password);

        var response = await client.SubmitFormAsync("/admin/programmes", "create-programme", new()
        {
            ["Input.Name"] = "  Export Ready ",
            ["Input.OrganisationId"] = scottish.ToString(),
            ["Input.Description"] = "Twelve weeks of export support.",
        });

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var programme = await app.QueryAsync(db => db.Programmes.AsNoTracking().SingleAsync(Ct));
        Assert.Equal(("Export Ready", scottish, "Twelve weeks of export support."), (programme.Name, programme.OrganisationId, programme.Description));
        Assert.EndsWith($"/admin/programmes/{programme.Id}", response.Headers.Location!.ToString(), StringComparison.Ordinal);
        var page = await client.GetDocumentFromAsync(response);
        Assert.Equal("Export Ready", page.QuerySelector("h1")!.TextContent);
        Assert.Contains("“Export Ready” was created.", page.QuerySelector(".notice--success")!.TextContent, StringComparison.Ordinal);

        var entry = Assert.Single(await AdminAuditAsync());
        Assert.Equal((ProgrammeAdminService.CreatedAction, "Export Ready of Scottish Enterprise"), (entry.Action, entry.Detail));
        var list = await client.GetDocumentAsync("/admin/programmes");
        Assert.Contains("Scottish Enterprise", list.QuerySelector("tr[data-programme='Export Ready']")!.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ABadProgramme_IsRefusedBesideEachField_AndKeepsWhatWasTyped()
    {
        var client = await app.SignedInClientAsync(Admin, EnrolmentSetup.Password);

        var response = await client.SubmitFormAsync("/admin/programmes", "create-programme", new()
        {
            ["Input.Name"] = "",
            ["Input.OrganisationId"] = "",
            ["Input.Description"] = "Kept as typed",
        });
        var page = await client.GetDocumentFromAsync(response);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Enter the programme's name", Error(page, "name"));
        Assert.Equal("Choose the organisation that runs the programme", Error(page, "organisation"));
        Assert.Equal(2, page.QuerySelectorAll(".error-summary li").Length);
        Assert.Equal("Kept as typed", page.QuerySelector<IHtmlTextAreaElement>("#programme-description")!.Value);

        // The same name twice in one organisation is refused; in another organisation it is fine.
        await EnrolmentSetup.ProgrammeAsync(app, "Scottish Enterprise", "Export Ready");
        response = await client.SubmitFormAsync("/admin/programmes", "create-programme", new()
        {
            ["Input.Name"] = "Export Ready",
            ["Input.OrganisationId"] = scottish.ToString(),
        });
        page = await client.GetDocumentFromAsync(response);
        Assert.Equal("Scottish Enterprise already has a programme called “Export Ready”", Error(page, "name"));
        Assert.Equal("Export Ready", page.QuerySelector<IHtmlInputElement>("#programme-name")!.Value);
        Assert.Equal(scottish.ToString(), page.QuerySelector<IHtmlSelectElement>("#programme-organisation")!.Value);
        Assert.Equal(1, await app.QueryAsync(db => db.Programmes.CountAsync(Ct)));
    }

    [Fact]
    public async Task AddingStaff_GivesTheRoleInPlaceOfOwner_RemovingTakesThemOff_BothAudited()
    {
        var ids = await EnrolmentSetup.ProgrammeAsync(app, "Scottish Enterprise", "Export Ready");
        var person = await app.CreateUserAsync("jo.staff@example.org", EnrolmentSetup.Password, PortalRoles.Owner); // registered, never opened a firm
        var client = await app.SignedInClientAsync(Admin, EnrolmentSetup.Password);
        var url = $"/admin/programmes/{ids.ProgrammeId}";

        var added = await client.SubmitFormAsync(url, "add-staff", new() { ["Input.Email"] = " Jo.Staff@example.org " });
        Assert.Equal(HttpStatusCode.Redirect, added.StatusCode);
        var page = await client.GetDocumentFromAsync(added);

        Assert.Contains("jo.staff@example.org is now on the staff of Export Ready.", page.QuerySelector(".notice--success")!.TextContent, StringComparison.Ordinal);
        Assert.Contains("it now has the Programme staff role instead", page.QuerySelector(".notice--success")!.TextContent, StringComparison.Ordinal);
        Assert.NotNull(page.QuerySelector("tr[data-staff='jo.staff@example.org']"));
        Assert.Equal([PortalRoles.ProgrammeStaff], await app.RolesOfAsync("jo.staff@example.org"));
        var staffClient = await app.SignedInClientAsync("jo.staff@example.org", EnrolmentSetup.Password);
        Assert.Equal(HttpStatusCode.OK, (await staffClient.GetAsync($"/programmes/{ids.ProgrammeId}", Ct)).StatusCode);

        var removed = await client.SubmitFormAsync(url, "remove-staff", new() { ["RemoveUserId"] = person.Id });
        page = await client.GetDocumentFromAsync(removed);
        Assert.Contains("jo.staff@example.org is no longer on the staff of Export Ready.", page.QuerySelector(".notice--success")!.TextContent, StringComparison.Ordinal);
        Assert.Null(page.QuerySelector("tr[data-staff]"));
        Assert.Equal(HttpStatusCode.NotFound, (await staffClient.GetAsync($"/programmes/{ids.ProgrammeId}", Ct)).StatusCode);
        Assert.Equal([PortalRoles.ProgrammeStaff], await app.RolesOfAsync("jo.staff@example.org")); // the role stays: other programmes may need it

        var audit = (await AdminAuditAsync()).Where(e => e.Action != ProgrammeAdminService.CreatedAction).ToList();
        Assert.Equal([ProgrammeAdminService.AddedStaffAction, ProgrammeAdminService.RemovedStaffAction], audit.Select(e => e.Action));
        Assert.StartsWith("jo.staff@example.org to Export Ready (Scottish Enterprise)", audit[0].Detail, StringComparison.Ordinal);
        Assert.Equal("jo.staff@example.org from Export Ready", audit[1].Detail);
    }

    [Theory]
    [InlineData("", "Enter the email address of the person's account")]
    [InlineData("not-an-email", "Enter an email address in the correct format, like name@example.org")]
    [InlineData("nobody@example.org", "No account uses nobody@example.org. Ask the person to register on the portal first, then add them here")]
    [InlineData("owner@example.org", "owner@example.org is the account of the firm “Thistle Knitwear”. A firm owner's account cannot also be on a programme's staff: ask the person to register a separate account with their work email")]
    public async Task ABadStaffEmail_IsRefusedBesideTheField_AndTheFormKeepsIt(string email, string message)
    {
        var ids = await EnrolmentSetup.ProgrammeAsync(app, "Scottish Enterprise", "Export Ready");
        var owner = await app.CreateUserAsync("owner@example.org", EnrolmentSetup.Password, PortalRoles.Owner);
        Assert.Null(await app.Assessments().SaveFirmNameAsync(owner.Id, "Thistle Knitwear"));
        var client = await app.SignedInClientAsync(Admin, EnrolmentSetup.Password);

        var response = await client.SubmitFormAsync($"/admin/programmes/{ids.ProgrammeId}", "add-staff", new() { ["Input.Email"] = email });
        var page = await client.GetDocumentFromAsync(response);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(message, page.QuerySelector("#error-staff-email")!.TextContent.Replace("Error:", "", StringComparison.Ordinal).Trim());
        Assert.Equal(message, page.QuerySelector(".error-summary a[href$='#staff-email']")!.TextContent.Trim());
        Assert.Equal(email, page.QuerySelector<IHtmlInputElement>("#staff-email")!.Value);
        Assert.Equal("true", page.QuerySelector("#staff-email")!.GetAttribute("aria-invalid"));
        Assert.False(await app.QueryAsync(db => db.ProgrammeStaff.AnyAsync(Ct)));
        Assert.Equal([PortalRoles.Owner], await app.RolesOfAsync("owner@example.org"));
        Assert.DoesNotContain(await AdminAuditAsync(), e => e.Action == ProgrammeAdminService.AddedStaffAction);
    }
}
