using System.Globalization;
using Microsoft.AspNetCore.Identity;
using Portal.Web.Data;
using Portal.Web.Data.Entities;

namespace Portal.Web.Features.SyntheticData;

/// <summary>An organisation of the synthetic data, with its advisors and its programme's cohorts.</summary>
internal sealed record SyntheticOrganisation(Organisation Organisation, IReadOnlyList<PortalUser> Advisors, IReadOnlyList<SyntheticCohort> Cohorts, double ShareRate, double EnrolRate);

internal sealed record SyntheticCohort(Cohort Cohort, string StaffId, DateTime StartsAt, DateTime EndsAt);

/// <summary>
/// What the firms are spread over, made before them: a national agency most firms share with,
/// running a programme with a cohort a year; regional chambers, one per thousand firms, each
/// with a smaller programme; their advisors and programme staff; and invitations nobody has
/// answered yet. Sizes follow the number of firms, so a small run is a small world.
/// </summary>
internal sealed class SyntheticWorld
{
    public const string EmailDomain = "synthetic.test";
    public const string NationalAgency = "Synthetic National Export Agency";

    public const double NationalShareRate = 0.6;
    public const double RegionalShareRate = 0.45;

    public List<Organisation> Organisations { get; } = [];

    public List<PortalUser> Users { get; } = [];

    public List<IdentityUserRole<string>> UserRoles { get; } = [];

    public List<OrganisationMember> Members { get; } = [];

    public List<Programme> Programmes { get; } = [];

    public List<ProgrammeStaffMember> Staff { get; } = [];

    public List<Cohort> Cohorts { get; } = [];

    /// <summary>Invitations sent and not yet answered: no firm, no account.</summary>
    public List<Enrolment> OpenInvitations { get; } = [];

    public SyntheticOrganisation National { get; }

    public IReadOnlyList<SyntheticOrganisation> Regional { get; }

    public SyntheticWorld(SyntheticContext context, int firms, Random random)
    {
        var anchor = context.Anchor;
        var regions = Math.Clamp((int)Math.Ceiling(firms / 1000.0), 1, SyntheticNames.Regions.Length);

        // The national programme takes a new cohort every year; the last three run or ran.
        var national = NewOrganisation(context, NationalAgency, "The national agency for export promotion (synthetic data).", anchor.AddYears(-4), random);
        var nationalProgramme = NewProgramme(context, national, "National Export Accelerator", anchor.AddYears(-3).AddDays(-60), random);
        var nationalStaff = Enumerable.Range(0, 2).Select(_ => NewStaff(context, nationalProgramme, random)).ToList();
        var nationalCohorts = new List<SyntheticCohort>();
        for (var year = 2; year >= 0; year--)
        {
            var starts = new DateOnly(anchor.Year, anchor.Month, 1).AddMonths(-1).AddYears(-year);
            nationalCohorts.Add(NewCohort(context, nationalProgramme, $"Intake {starts.ToString("MMMM yyyy", CultureInfo.InvariantCulture)}", starts, nationalStaff[year % 2].Id, random));
        }

        National = new SyntheticOrganisation(national, NewAdvisors(context, national, firms * NationalShareRate, 30, random), nationalCohorts, NationalShareRate, 0.7);

        var regional = new List<SyntheticOrganisation>();
        foreach (var region in SyntheticNames.Regions.Take(regions))
        {
            var organisation = NewOrganisation(context, $"Synthetic {region} Chamber of Commerce", $"Trade advice for firms in {region} (synthetic data).", anchor.AddYears(-4).AddDays(random.Next(0, 365)), random);
            var programme = NewProgramme(context, organisation, $"{region} Export Ready", anchor.AddYears(-1).AddDays(-random.Next(0, 120)), random);
            var staff = NewStaff(context, programme, random);
            var starts = new DateOnly(anchor.Year, anchor.Month, 1).AddMonths(-random.Next(2, 10));
            var cohort = NewCohort(context, programme, $"{region} {starts.ToString("yyyy", CultureInfo.InvariantCulture)}", starts, staff.Id, random);
            regional.Add(new SyntheticOrganisation(organisation, NewAdvisors(context, organisation, firms * RegionalShareRate / regions, 10, random), [cohort], RegionalShareRate, 0.5));
        }

        Regional = regional;

        // About one invitation in twenty is still open when the data is made.
        foreach (var (organisation, cohort) in regional.Prepend(National).SelectMany(o => o.Cohorts.Select(c => (o, c))))
        {
            var expected = firms * organisation.ShareRate * organisation.EnrolRate / organisation.Cohorts.Count / (organisation == National ? 1 : regions);
            for (var i = 0; i < Math.Max(1, (int)Math.Round(expected * 0.05)); i++)
            {
                var invitedAt = Between(cohort.StartsAt, Min(cohort.EndsAt, anchor), random);
                OpenInvitations.Add(new Enrolment
                {
                    Id = context.Guid(random),
                    CohortId = cohort.Cohort.Id,
                    InvitedEmail = context.Email($"invitee{OpenInvitations.Count + 1:D5}"),
                    TokenHash = context.TokenHash(random),
                    InvitedAt = invitedAt,
                    InvitedById = cohort.StaffId,
                });
            }
        }
    }

    public IEnumerable<SyntheticOrganisation> All => Regional.Prepend(National);

    private Organisation NewOrganisation(SyntheticContext context, string name, string description, DateTime createdAt, Random random)
    {
        var organisation = new Organisation { Id = context.Guid(random), Name = context.Named(name), Description = description, CreatedAt = createdAt };
        Organisations.Add(organisation);
        return organisation;
    }

    private Programme NewProgramme(SyntheticContext context, Organisation organisation, string name, DateTime createdAt, Random random)
    {
        var programme = new Programme
        {
            Id = context.Guid(random),
            OrganisationId = organisation.Id,
            Name = name,
            Description = "Coaching, workshops and trade missions for firms starting or growing their exports (synthetic data).",
            CreatedAt = createdAt,
        };
        Programmes.Add(programme);
        return programme;
    }

    private PortalUser NewStaff(SyntheticContext context, Programme programme, Random random)
    {
        var user = NewUser(context, $"staff{Staff.Count + 1:D3}", context.StaffRoleId, random);
        Staff.Add(new ProgrammeStaffMember { ProgrammeId = programme.Id, UserId = user.Id, AddedAt = programme.CreatedAt });
        return user;
    }

    private SyntheticCohort NewCohort(SyntheticContext context, Programme programme, string name, DateOnly startsOn, string staffId, Random random)
    {
        var cohort = new Cohort
        {
            Id = context.Guid(random),
            ProgrammeId = programme.Id,
            Name = name,
            StartsOn = startsOn,
            EndsOn = startsOn.AddYears(1).AddDays(-1),
            CreatedAt = Min(programme.CreatedAt.AddDays(30), startsOn.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc).AddDays(-30)),
        };
        Cohorts.Add(cohort);
        return new SyntheticCohort(cohort, staffId, cohort.StartsOn.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc), cohort.EndsOn.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc));
    }

    /// <summary>An advisor for every 200 or so firms sharing with the organisation, at least two.</summary>
    private List<PortalUser> NewAdvisors(SyntheticContext context, Organisation organisation, double sharing, int most, Random random)
    {
        var advisors = new List<PortalUser>();
        for (var i = 0; i < Math.Clamp((int)Math.Round(sharing / 200), 2, most); i++)
        {
            var user = NewUser(context, $"advisor{Members.Count + 1:D3}", context.AdvisorRoleId, random);
            Members.Add(new OrganisationMember { UserId = user.Id, OrganisationId = organisation.Id, JoinedAt = organisation.CreatedAt.AddDays(random.Next(0, 90)) });
            advisors.Add(user);
        }

        return advisors;
    }

    private PortalUser NewUser(SyntheticContext context, string name, string roleId, Random random)
    {
        var user = context.NewUser(name, random);
        Users.Add(user);
        UserRoles.Add(new IdentityUserRole<string> { UserId = user.Id, RoleId = roleId });
        return user;
    }

    public static DateTime Min(DateTime a, DateTime b) => a < b ? a : b;

    public static DateTime Max(DateTime a, DateTime b) => a > b ? a : b;

    /// <summary>A time between the two, in office hours.</summary>
    public static DateTime Between(DateTime from, DateTime to, Random random)
    {
        var days = Math.Max(0, (int)(to.Date - from.Date).TotalDays);
        var day = from.Date.AddDays(random.Next(0, days + 1));
        var at = day.AddMinutes(random.Next(8 * 60, 18 * 60));
        return at < from ? from : at > to ? to : at;
    }
}
