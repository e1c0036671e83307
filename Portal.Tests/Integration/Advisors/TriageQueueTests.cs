using System.Globalization;
using System.Net;
using AngleSharp.Html.Dom;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Tests.TestSupport;
using Portal.Web.Data.Entities;
using Portal.Web.Features.Accounts;
using Portal.Web.Features.Advisors;
using Portal.Web.Features.Sharing;

namespace Portal.Tests.Integration.Advisors;

/// <summary>
/// The queue page as an advisor's browser gets it: order, filters in the query string, paging
/// links, who may see it; and what changes when the clock moves or a firm withdraws.
/// </summary>
[Collection(QueueCollection.Name)]
public sealed class TriageQueueTests(QueueFixture fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private QueueScenario Scenario => fixture.Scenario;

    [Fact]
    public async Task Advisor_SeesTheQueueInPriorityOrder_EachFirmLinkedToItsFile()
    {
        var client = await Scenario.App.SignedInClientAsync(fixture.Alice.Email, QueueScenario.Password);

        var document = await client.GetDocumentAsync("/advisor");

        var expected = QueueScenario.ExpectedOrder(fixture.NorthFirms).Take(5).ToList();
        Assert.Equal(expected.Select(f => f.Name), Rows(document));
        foreach (var firm in expected)
        {
            Assert.NotNull(document.QuerySelector($"tr[data-firm='{firm.Name}'] a[href='advisor/firms/{firm.FirmId}']"));
        }

        Assert.Contains($"Showing 1 to 5 of {fixture.NorthFirms.Count} firms", document.QuerySelector("[data-testid=queue-count]")!.TextContent, StringComparison.Ordinal);
        Assert.Equal("Triage queue", document.QuerySelector("nav.portal-nav a[href='advisor']")?.TextContent.Trim());
    }

    [Fact]
    public async Task Filters_InTheQueryString_ShowOnlyTheMatchingFirms_AndStayChosenInTheForm()
    {
        var client = await Scenario.App.SignedInClientAsync(fixture.Alice.Email, QueueScenario.Password);
        string[] flags = ["ceo-only-knowledge", "no-finance-plan"];

        var document = await client.GetDocumentAsync($"/advisor?flag={flags[0]}&flag={flags[1]}&stage=group:exporter&sort=priority");

        var expected = fixture.NorthFirms.Where(f => f.Expected is { } e && e.Stage.Group == "exporter" && e.Flags.Any(x => flags.Contains(x.Id)));
        Assert.Equal(QueueScenario.ExpectedOrder(expected).Select(f => f.Name), Rows(document));
        Assert.NotEmpty(Rows(document));
        Assert.True(((IHtmlInputElement)document.QuerySelector("#flag-ceo-only-knowledge")!).IsChecked);
        Assert.True(((IHtmlInputElement)document.QuerySelector("#flag-no-finance-plan")!).IsChecked);
        Assert.False(((IHtmlInputElement)document.QuerySelector("#flag-dont-know-answers")!).IsChecked);
        Assert.Equal("group:exporter", ((IHtmlSelectElement)document.QuerySelector("#filter-stage")!).Value);
    }

    [Fact]
    public async Task Mine_AndSearch_FromTheQueryString()
    {
        var client = await Scenario.App.SignedInClientAsync(fixture.Alice.Email, QueueScenario.Password);

        var mine = await client.GetDocumentAsync("/advisor?mine=true");
        var searched = await client.GetDocumentAsync("/advisor?q=ltd");

        Assert.Equal(QueueScenario.ExpectedOrder(fixture.NorthFirms.Where(f => fixture.CaseOf(f).AssignedTo == fixture.Alice.UserId)).Select(f => f.Name), Rows(mine));
        Assert.All(mine.QuerySelectorAll("tbody tr"), row => Assert.Contains("Assigned to you", row.TextContent, StringComparison.Ordinal));
        var ltd = QueueScenario.ExpectedOrder(fixture.NorthFirms.Where(f => f.Name.Contains("ltd", StringComparison.OrdinalIgnoreCase))).Select(f => f.Name).ToList();
        Assert.Equal(ltd.Take(5), Rows(searched));
        Assert.Contains($"of {ltd.Count} firms matching the filters", searched.QuerySelector("[data-testid=queue-count]")!.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PagingLinks_KeepTheFilters_AndLeadToTheNextSlice()
    {
        var client = await Scenario.App.SignedInClientAsync(fixture.Alice.Email, QueueScenario.Password);
        var expected = QueueScenario.ExpectedOrder(fixture.NorthFirms.Where(f => f.Expected is not null && f.HomeCountry == "GB")).Select(f => f.Name).ToList();
        Assert.True(expected.Count > 5, "the filter must leave more than a page");

        var first = await client.GetDocumentAsync("/advisor?home=GB&sort=priority");
        var next = first.QuerySelector("nav a[rel=next]")!.GetAttribute("href")!;
        var second = await client.GetDocumentAsync("/" + next);

        Assert.Equal("advisor?home=GB&sort=priority&page=2", next);
        Assert.Equal(expected.Take(5), Rows(first));
        Assert.Equal(expected.Skip(5), Rows(second));
        Assert.NotNull(second.QuerySelector("nav a[rel=prev]"));
    }

    [Fact]
    public async Task UnknownFilterValue_IsNamedBesideItsField_AndTheOtherFiltersStillApply()
    {
        var client = await Scenario.App.SignedInClientAsync(fixture.Alice.Email, QueueScenario.Password);

        var document = await client.GetDocumentAsync("/advisor?band=legendary&sector=manufacturing");

        Assert.Contains("Choose a band from the list", document.QuerySelector(".error-summary")!.TextContent, StringComparison.Ordinal);
        Assert.Equal("advisor#filter-band", document.QuerySelector(".error-summary a")!.GetAttribute("href"));
        Assert.Contains("Choose a band from the list", document.QuerySelector("#error-band")!.TextContent, StringComparison.Ordinal);
        Assert.Equal("true", document.QuerySelector("#filter-band")!.GetAttribute("aria-invalid"));
        Assert.Equal("manufacturing", ((IHtmlSelectElement)document.QuerySelector("#filter-sector")!).Value);
        Assert.Equal(QueueScenario.ExpectedOrder(fixture.NorthFirms.Where(f => f.Sector == "manufacturing")).Select(f => f.Name), Rows(document));
    }

    [Fact]
    public async Task AnAdvisorOfAnotherOrganisation_NeverSeesTheseFirms()
    {
        var client = await Scenario.App.SignedInClientAsync(fixture.Carol.Email, QueueScenario.Password);

        var queue = await client.GetStringAsync("/advisor", Ct);
        var searched = await client.GetDocumentAsync($"/advisor?q={Uri.EscapeDataString(fixture.NorthFirms[0].Name)}");
        var withdrawn = await client.GetStringAsync("/advisor/withdrawn", Ct);

        Assert.Equal([fixture.OtherOrganisationsFirm.Name], Rows(await client.GetDocumentAsync("/advisor")));
        foreach (var firm in fixture.NorthFirms)
        {
            Assert.DoesNotContain(firm.Name, queue + withdrawn, StringComparison.Ordinal);
        }

        // The name searched for is in the search box, and nowhere else.
        Assert.Empty(Rows(searched));
        Assert.Contains("No firm matches these filters.", searched.QuerySelector("[data-testid=queue-empty]")!.TextContent, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/advisor")]
    [InlineData("/advisor/withdrawn")]
    public async Task Owner_Gets403(string path)
    {
        var owner = fixture.NorthFirms[0];
        var email = await Scenario.App.QueryAsync(db => db.Users.Where(u => u.Id == owner.OwnerId).Select(u => u.Email!).SingleAsync());
        var client = await Scenario.App.SignedInClientAsync(email, QueueScenario.Password);

        var response = await client.GetAsync(path, Ct);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("You do not have access to this page", await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/advisor")]
    [InlineData("/advisor/withdrawn")]
    public async Task Anonymous_IsSentToSignIn(string path)
    {
        var response = await Scenario.App.CreateBrowserlikeClient().GetAsync(path, Ct);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Contains("/Account/Login", response.Headers.Location!.ToString(), StringComparison.Ordinal);
        Assert.Contains($"ReturnUrl={Uri.EscapeDataString(path)}", response.Headers.Location!.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/advisor")]
    [InlineData("/advisor/withdrawn")]
    public async Task AdvisorWithoutOrganisation_IsToldAnAdminMustAddThem(string path)
    {
        var email = $"dave{path.Replace('/', '.')}@nowhere.example";
        Assert.Null(await Scenario.AddAdvisorAsync(email, null));
        var client = await Scenario.App.SignedInClientAsync(email, QueueScenario.Password);

        var response = await client.GetAsync(path, Ct);
        var page = await response.Content.ReadAsStringAsync(Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("You are not a member of an advisor organisation yet.", page, StringComparison.Ordinal);
        Assert.Contains("Admin", page, StringComparison.Ordinal);
        Assert.All(fixture.NorthFirms, f => Assert.DoesNotContain(f.Name, page, StringComparison.Ordinal));
    }

    [Fact]
    public async Task OverdueMarker_MovesWithTheClock_AndAContactResetsIt()
    {
        await using var scenario = await QueueScenario.CreateAsync();
        var organisation = await scenario.AddOrganisationAsync("Trade Agency");
        var advisor = (await scenario.AddAdvisorAsync("advisor@agency.example", organisation))!;
        var called = await scenario.AddPersonaFirmAsync("harris-fletcher-h", "Optical Diagnostics", organisation);
        var waiting = await scenario.AddPersonaFirmAsync("lew-c", "Candle Makers Co", organisation);
        var overdueAfter = TimeSpan.FromDays(14); // Advisors:OverdueAfterDays in appsettings.json

        // Signed in afresh at each time: the sign-in cookie lives by the same clock.
        async Task<Dictionary<string, bool>> OverdueAsync()
        {
            var client = await scenario.App.SignedInClientAsync(advisor.Email, QueueScenario.Password);
            var document = await client.GetDocumentAsync("/advisor");
            return document.QuerySelectorAll("tbody tr").ToDictionary(r => r.GetAttribute("data-firm")!, r => r.GetAttribute("data-overdue") == "true");
        }

        var atStart = await OverdueAsync();
        scenario.Clock.SetUtcNow(new DateTimeOffset(waiting.SharedAt, TimeSpan.Zero) + overdueAfter - TimeSpan.FromMinutes(1));
        var justBefore = await OverdueAsync();
        scenario.Clock.Advance(TimeSpan.FromMinutes(2));
        var justAfter = await OverdueAsync();
        await scenario.SetCaseAsync(called, organisation, CaseStatus.Contacted, null, scenario.Now);
        var afterTheCall = await OverdueAsync();
        scenario.Clock.Advance(overdueAfter + TimeSpan.FromMinutes(1));
        var longAfterTheCall = await OverdueAsync();

        Assert.Equal([false, false], atStart.Values);
        Assert.False(justBefore[waiting.Name]);
        Assert.True(justBefore[called.Name]); // shared an hour earlier
        Assert.Equal([true, true], justAfter.Values);
        Assert.False(afterTheCall[called.Name]);
        Assert.True(afterTheCall[waiting.Name]);
        Assert.Equal([true, true], longAfterTheCall.Values);
        var page = await (await scenario.App.SignedInClientAsync(advisor.Email, QueueScenario.Password)).GetStringAsync("/advisor", Ct);
        Assert.Contains("Overdue", page, StringComparison.Ordinal); // in words, not only colour
    }

    [Fact]
    public async Task OverdueMarker_FollowsTheConfiguredNumberOfDays()
    {
        await using var scenario = await QueueScenario.CreateAsync(o => o.Settings["Advisors:OverdueAfterDays"] = "3");
        var organisation = await scenario.AddOrganisationAsync("Trade Agency");
        var advisor = (await scenario.AddAdvisorAsync("advisor@agency.example", organisation))!;
        var firm = await scenario.AddPersonaFirmAsync("lew-c", "Candle Makers Co", organisation);

        scenario.Clock.SetUtcNow(new DateTimeOffset(firm.SharedAt, TimeSpan.Zero) + TimeSpan.FromDays(3) + TimeSpan.FromMinutes(1));
        var client = await scenario.App.SignedInClientAsync(advisor.Email, QueueScenario.Password);
        var document = await client.GetDocumentAsync("/advisor");

        Assert.Equal("true", document.QuerySelector($"tr[data-firm='{firm.Name}']")!.GetAttribute("data-overdue"));
        Assert.Contains("no contact for more than 3 days", document.QuerySelector("label[for=filter-overdue]")!.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AFirmThatRevokesConsent_LeavesTheQueueAtOnce_AndItsNotesStayUnderWithdrawn()
    {
        await using var scenario = await QueueScenario.CreateAsync();
        var organisation = await scenario.AddOrganisationAsync("Trade Agency");
        var advisor = (await scenario.AddAdvisorAsync("advisor@agency.example", organisation))!;
        var leaving = await scenario.AddPersonaFirmAsync("harris-fletcher-f", "North Sea Energy", organisation);
        var staying = await scenario.AddPersonaFirmAsync("lew-c", "Candle Makers Co", organisation);
        await scenario.AddNoteAsync(leaving, organisation, advisor.UserId, "Called the finance director about the Norway tender.");
        await scenario.SetCaseAsync(leaving, organisation, CaseStatus.Contacted, advisor.UserId, scenario.Now);
        var client = await scenario.App.SignedInClientAsync(advisor.Email, QueueScenario.Password);
        Assert.Equal(2, Rows(await client.GetDocumentAsync("/advisor")).Count);

        scenario.Clock.Advance(TimeSpan.FromDays(2));
        await scenario.App.Services.GetRequiredService<SharingService>().RevokeAsync(leaving.OwnerId, organisation);
        var queue = await client.GetDocumentAsync("/advisor");
        var withdrawn = await client.GetDocumentAsync("/advisor/withdrawn");

        Assert.Equal([staying.Name], Rows(queue));
        Assert.NotNull(queue.QuerySelector("a[href='advisor/withdrawn']"));
        var section = withdrawn.QuerySelector($"section[data-firm='{leaving.Name}']")!;
        Assert.Contains($"This firm withdrew its consent on {scenario.Now.ToString("d MMMM yyyy", CultureInfo.InvariantCulture)}.", section.TextContent, StringComparison.Ordinal);
        Assert.Contains("Called the finance director about the Norway tender.", section.TextContent, StringComparison.Ordinal);
        Assert.Contains(advisor.Email, section.TextContent, StringComparison.Ordinal);
        Assert.Single(withdrawn.QuerySelectorAll("section[data-firm]"));
        // Nothing else of the firm: not its results, not its profile, no link to its file.
        Assert.DoesNotContain("Energy, oil and gas", withdrawn.Body!.TextContent, StringComparison.Ordinal);
        Assert.DoesNotContain(leaving.Expected!.Stage.Name, withdrawn.Body!.TextContent, StringComparison.Ordinal);
        Assert.Null(withdrawn.QuerySelector($"a[href*='{leaving.FirmId}']"));
        Assert.Empty(await scenario.AllRowsAsync(advisor, new QueueFilter { Search = leaving.Name }));
    }

    private static List<string> Rows(IHtmlDocument document) =>
        document.QuerySelectorAll("table.queue-table tbody tr").Select(r => r.GetAttribute("data-firm")!).ToList();
}
