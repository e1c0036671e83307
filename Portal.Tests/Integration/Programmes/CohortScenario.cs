using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Portal.Tests.TestSupport;
using Portal.Web.Data;
using Portal.Web.Data.Entities;
using Portal.Web.Features.Accounts;
using Portal.Web.Features.Admin;
using Portal.Web.Features.Sharing;

namespace Portal.Tests.Integration.Programmes;

/// <summary>A firm of the scenario: its first submitted assessment and its latest (the same until it reassesses).</summary>
public sealed record CohortFirm(string Name, string OwnerId, string OwnerEmail, Guid FirmId, Guid FirstId, Guid LatestId)
{
    public bool Reassessed => LatestId != FirstId;
}

/// <summary>What the test itself recorded about an enrolment, to work out the funnel without the portal's queries.</summary>
public sealed record EnrolmentFact(Guid CohortId, CohortFirm? Firm, string? InvitedEmail, bool Accepted, bool HasAccount, bool Left, Guid? BaselineId);

/// <summary>
/// An organisation with a programme, its staff and cohorts of persona firms, made directly in
/// the database and through the owners' own services (the programme pages are not this
/// scenario's subject). Firms share with the organisation through SharingService, so
/// ProgrammeAccess sees them as the portal would.
/// </summary>
public sealed class CohortScenario : IAsyncDisposable
{
    public const string Password = "Cohort-test-2026";
    public static readonly DateTimeOffset Start = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);

    private CohortScenario(PortalApp app, FakeTimeProvider clock)
    {
        App = app;
        Clock = clock;
    }

    public PortalApp App { get; }

    public FakeTimeProvider Clock { get; }

    public DateTime Now => Clock.GetUtcNow().UtcDateTime;

    public List<EnrolmentFact> Enrolments { get; } = [];

    public static async Task<CohortScenario> CreateAsync(int minGroupSize, bool realServer = false)
    {
        var clock = new FakeTimeProvider(Start);
        var app = new PortalApp(o =>
        {
            o.Clock = clock;
            o.RealServer = realServer;
            o.Settings["Programmes:MinGroupSize"] = minGroupSize.ToString(System.Globalization.CultureInfo.InvariantCulture);
            o.Settings["FollowUps:DispatchEveryMinutes"] = "0"; // no emails are this scenario's subject
        });
        _ = app.Services; // starts the host
        return new CohortScenario(app, clock);
    }

    public async Task<Guid> AddOrganisationAsync(string name)
    {
        var admin = App.Services.GetRequiredService<OrganisationAdminService>();
        Assert.Null(await admin.CreateAsync(name, null));
        return (await admin.ListAsync()).Single(o => o.Name == name).Id;
    }

    public Task<Guid> AddProgrammeAsync(Guid organisationId, string name) =>
        App.QueryAsync(async db =>
        {
            var programme = new Programme { OrganisationId = organisationId, Name = name, CreatedAt = Now };
            db.Programmes.Add(programme);
            await db.SaveChangesAsync();
            return programme.Id;
        });

    public async Task<PortalUser> AddStaffAsync(string email, Guid programmeId)
    {
        var user = await App.CreateUserAsync(email, Password, PortalRoles.ProgrammeStaff);
        await App.QueryAsync(async db =>
        {
            db.ProgrammeStaff.Add(new ProgrammeStaffMember { ProgrammeId = programmeId, UserId = user.Id, AddedAt = Now });
            return await db.SaveChangesAsync();
        });
        return user;
    }

    public Task<Guid> AddCohortAsync(Guid programmeId, string name) =>
        App.QueryAsync(async db =>
        {
            var cohort = new Cohort { ProgrammeId = programmeId, Name = name, StartsOn = new DateOnly(2026, 3, 1), EndsOn = new DateOnly(2026, 9, 30), CreatedAt = Now };
            db.Cohorts.Add(cohort);
            await db.SaveChangesAsync();
            return cohort.Id;
        });

    /// <summary>An owner submits a persona's assessment and shares it with the organisations; the clock then moves on an hour.</summary>
    public async Task<CohortFirm> AddPersonaFirmAsync(string personaId, string firmName, params Guid[] shareWith)
    {
        var email = $"{personaId}.{Guid.NewGuid():N}@example.org";
        var owner = await App.CreateUserAsync(email, Password, PortalRoles.Owner);
        var assessmentId = await App.SubmitPersonaAsync(owner.Id, personaId, firmName);
        foreach (var organisation in shareWith)
        {
            await App.Services.GetRequiredService<SharingService>().ShareAsync(owner.Id, organisation);
        }

        var firmId = await App.QueryAsync(db => db.FirmMembers.Where(m => m.UserId == owner.Id).Select(m => m.FirmId).SingleAsync());
        Clock.Advance(TimeSpan.FromHours(1));
        return new CohortFirm(firmName, owner.Id, email, firmId, assessmentId, assessmentId);
    }

    /// <summary>A firm that names itself and shares, but has not submitted an assessment.</summary>
    public async Task<CohortFirm> AddUnsubmittedFirmAsync(string firmName, Guid shareWith)
    {
        var email = $"new.{Guid.NewGuid():N}@example.org";
        var owner = await App.CreateUserAsync(email, Password, PortalRoles.Owner);
        await App.Assessments().GetOverviewAsync(owner.Id);
        Assert.Null(await App.Assessments().SaveFirmNameAsync(owner.Id, firmName));
        await App.Services.GetRequiredService<SharingService>().ShareAsync(owner.Id, shareWith);
        var firmId = await App.QueryAsync(db => db.FirmMembers.Where(m => m.UserId == owner.Id).Select(m => m.FirmId).SingleAsync());
        return new CohortFirm(firmName, owner.Id, email, firmId, Guid.Empty, Guid.Empty);
    }

    /// <summary>The firm reassesses with another persona's answers over its last ones; returns it with its new latest assessment.</summary>
    public async Task<CohortFirm> ReassessAsync(CohortFirm firm, string personaId)
    {
        await App.Assessments().StartReassessmentAsync(firm.OwnerId);
        var latest = await App.SubmitPersonaAsync(firm.OwnerId, personaId, firm.Name);
        Assert.NotEqual(firm.LatestId, latest);
        Clock.Advance(TimeSpan.FromHours(1));
        return firm with { LatestId = latest };
    }

    /// <summary>
    /// The firm enrolled in the cohort (accepted), with its latest assessment then as the
    /// baseline unless another is given; by invitation to its owner's address, or directly.
    /// </summary>
    public async Task EnrolAsync(Guid cohortId, CohortFirm firm, bool invited, Guid? baselineId = null, string? staffId = null)
    {
        var baseline = baselineId ?? (firm.LatestId == Guid.Empty ? null : firm.LatestId);
        await App.QueryAsync(async db =>
        {
            db.Enrolments.Add(new Enrolment
            {
                CohortId = cohortId,
                InvitedEmail = invited ? firm.OwnerEmail : null,
                TokenHash = invited ? Hash(Guid.NewGuid().ToString()) : null,
                InvitedAt = invited ? Now.AddDays(-1) : null,
                InvitedById = invited ? staffId : null,
                FirmId = firm.FirmId,
                EnrolledAt = Now,
                EnrolledById = staffId,
                BaselineAssessmentId = baseline,
            });
            return await db.SaveChangesAsync();
        });
        Enrolments.Add(new EnrolmentFact(cohortId, firm, invited ? firm.OwnerEmail : null, true, true, false, baseline));
    }

    /// <summary>An invitation not yet accepted; <paramref name="accountEmail"/> is an account registered meanwhile (maybe spelt in another case).</summary>
    public async Task InviteAsync(Guid cohortId, string email, string? accountEmail = null)
    {
        if (accountEmail is not null)
        {
            await App.CreateUserAsync(accountEmail, Password, PortalRoles.Owner);
        }

        await App.QueryAsync(async db =>
        {
            db.Enrolments.Add(new Enrolment { CohortId = cohortId, InvitedEmail = email, TokenHash = Hash(email), InvitedAt = Now });
            return await db.SaveChangesAsync();
        });
        Enrolments.Add(new EnrolmentFact(cohortId, null, email, false, accountEmail is not null, false, null));
    }

    /// <summary>The firm leaves the cohort (what the enrolment pages do).</summary>
    public async Task LeaveAsync(Guid cohortId, CohortFirm firm)
    {
        await App.QueryAsync(async db =>
        {
            var enrolment = await db.Enrolments.SingleAsync(e => e.CohortId == cohortId && e.FirmId == firm.FirmId);
            enrolment.LeftAt = Now;
            return await db.SaveChangesAsync();
        });
        var index = Enrolments.FindIndex(e => e.CohortId == cohortId && e.Firm?.FirmId == firm.FirmId);
        Enrolments[index] = Enrolments[index] with { Left = true };
    }

    public Task StopSharingAsync(CohortFirm firm, Guid organisationId) =>
        App.Services.GetRequiredService<SharingService>().RevokeAsync(firm.OwnerId, organisationId);

    public async Task<T> DbAsync<T>(Func<PortalDbContext, Task<T>> query) => await App.QueryAsync(query);

    private static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    public ValueTask DisposeAsync() => App.DisposeAsync();
}
