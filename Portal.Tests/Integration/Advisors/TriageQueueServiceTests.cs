using Portal.Tests.TestSupport;
using Portal.Web.Data.Entities;
using Portal.Web.Features.Advisors;

namespace Portal.Tests.Integration.Advisors;

/// <summary>
/// Nine case firms and one that never submitted share with North Trade Agency; one firm shares
/// only with another organisation. Some cases are assigned, contacted or closed; the clock then
/// stands fifteen days on, so some firms are overdue. Tests only read.
/// </summary>
public sealed class QueueFixture : IAsyncLifetime
{
    public QueueScenario Scenario { get; private set; } = default!;

    public Guid North { get; private set; }

    public Guid South { get; private set; }

    public AdvisorContext Alice { get; private set; } = default!;

    public AdvisorContext Bob { get; private set; } = default!;

    public AdvisorContext Carol { get; private set; } = default!;

    public QueueFirm OtherOrganisationsFirm { get; private set; } = default!;

    /// <summary>The firms sharing with North: the queue's rows.</summary>
    public List<QueueFirm> NorthFirms { get; } = [];

    /// <summary>Case state per firm, as set up; firms not listed are new, unassigned and never contacted.</summary>
    public Dictionary<Guid, (CaseStatus Status, string? AssignedTo, DateTime? LastContactAt)> Cases { get; } = [];

    public async ValueTask InitializeAsync()
    {
        // Five a page, so ten firms make two pages.
        Scenario = await QueueScenario.CreateAsync(o => o.Settings["Advisors:QueuePageSize"] = "5");
        North = await Scenario.AddOrganisationAsync("North Trade Agency");
        South = await Scenario.AddOrganisationAsync("South Chamber of Commerce");
        Alice = (await Scenario.AddAdvisorAsync("alice@north.example", North))!;
        Bob = (await Scenario.AddAdvisorAsync("bob@north.example", North))!;
        Carol = (await Scenario.AddAdvisorAsync("carol@south.example", South))!;

        // Mixed-case names, so the search is seen to ignore case; personas chosen for ties
        // (d and i; lew-a and lew-c), both stage groups, two bands, two home countries.
        (string Persona, string Name)[] firms =
        [
            ("lew-a", "Zhejiang Valves Ltd"),
            ("harris-fletcher-d", "Alloy Works LTD"),
            ("harris-fletcher-h", "Optical Diagnostics"),
            ("harris-fletcher-c", "smart garments ltd"),
            ("harris-fletcher-a", "Campus Abroad"),
            ("harris-fletcher-i", "Digital Media Lab"),
            ("lew-c", "Candle Makers Co"),
            ("harris-fletcher-f", "North Sea Energy"),
            ("harris-fletcher-g", "Fashion Franchise Ltd"),
        ];
        foreach (var (persona, name) in firms)
        {
            NorthFirms.Add(await Scenario.AddPersonaFirmAsync(persona, name, North));
        }

        OtherOrganisationsFirm = await Scenario.AddPersonaFirmAsync("lew-b", "Wenzhou Shoes", South);
        Scenario.Clock.Advance(TimeSpan.FromDays(3));
        NorthFirms.Add(await Scenario.AddUnsubmittedFirmAsync("Not Yet Submitted Ltd", North));

        var t0 = QueueScenario.Start.UtcDateTime;
        await SetAsync(NorthFirms[1], CaseStatus.Contacted, Alice.UserId, t0.AddDays(8));
        await SetAsync(NorthFirms[2], CaseStatus.InSupport, Bob.UserId, t0.AddDays(1));
        await SetAsync(NorthFirms[3], CaseStatus.Closed, Alice.UserId, null);
        await SetAsync(NorthFirms[5], CaseStatus.New, Alice.UserId, null);

        Scenario.Clock.SetUtcNow(QueueScenario.Start.AddDays(15).AddHours(1));
    }

    private async Task SetAsync(QueueFirm firm, CaseStatus status, string? assignedTo, DateTime? lastContactAt)
    {
        await Scenario.SetCaseAsync(firm, North, status, assignedTo, lastContactAt);
        Cases[firm.FirmId] = (status, assignedTo, lastContactAt);
    }

    public (CaseStatus Status, string? AssignedTo, DateTime? LastContactAt) CaseOf(QueueFirm firm) =>
        Cases.TryGetValue(firm.FirmId, out var state) ? state : (CaseStatus.New, null, null);

    /// <summary>Overdue as the issue defines it: no contact for more than the configured 14 days since sharing or the last contact; a closed case is not waiting for a call.</summary>
    public bool IsOverdue(QueueFirm firm)
    {
        var (status, _, contact) = CaseOf(firm);
        var since = contact is { } c && c > firm.SharedAt ? c : firm.SharedAt;
        return status != CaseStatus.Closed && Scenario.Now - since > TimeSpan.FromDays(14);
    }

    public ValueTask DisposeAsync() => Scenario.DisposeAsync();
}

/// <summary>The service and page tests read the same scenario, built once.</summary>
[CollectionDefinition(Name)]
public sealed class QueueCollection : ICollectionFixture<QueueFixture>
{
    public const string Name = "Triage queue scenario";
}

[Collection(QueueCollection.Name)]
public sealed class TriageQueueServiceTests(QueueFixture fixture)
{
    private QueueScenario Scenario => fixture.Scenario;

    [Fact]
    public async Task Queue_IsRankedByTriagePriority_OlderSubmissionFirstOnATie_FirmsWithoutAssessmentLast()
    {
        var rows = await Scenario.AllRowsAsync(fixture.Alice, new QueueFilter());

        var expected = QueueScenario.ExpectedOrder(fixture.NorthFirms).Select(f => f.Name).ToList();
        Assert.Equal(expected, rows.Select(r => r.FirmName).ToList());
        // The scenario has ties to break and more than one priority, or the test would show little.
        var priorities = fixture.NorthFirms.Where(f => f.Expected is not null).Select(f => f.Expected!.TriagePriority).ToList();
        Assert.True(priorities.Distinct().Count() < priorities.Count, "no tie in the scenario");
        Assert.True(priorities.Distinct().Count() > 3);
        Assert.Equal(fixture.NorthFirms.Where(f => f.Expected is not null).Select(f => (f.Name, (int?)f.Expected!.TriagePriority)).OrderBy(x => x.Name),
            rows.Where(r => r.HasAssessment).Select(r => (r.FirmName, r.TriagePriority)).OrderBy(x => x.FirmName));
        Assert.False(rows[^1].HasAssessment);
    }

    [Fact]
    public async Task Rows_ShowTheLatestResult_TheCase_AndAgesInDays()
    {
        var rows = await Scenario.AllRowsAsync(fixture.Alice, new QueueFilter());

        foreach (var firm in fixture.NorthFirms)
        {
            var row = rows.Single(r => r.FirmId == firm.FirmId);
            var (status, assigned, contact) = fixture.CaseOf(firm);
            Assert.Equal(status, row.Status);
            Assert.Equal(assigned == fixture.Alice.UserId, row.AssignedToMe);
            Assert.Equal(assigned is null ? null : assigned == fixture.Alice.UserId ? fixture.Alice.Email : fixture.Bob.Email, row.AssignedAdvisorEmail);
            Assert.Equal(contact is { } c ? (int)(Scenario.Now - c).TotalDays : null, row.DaysSinceContact);
            Assert.Equal(fixture.IsOverdue(firm), row.Overdue);
            if (firm.Expected is { } expected)
            {
                Assert.Equal(expected.Overall.Band?.Name, row.BandName);
                Assert.Equal(expected.Stage.Name, row.StageName);
                Assert.Equal(expected.Flags.Select(f => f.Name).Order(), row.Flags.Select(f => f.Name).Order());
                Assert.Equal((int)(Scenario.Now - firm.SubmittedAt!.Value).TotalDays, row.DaysSinceSubmission);
                Assert.Equal(firm.HomeCountry is { } home ? Portal.Domain.Questionnaires.Countries.Names[home] : null, row.HomeCountry);
            }
            else
            {
                Assert.Null(row.DaysSinceSubmission);
                Assert.Empty(row.Flags);
            }
        }

        Assert.Contains(rows, r => r.Overdue);
        Assert.Contains(rows, r => !r.Overdue);
    }

    public static TheoryData<string> Filters => ["stage group", "stage", "band", "flags", "sector", "home country", "status", "assigned", "unassigned", "mine", "overdue", "search", "sector and home country"];

    [Theory]
    [MemberData(nameof(Filters))]
    public async Task EachFilter_ReturnsExactlyTheFirmsItDescribes(string name)
    {
        var sample = fixture.NorthFirms.Where(f => f.Expected is not null).ToList();
        var (filter, expected) = name switch
        {
            "stage group" => Case(new QueueFilter { Stage = QueueFilter.GroupPrefix + "potential-exporter" }, f => f.Expected?.Stage.Group == "potential-exporter"),
            "stage" => Case(new QueueFilter { Stage = sample[2].Expected!.Stage.Id }, f => f.Expected?.Stage.Id == sample[2].Expected!.Stage.Id),
            "band" => Case(new QueueFilter { Band = "developing" }, f => f.Expected?.Overall.Band?.Id == "developing"),
            "flags" => Case(new QueueFilter { Flags = ["ceo-only-knowledge", "underperforming-abroad"] },
                f => f.Expected?.Flags.Any(x => x.Id is "ceo-only-knowledge" or "underperforming-abroad") == true),
            "sector" => Case(new QueueFilter { Sector = "manufacturing" }, f => f.Sector == "manufacturing"),
            "home country" => Case(new QueueFilter { HomeCountry = "CN" }, f => f.HomeCountry == "CN"),
            "status" => Case(new QueueFilter { Status = CaseStatus.Contacted }, f => fixture.CaseOf(f).Status == CaseStatus.Contacted),
            "assigned" => Case(new QueueFilter { AssignedTo = fixture.Bob.UserId }, f => fixture.CaseOf(f).AssignedTo == fixture.Bob.UserId),
            "unassigned" => Case(new QueueFilter { AssignedTo = QueueFilter.Unassigned }, f => fixture.CaseOf(f).AssignedTo is null),
            "mine" => Case(new QueueFilter { Mine = true }, f => fixture.CaseOf(f).AssignedTo == fixture.Alice.UserId),
            "overdue" => Case(new QueueFilter { OverdueOnly = true }, fixture.IsOverdue),
            "search" => Case(new QueueFilter { Search = " LTD " }, f => f.Name.Contains("ltd", StringComparison.OrdinalIgnoreCase)),
            "sector and home country" => Case(new QueueFilter { Sector = "manufacturing", HomeCountry = "GB" }, f => f.Sector == "manufacturing" && f.HomeCountry == "GB"),
            _ => throw new ArgumentOutOfRangeException(nameof(name)),
        };

        var rows = await Scenario.AllRowsAsync(fixture.Alice, filter);

        // A filter that keeps every firm or none would prove nothing.
        Assert.NotEmpty(expected);
        Assert.True(expected.Count < fixture.NorthFirms.Count, $"{name} keeps every firm");
        Assert.Equal(QueueScenario.ExpectedOrder(expected).Select(f => f.Name), rows.Select(r => r.FirmName));
        Assert.Empty(await Scenario.Queue.CheckAsync(fixture.Alice, filter));
    }

    private (QueueFilter, List<QueueFirm>) Case(QueueFilter filter, Func<QueueFirm, bool> keeps) => (filter, fixture.NorthFirms.Where(keeps).ToList());

    [Fact]
    public async Task Paging_ReturnsTheRightSlices_AndTotals()
    {
        var expected = QueueScenario.ExpectedOrder(fixture.NorthFirms).Select(f => f.Name).ToList();

        var first = await Scenario.Queue.ListAsync(fixture.Alice, new QueueFilter { Page = 1 });
        var second = await Scenario.Queue.ListAsync(fixture.Alice, new QueueFilter { Page = 2 });
        var beyond = await Scenario.Queue.ListAsync(fixture.Alice, new QueueFilter { Page = 99 });

        Assert.Equal(5, first.PageSize);
        Assert.Equal(expected.Count, first.Total);
        Assert.Equal(expected.Count, first.SharingTotal);
        Assert.Equal((expected.Count + 4) / 5, first.PageCount);
        Assert.Equal(expected.Take(5), first.Rows.Select(r => r.FirmName));
        Assert.Equal(expected.Skip(5).Take(5), second.Rows.Select(r => r.FirmName));
        Assert.Equal((1, 5, 6, 10), (first.First, first.Last, second.First, second.Last));
        Assert.Equal(first.PageCount, beyond.Page); // a page past the end shows the last one
    }

    [Fact]
    public async Task Paging_OfAFilteredQueue_CountsTheFilteredFirms()
    {
        var overdue = fixture.NorthFirms.Where(fixture.IsOverdue).ToList();

        var page = await Scenario.Queue.ListAsync(fixture.Alice, new QueueFilter { OverdueOnly = true });

        Assert.Equal(overdue.Count, page.Total);
        Assert.Equal(fixture.NorthFirms.Count, page.SharingTotal);
        Assert.Equal(Math.Max(1, (overdue.Count + 4) / 5), page.PageCount);
    }

    [Theory]
    [InlineData(QueueSort.Newest)]
    [InlineData(QueueSort.Name)]
    [InlineData(QueueSort.LongestWithoutContact)]
    public async Task OtherSortOrders_FollowTheirRule(QueueSort sort)
    {
        IEnumerable<QueueFirm> expected = sort switch
        {
            QueueSort.Newest => fixture.NorthFirms.OrderBy(f => f.SubmittedAt is null).ThenByDescending(f => f.SubmittedAt),
            QueueSort.Name => fixture.NorthFirms.OrderBy(f => f.Name, StringComparer.OrdinalIgnoreCase),
            _ => fixture.NorthFirms.OrderBy(f => fixture.CaseOf(f).LastContactAt is { } c && c > f.SharedAt ? c : f.SharedAt),
        };

        var rows = await Scenario.AllRowsAsync(fixture.Alice, new QueueFilter { Sort = sort });

        Assert.Equal(expected.Select(f => f.Name), rows.Select(r => r.FirmName));
    }

    [Fact]
    public async Task AnAdvisorOfAnotherOrganisation_SeesOnlyTheFirmsSharingWithTheirs()
    {
        var rows = await Scenario.AllRowsAsync(fixture.Carol, new QueueFilter());
        var searched = await Scenario.AllRowsAsync(fixture.Carol, new QueueFilter { Search = fixture.NorthFirms[0].Name });
        var withdrawn = await Scenario.Queue.ListWithdrawnAsync(fixture.Carol, 1);

        Assert.Equal([fixture.OtherOrganisationsFirm.Name], rows.Select(r => r.FirmName));
        Assert.Empty(searched);
        Assert.Equal(0, withdrawn.Total);
        Assert.DoesNotContain(fixture.OtherOrganisationsFirm.Name, (await Scenario.AllRowsAsync(fixture.Alice, new QueueFilter())).Select(r => r.FirmName));
    }

    [Fact]
    public async Task FilterChoices_OfferTheOrganisationsAdvisors_AndTheHomeCountriesOfItsFirms()
    {
        var page = await Scenario.Queue.ListAsync(fixture.Alice, new QueueFilter());

        Assert.Equal([fixture.Alice.Email, fixture.Bob.Email], page.Advisors.Select(a => a.Label));
        var homes = fixture.NorthFirms.Select(f => f.HomeCountry).OfType<string>().Distinct().Order();
        Assert.Equal(homes, page.HomeCountries.Select(c => c.Value).Order());
        Assert.Contains(page.HomeCountries, c => c.Label == "United Kingdom");
    }

    [Fact]
    public async Task UnknownFilterValues_AreNamed_NotSilentlyIgnored()
    {
        var problems = await Scenario.Queue.CheckAsync(fixture.Alice, new QueueFilter
        {
            Stage = "group:nowhere",
            Band = "legendary",
            Flags = ["dont-know-answers", "not-a-flag"],
            Sector = "piracy",
            HomeCountry = "XX",
            AssignedTo = fixture.Carol.UserId, // an advisor, but of another organisation
            Search = new string('a', QueueFilter.MaxSearch + 1),
        });

        Assert.Equal(["assigned", "band", "flag", "home", "q", "sector", "stage"], problems.Keys.Order());
        Assert.Contains("not-a-flag", problems["flag"], StringComparison.Ordinal);
    }
}
