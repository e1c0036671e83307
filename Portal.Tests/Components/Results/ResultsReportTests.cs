using Bunit;
using Microsoft.Extensions.DependencyInjection;
using Portal.Domain.Content;
using Portal.Domain.Scoring;
using Portal.Tests.TestSupport;
using Portal.Web.Data.Entities;
using Portal.Web.Features.FollowUps;
using Portal.Web.Features.Results;

namespace Portal.Tests.Components.Results;

/// <summary>
/// The results of one assessment as the owner reads them: score and band, caps with their
/// reason, strengths and gaps, planned emails, and what changed since the previous assessment.
/// Reports are scored from answers with the real content, so they are what the portal stores.
/// </summary>
public sealed class ResultsReportTests : BunitContext
{
    private static readonly PortalContent Content = TestContent.Real;

    /// <summary>Every answer the best one except Capacity's, which are the worst: a critical factor far too weak.</summary>
    private static readonly AssessmentReport Capped =
        AssessmentReport.From(Answers.For(Content).AllBest().Section("capacity", Answers.WorstValue).Assess());

    private static readonly AssessmentReport AllBest = AssessmentReport.From(Answers.For(Content).AllBest().Assess());

    public ResultsReportTests() => Services.AddSingleton(new ContentCatalog(Content, RepoPaths.Content));

    private IRenderedComponent<ResultsReport> Show(
        AssessmentReport report, AssessmentReport? previous = null, IReadOnlyList<PlannedEmail>? emails = null, bool print = false)
    {
        var view = new ResultsView(Guid.NewGuid(), previous is null ? 1 : 2, new DateTime(2027, 3, 1, 9, 0, 0, DateTimeKind.Utc), "Valves of Zhejiang Ltd",
            report, previous, previous is null ? null : 1, emails ?? [], TimeZoneInfo.Utc);
        return Render<ResultsReport>(p => p.Add(c => c.View, view).Add(c => c.Print, print));
    }

    private static string Text(IRenderedComponent<ResultsReport> page, string selector) => page.Find(selector).TextContent.Trim();

    [Fact]
    public void TheScore_AndTheBand_AreShownWithTheBandsMeaning()
    {
        var page = Show(Capped);

        Assert.Equal(Capped.Overall.Score!.Value.ToString("0"), Text(page, "[data-testid='overall-score']"));
        Assert.Equal(Capped.Overall.Band!.Name, Text(page, "[data-testid='overall-band']"));
        Assert.Contains(Capped.Overall.Band.Meaning, page.Find(".result-panel__band").TextContent, StringComparison.Ordinal);
        Assert.Contains("Valves of Zhejiang Ltd · Assessment 1 · submitted 1 March 2027", page.Find(".caption").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void ACap_IsExplained_WithTheBandTheScoreAloneWouldGive()
    {
        Assert.NotEmpty(Capped.Overall.Caps); // the premise: Capacity at its worst caps the band
        var page = Show(Capped);

        var caps = page.Find("section.caps");
        Assert.Equal("Why your band is held down", caps.QuerySelector("h2")!.TextContent);
        Assert.Equal(Capped.Overall.Caps.Select(c => c.Explanation), caps.QuerySelectorAll("li").Select(li => li.TextContent));
        Assert.Contains("Capacity", caps.TextContent, StringComparison.Ordinal);
        var uncapped = Content.Model.FindBand(Capped.Overall.UncappedBand!).Name;
        Assert.Contains($"Your score alone would place you in “{uncapped}”", caps.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void WithoutACap_ThereIsNoCapSection()
    {
        Assert.Empty(AllBest.Overall.Caps);

        Assert.Empty(Show(AllBest).FindAll("section.caps"));
    }

    [Fact]
    public void StrengthsAreTheFourBestFactorsAboveThreshold_GapsEveryFactorBelowIt()
    {
        var page = Show(Capped);

        var strengths = page.FindAll("#strengths-heading + ul li").Select(li => li.TextContent).ToList();
        var expected = Capped.Factors.Where(f => !f.IsGap && f.Score is not null).OrderByDescending(f => f.Score).Take(4).ToList();
        Assert.Equal(expected.Select(f => $"{f.Name} {f.Score:0}"), strengths);

        var gaps = page.FindAll(".factor-list--gaps li").Select(li => li.TextContent).ToList();
        var capacity = Capped.Factor("capacity")!;
        Assert.True(capacity.IsGap);
        Assert.Equal(Capped.Factors.Count(f => f.IsGap), gaps.Count);
        Assert.Contains($"{capacity.Name} {capacity.Score:0} (threshold {capacity.Threshold:0})", gaps);
    }

    [Fact]
    public void NoGap_SaysSo()
    {
        Assert.DoesNotContain(AllBest.Factors, f => f.IsGap);

        Assert.Equal("No factor is below its threshold.", Text(Show(AllBest), "#gaps-heading + p"));
    }

    [Fact]
    public void PlannedEmails_AreListedWithDateTitleAndStatus()
    {
        var followUps = Capped.FollowUps.Select(f => f.Advice).Distinct().Take(2).ToList();
        Assert.Equal(2, followUps.Count);
        var emails = new List<PlannedEmail>
        {
            new(followUps[0], new DateTime(2027, 3, 8, 9, 0, 0, DateTimeKind.Utc), FollowUpStatus.Sent, new DateTime(2027, 3, 8, 9, 1, 0, DateTimeKind.Utc), null),
            new(followUps[1], new DateTime(2027, 4, 1, 9, 0, 0, DateTimeKind.Utc), FollowUpStatus.Pending, null, null),
            new("advice-no-longer-in-the-report", new DateTime(2027, 5, 1, 9, 0, 0, DateTimeKind.Utc), FollowUpStatus.Cancelled, null, CancelReasons.Unsubscribed),
        };

        var page = Show(Capped, emails: emails);

        var rows = page.FindAll("table.planned-emails tbody tr");
        Assert.Equal(3, rows.Count);
        string[] Cells(int row) => rows[row].QuerySelectorAll("td").Select(td => td.TextContent).ToArray();
        Assert.Equal(["8 March 2027, 09:00", Capped.FollowUps.First(f => f.Advice == followUps[0]).Title, "Sent 8 March 2027"], Cells(0));
        Assert.Equal(["1 April 2027, 09:00", Capped.FollowUps.First(f => f.Advice == followUps[1]).Title, "Planned"], Cells(1));
        Assert.Equal(["1 May 2027, 09:00", "advice-no-longer-in-the-report", "Not sent: you turned these emails off"], Cells(2));
        Assert.Contains("Times are in UTC", page.Find("#emails-heading + p").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void NoPlannedEmail_SaysSo()
    {
        Assert.Equal("No follow-up emails are planned for this assessment.", Text(Show(Capped), "#emails-heading + p"));
    }

    [Fact]
    public void TheChangeSinceThePreviousAssessment_IsListedForEveryFactor()
    {
        // Assessment 1 had every best answer; in assessment 2 Capacity fell to its worst.
        var page = Show(Capped, previous: AllBest);

        var section = page.Find("[data-testid='changes']");
        Assert.Equal("What changed since assessment 1", section.QuerySelector("h2")!.TextContent);
        Assert.Equal("0 factors went up and 1 factor went down; the others are unchanged.", section.QuerySelector("p")!.TextContent);

        var rows = section.QuerySelectorAll("tbody tr");
        Assert.Equal(Capped.Factors.Select(f => f.Id), rows.Select(r => r.GetAttribute("data-factor")));
        var capacityBefore = AllBest.Factor("capacity")!.Score!.Value;
        var capacityNow = Capped.Factor("capacity")!.Score!.Value;
        var capacity = rows.Single(r => r.GetAttribute("data-factor") == "capacity").QuerySelectorAll("th, td").Select(c => c.TextContent).ToArray();
        Assert.Equal(["Capacity", $"{capacityBefore:0}", $"{capacityNow:0}", $"Down {Math.Round(capacityBefore) - Math.Round(capacityNow):0}"], capacity);
        Assert.All(rows.Where(r => r.GetAttribute("data-factor") != "capacity"), r => Assert.Equal("No change", r.QuerySelectorAll("td")[2].TextContent));

        // The overall line and the strengths say the same.
        Assert.Contains($"since assessment 1 ({AllBest.Overall.Score:0})", page.Find(".result-panel .change").TextContent, StringComparison.Ordinal);
        Assert.Contains(page.FindAll("#strengths-heading + ul li"), li => li.TextContent.EndsWith("(no change since assessment 1)", StringComparison.Ordinal));
    }

    [Fact]
    public void AFirstAssessment_HasNoChangeSection()
    {
        Assert.Empty(Show(Capped).FindAll("[data-testid='changes']"));
    }

    [Fact]
    public void ThePrintView_OpensEveryDetail_AndShowsTheWideChartOnly()
    {
        var print = Show(Capped, print: true);
        var screen = Show(Capped);

        Assert.All(print.FindAll("details"), d => Assert.True(d.HasAttribute("open"), d.ClassName));
        Assert.Single(print.FindAll(".radar-chart"));
        Assert.True(print.Find(".radar-chart__details").HasAttribute("open"));

        Assert.False(screen.Find(".charts__radar-wide .radar-chart__details").HasAttribute("open"));
        Assert.NotNull(screen.Find(".charts__radar-compact .radar-chart--compact"));
    }

    [Fact]
    public void TheText_DescribesTheThresholdMarksTheChartDraws()
    {
        var page = Show(Capped);

        Assert.Contains("the hatched zone marks each factor's threshold: a score inside it is below the threshold", page.Find("#scores-heading + p").TextContent, StringComparison.Ordinal);
        var zone = page.Find(".charts__radar-wide svg.radar-chart__svg polygon.radar-chart__gap-zone");
        Assert.Equal(Capped.Factors.Count, zone.GetAttribute("points")!.Split(' ').Length);
        Assert.DoesNotContain("dashed line of a factor's threshold", page.Markup, StringComparison.Ordinal);
    }
}
