using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Tests.TestSupport;
using Portal.Web.Data;
using Portal.Web.Data.Entities;
using Portal.Web.Features.Accounts;
using Portal.Web.Features.Programmes;

namespace Portal.Tests.Integration.Programmes;

/// <summary>
/// Programmes, staff and cohorts made through the real services, for the tests of managing
/// them. Plain static methods (not extensions), so they cannot clash with other helpers' names.
/// </summary>
public static partial class EnrolmentSetup
{
    public const string Password = "Programmes-2026";

    public sealed record ProgrammeIds(Guid OrganisationId, Guid ProgrammeId);

    /// <summary>An organisation and a programme of it, as an Admin creates them.</summary>
    public static async Task<ProgrammeIds> ProgrammeAsync(PortalApp app, string organisation, string programme, string? description = null)
    {
        var organisationId = await app.QueryAsync(db => db.Organisations.Where(o => o.Name == organisation).Select(o => (Guid?)o.Id).FirstOrDefaultAsync())
            ?? await FirmFileSetup.OrganisationAsync(app, organisation);
        var admin = await AdminAsync(app);
        var (id, errors) = await app.Services.GetRequiredService<ProgrammeAdminService>().CreateAsync(programme, organisationId, description, admin.Id);
        Assert.Empty(errors);
        return new ProgrammeIds(organisationId, id!.Value);
    }

    /// <summary>An account with the ProgrammeStaff role on the staff of the programmes given.</summary>
    public static async Task<PortalUser> StaffAsync(PortalApp app, string email, params Guid[] programmes)
    {
        var user = await app.CreateUserAsync(email, Password, PortalRoles.ProgrammeStaff);
        await app.QueryAsync(db =>
        {
            foreach (var programme in programmes)
            {
                db.ProgrammeStaff.Add(new ProgrammeStaffMember { ProgrammeId = programme, UserId = user.Id, AddedAt = DateTime.UtcNow });
            }

            return db.SaveChangesAsync();
        });
        return user;
    }

    public static async Task<ProgrammeContext> ContextAsync(PortalApp app, string staffId, Guid programmeId) =>
        await app.Services.GetRequiredService<ProgrammeAccess>().ForStaffAsync(staffId, programmeId)
            ?? throw new InvalidOperationException("Not on the programme's staff.");

    /// <summary>A cohort created by a member of staff through the service.</summary>
    public static async Task<Guid> CohortAsync(PortalApp app, PortalUser staff, Guid programmeId, string name, string starts = "2027-03-01", string ends = "2027-05-31")
    {
        var context = await ContextAsync(app, staff.Id, programmeId);
        var outcome = await app.Services.GetRequiredService<ProgrammeService>().CreateCohortAsync(context, name, starts, ends, staff.Id);
        Assert.True(outcome.Succeeded, string.Join("; ", outcome.Errors.Values));
        return await app.QueryAsync(db => db.Cohorts.Where(c => c.ProgrammeId == programmeId && c.Name == name).Select(c => c.Id).SingleAsync());
    }

    public static string CohortUrl(Guid programmeId, Guid cohortId) => $"/programmes/{programmeId}/cohorts/{cohortId}";

    /// <summary>The path and query of the invitation link in an email's HTML.</summary>
    public static string JoinLink(string html)
    {
        var match = JoinHref().Match(html);
        Assert.True(match.Success, "the email has no invitation link");
        return new Uri(System.Net.WebUtility.HtmlDecode(match.Groups[1].Value)).PathAndQuery;
    }

    public static Task<List<Enrolment>> EnrolmentsAsync(PortalApp app, Guid cohortId) =>
        app.QueryAsync(db => db.Enrolments.AsNoTracking().Where(e => e.CohortId == cohortId).ToListAsync());

    private static async Task<PortalUser> AdminAsync(PortalApp app)
    {
        const string email = "programme.admin@example.org";
        var existing = await app.QueryAsync(db => db.Users.FirstOrDefaultAsync(u => u.Email == email));
        return existing ?? await app.CreateUserAsync(email, Password, PortalRoles.Admin);
    }

    [GeneratedRegex("href=\"(https?://[^\"]*/programmes/join\\?token=[^\"]+)\"")]
    private static partial Regex JoinHref();
}
