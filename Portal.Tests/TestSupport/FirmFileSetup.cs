using AngleSharp.Html.Dom;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Web.Data;
using Portal.Web.Data.Entities;
using Portal.Web.Features.Accounts;
using Portal.Web.Features.Admin;
using Portal.Web.Features.Advisors;
using Portal.Web.Features.Sharing;

namespace Portal.Tests.TestSupport;

/// <summary>
/// Organisations, advisors and firms that share with them, made through the real services,
/// for the firm file's tests. Plain static methods (not extensions), so they cannot clash
/// with other helpers' names for the same steps.
/// </summary>
public static class FirmFileSetup
{
    public const string Password = "Firm-file-2026";

    public static async Task<Guid> OrganisationAsync(PortalApp app, string name)
    {
        var admin = app.Services.GetRequiredService<OrganisationAdminService>();
        Assert.Null(await admin.CreateAsync(name, null));
        return (await admin.ListAsync()).Single(o => o.Name == name).Id;
    }

    /// <summary>An advisor account placed in the organisation (what an Admin does).</summary>
    public static async Task<PortalUser> AdvisorAsync(PortalApp app, string email, Guid organisationId, string? timeZone = null)
    {
        var user = await app.CreateUserAsync(email, Password, PortalRoles.Advisor);
        await app.QueryAsync(async db =>
        {
            db.OrganisationMembers.Add(new OrganisationMember { UserId = user.Id, OrganisationId = organisationId, JoinedAt = DateTime.UtcNow });
            if (timeZone is not null)
            {
                (await db.Users.SingleAsync(u => u.Id == user.Id)).TimeZoneId = timeZone;
            }

            return await db.SaveChangesAsync();
        });
        return user;
    }

    public static async Task<AdvisorContext> ContextAsync(PortalApp app, string userId) =>
        await app.Services.GetRequiredService<AdvisorAccess>().ForUserAsync(userId) ?? throw new InvalidOperationException("Not an advisor in an organisation.");

    /// <summary>An owner who submits a persona's assessment and shares it with the organisation.</summary>
    public static async Task<SharingFirm> SharingFirmAsync(PortalApp app, string ownerEmail, string personaId, string firmName, Guid organisationId)
    {
        var owner = await app.CreateUserAsync(ownerEmail, Password, PortalRoles.Owner);
        var assessmentId = await app.SubmitPersonaAsync(owner.Id, personaId, firmName);
        await app.Services.GetRequiredService<SharingService>().ShareAsync(owner.Id, organisationId);
        var firmId = await app.QueryAsync(db => db.FirmMembers.Where(m => m.UserId == owner.Id).Select(m => m.FirmId).SingleAsync());
        return new SharingFirm(owner, firmId, assessmentId);
    }

    /// <summary>
    /// Posts a form by name to a page that may not show it (another organisation's firm): the
    /// antiforgery token comes from a page the client can open, as an attacker's would.
    /// </summary>
    public static async Task<HttpResponseMessage> PostFormAsync(HttpClient client, string url, string formName, Dictionary<string, string> values, string tokenFrom)
    {
        var document = await client.GetDocumentAsync(tokenFrom);
        var token = document.QuerySelectorAll("input[name=__RequestVerificationToken]").OfType<IHtmlInputElement>().First().Value;
        var fields = new Dictionary<string, string>(values) { ["_handler"] = formName, ["__RequestVerificationToken"] = token };
        return await client.PostAsync(url, new FormUrlEncodedContent(fields));
    }
}

public sealed record SharingFirm(PortalUser Owner, Guid FirmId, Guid AssessmentId);
