using Portal.Tests.TestSupport;
using Portal.Web.Data;

namespace Portal.Tests.Integration.Programmes;

/// <summary>
/// One programme of North Trade with three cohorts (minimum group size 4):
/// Spring, nine firms enrolled and sharing (eight persona firms and one that has not submitted
/// yet; five reassessed, moving
/// one firm down a band and one up a stage), one that left, one that stopped sharing and one that shares
/// only with another organisation (both of those reassessed, so counting them would show),
/// and invitations still open; Summer, five firms of which two reassessed since their
/// baseline (the change is suppressed, the rest shown); Autumn, three firms (all suppressed).
/// Firm names test the exports: a comma and quotes, accents, and text a spreadsheet would run as a formula.
/// </summary>
public sealed class CohortFixture : IAsyncLifetime
{
    public const int MinGroupSize = 4;
    public const string FormulaName = "=HYPERLINK(\"https://example.org\",\"Open\")";
    public const string QuotedName = "Smith, \"Jones\" & Co";
    public const string AccentName = "Café Åland Oy";

    public CohortScenario Scenario { get; private set; } = default!;

    public Guid North { get; private set; }

    public Guid Programme { get; private set; }

    public Guid OtherProgramme { get; private set; }

    public Guid Spring { get; private set; }

    public Guid Summer { get; private set; }

    public Guid Autumn { get; private set; }

    /// <summary>Staff of the programme, of the other programme (same organisation), an owner, an advisor of North.</summary>
    public PortalUser Staff { get; private set; } = default!;

    public PortalUser OtherStaff { get; private set; } = default!;

    public PortalUser Advisor { get; private set; } = default!;

    public CohortFirm Owner => SpringVisible[0];

    /// <summary>The firms Spring's figures must count: enrolled, not left, sharing with North.</summary>
    public List<CohortFirm> SpringVisible { get; } = [];

    public CohortFirm Left { get; private set; } = default!;

    public CohortFirm Withdrawn { get; private set; } = default!;

    public CohortFirm Elsewhere { get; private set; } = default!;

    public List<CohortFirm> SummerFirms { get; } = [];

    public List<CohortFirm> AutumnFirms { get; } = [];

    public string SpringUrl => $"/programmes/{Programme}/cohorts/{Spring}";

    public string SummerUrl => $"/programmes/{Programme}/cohorts/{Summer}";

    public string AutumnUrl => $"/programmes/{Programme}/cohorts/{Autumn}";

    public async ValueTask InitializeAsync()
    {
        var s = Scenario = await CohortScenario.CreateAsync(MinGroupSize);
        North = await s.AddOrganisationAsync("North Trade");
        var south = await s.AddOrganisationAsync("South Trade");
        Programme = await s.AddProgrammeAsync(North, "Export Ready");
        OtherProgramme = await s.AddProgrammeAsync(North, "Market Explorers");
        Staff = await s.AddStaffAsync("staff@cohort.test", Programme);
        OtherStaff = await s.AddStaffAsync("other.staff@cohort.test", OtherProgramme);
        Advisor = await FirmFileSetup.AdvisorAsync(s.App, "advisor@cohort.test", North);
        await s.AddCohortAsync(OtherProgramme, "Explorers 2026");
        Spring = await s.AddCohortAsync(Programme, "Spring 2026");
        Summer = await s.AddCohortAsync(Programme, "Summer 2026");
        Autumn = await s.AddCohortAsync(Programme, "Autumn 2026");

        (string Persona, string Name, string? Reassess)[] firms =
        [
            ("lew-a", "Lew Alpha Ltd", "harris-fletcher-g"),
            ("lew-b", QuotedName, "harris-fletcher-a"),
            ("lew-c", AccentName, "harris-fletcher-i"),
            ("lew-d", FormulaName, "harris-fletcher-j"),
            ("harris-fletcher-a", "@Home Exports", null),
            ("harris-fletcher-b", "Bravo Machines", null),
            ("harris-fletcher-c", "Charlie Foods", "lew-d"),
            ("harris-fletcher-d", "+Plus Tools", null),
        ];
        var enrolled = new List<(CohortFirm Firm, string? Reassess)>();
        for (var i = 0; i < firms.Length; i++)
        {
            var firm = await s.AddPersonaFirmAsync(firms[i].Persona, firms[i].Name, North);
            await s.EnrolAsync(Spring, firm, invited: i < 5, staffId: Staff.Id);
            enrolled.Add((firm, firms[i].Reassess));
        }

        var newcomer = await s.AddUnsubmittedFirmAsync("Newcomer Ltd", North);
        await s.EnrolAsync(Spring, newcomer, invited: true, staffId: Staff.Id);

        Left = await s.AddPersonaFirmAsync("harris-fletcher-e", "Left Behind Ltd", North);
        await s.EnrolAsync(Spring, Left, invited: true, staffId: Staff.Id);
        Withdrawn = await s.AddPersonaFirmAsync("harris-fletcher-f", "Withdrawn Ltd", North);
        await s.EnrolAsync(Spring, Withdrawn, invited: true, staffId: Staff.Id);
        Elsewhere = await s.AddPersonaFirmAsync("harris-fletcher-g", "Elsewhere Ltd", south);
        await s.EnrolAsync(Spring, Elsewhere, invited: false, staffId: Staff.Id);

        await s.InviteAsync(Spring, "pending.one@cohort.test");
        await s.InviteAsync(Spring, "Pending.Two@Cohort.test", accountEmail: "pending.two@cohort.test");
        await s.InviteAsync(Spring, "pending.three@cohort.test", accountEmail: "pending.three@cohort.test");

        // Follow-ups after the baselines: five firms that count, and three that will not.
        foreach (var (firm, reassess) in enrolled)
        {
            SpringVisible.Add(reassess is null ? firm : await s.ReassessAsync(firm, reassess));
        }

        SpringVisible.Add(newcomer);
        Left = await s.ReassessAsync(Left, "lew-a");
        Withdrawn = await s.ReassessAsync(Withdrawn, "lew-b");
        Elsewhere = await s.ReassessAsync(Elsewhere, "lew-c");
        await s.LeaveAsync(Spring, Left);
        await s.StopSharingAsync(Withdrawn, North);

        // Summer: the first firm measured from its first assessment (so it has a follow-up), the others from now.
        foreach (var firm in new[] { SpringVisible[0], SpringVisible[4], SpringVisible[5], SpringVisible[6], SpringVisible[7] })
        {
            await s.EnrolAsync(Summer, firm, invited: false, baselineId: firm.FirstId, staffId: Staff.Id);
            SummerFirms.Add(firm);
        }

        foreach (var firm in new[] { SpringVisible[5], SpringVisible[6], SpringVisible[7] })
        {
            await s.EnrolAsync(Autumn, firm, invited: false, staffId: Staff.Id);
            AutumnFirms.Add(firm);
        }

        await s.InviteAsync(Autumn, "autumn.invite@cohort.test");
    }

    public async ValueTask DisposeAsync()
    {
        if (Scenario is not null)
        {
            await Scenario.DisposeAsync();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class CohortCollection : ICollectionFixture<CohortFixture>
{
    public const string Name = "Cohort dashboard scenario";
}
