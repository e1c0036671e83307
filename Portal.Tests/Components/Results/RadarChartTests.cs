using System.Globalization;
using AngleSharp.Dom;
using Bunit;
using Portal.Web.Features.Results.Charts;

namespace Portal.Tests.Components.Results;

/// <summary>
/// The radar's centre is (0, 0) in SVG user units and the 100 ring has radius 100, so a score
/// on axis i of n sits at (s·cos a, s·sin a) with a = -90° + 360°·i/n (y grows downwards).
/// </summary>
public sealed class RadarChartTests : BunitContext
{
    private IRenderedComponent<RadarChart> Chart(IReadOnlyList<ChartPoint> points, string? caption = null) =>
        Render<RadarChart>(p => p
            .Add(c => c.Title, "Scores by factor")
            .Add(c => c.Points, points)
            .Add(c => c.Caption, caption));

    private static string LabelText(IElement label) => string.Join(" ", label.Children.Select(line => line.TextContent));

    private static IElement Label(IRenderedComponent<RadarChart> chart, int axis) =>
        chart.Find($"text.radar-chart__label[data-axis='{axis}']");

    private static List<string> Column(IRenderedComponent<RadarChart> chart, int column) =>
        [.. chart.FindAll("tbody tr").Select(row => row.Children[column].TextContent.Trim())];

    [Fact]
    public void Values_BecomeVertices_FirstAxisUp_ThenClockwise()
    {
        var chart = Chart([new("A", 100), new("B", 50), new("C", 0), new("D", 25)]);

        // Up 100, right 50, centre (0 on the downward axis), left 25.
        Assert.Equal("0,-100 50,0 0,0 -25,0", chart.Find("polygon.radar-chart__current").GetAttribute("points"));

        var markers = chart.FindAll("circle.radar-chart__marker");
        Assert.Equal(["0,-100", "50,0", "0,0", "-25,0"], markers.Select(m => $"{m.GetAttribute("cx")},{m.GetAttribute("cy")}"));
        Assert.All(markers, m => Assert.Equal("4.5", m.GetAttribute("r")));
    }

    [Fact]
    public void Vertices_AreRoundedToTwoDecimals()
    {
        // Three axes: up, then 30° below the horizontal on the right, then on the left.
        var chart = Chart([new("A", 100), new("B", 100), new("C", 50)]);

        Assert.Equal("0,-100 86.6,50 -43.3,25", chart.Find("polygon.radar-chart__current").GetAttribute("points"));
    }

    [Fact]
    public void Scores_OutsideTheScale_AreClampedToTheRings()
    {
        var chart = Chart([new("A", 130), new("B", -10), new("C", 50), new("D", 50)]);

        Assert.Equal("0,-100 0,0 0,50 -50,0", chart.Find("polygon.radar-chart__current").GetAttribute("points"));
    }

    [Fact]
    public void Rings_At20To100_AreDrawnAndLabelled()
    {
        var chart = Chart([new("A", 10), new("B", 20), new("C", 30), new("D", 40)]);

        var rings = chart.FindAll("polygon.radar-chart__ring");
        Assert.Equal(["20", "40", "60", "80", "100"], rings.Select(r => r.GetAttribute("data-ring")));
        Assert.Equal("0,-20 20,0 0,20 -20,0", rings[0].GetAttribute("points"));
        Assert.Equal("0,-100 100,0 0,100 -100,0", rings[4].GetAttribute("points"));
        Assert.Equal(["20", "40", "60", "80", "100"], chart.FindAll("text.radar-chart__ring-label").Select(t => t.TextContent));
        Assert.Equal(4, chart.FindAll("line.radar-chart__axis").Count);
        Assert.Equal("100", chart.FindAll("line.radar-chart__axis")[1].GetAttribute("x2"));
    }

    [Fact]
    public void Labels_ShowTheScore_AndSitOutsideTheRing_AnchoredByAngle()
    {
        var chart = Chart([new("Capacity", 42), new("Policy and government support", 55.4), new("Timing", 12.5), new("Innovation", 88)]);

        Assert.Equal("Capacity 42", LabelText(Label(chart, 0)));
        Assert.Equal("Policy and government support 55", LabelText(Label(chart, 1)));
        Assert.Equal("Timing 13", LabelText(Label(chart, 2)));
        Assert.Equal("Innovation 88", LabelText(Label(chart, 3)));

        // Long names wrap onto lines of the same x; the score is bold on the last line.
        Assert.Equal(3, Label(chart, 1).Children.Length);
        Assert.Equal(" 55", Label(chart, 1).QuerySelector(".radar-chart__score")!.TextContent);

        Assert.Equal(["middle", "start", "middle", "end"], chart.FindAll("text.radar-chart__label").Select(t => t.GetAttribute("text-anchor")));
        Assert.Equal(["0", "112", "0", "-112"], chart.FindAll("text.radar-chart__label").Select(t => t.GetAttribute("x")));
        // The top label ends above the ring, the bottom one starts below it.
        Assert.True(double.Parse(Label(chart, 0).GetAttribute("y")!, CultureInfo.InvariantCulture) < -100);
        Assert.True(double.Parse(Label(chart, 2).GetAttribute("y")!, CultureInfo.InvariantCulture) > 112);
    }

    [Fact]
    public void ViewBox_HoldsTheRingsAndEveryLabel()
    {
        var chart = Chart([new("Current scenario", 62), new("Clusters and networks", 31), new("Policy and government support", 55), new("Knowledge and learning", null)]);

        var box = chart.Find("svg.radar-chart__svg").GetAttribute("viewBox")!.Split(' ').Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray();
        var (left, top, right, bottom) = (box[0], box[1], box[0] + box[2], box[1] + box[3]);
        Assert.True(left < -100 && top < -100 && right > 100 && bottom > 100, string.Join(" ", box));
        foreach (var line in chart.FindAll("text.radar-chart__label > tspan"))
        {
            var x = double.Parse(line.GetAttribute("x")!, CultureInfo.InvariantCulture);
            var y = double.Parse(line.GetAttribute("y")!, CultureInfo.InvariantCulture);
            Assert.InRange(x, left, right);
            Assert.InRange(y, top + 10, bottom);
        }

        Assert.StartsWith("max-width: ", chart.Find("svg.radar-chart__svg").GetAttribute("style"), StringComparison.Ordinal);
    }

    [Fact]
    public void NoPrevious_DrawsNoDashedOutline_AndNoPreviousColumns()
    {
        var chart = Chart([new("A", 10), new("B", 20), new("C", 30)]);

        Assert.Empty(chart.FindAll("polygon.radar-chart__previous"));
        Assert.Empty(chart.FindAll("rect.radar-chart__previous-marker"));
        Assert.Empty(chart.FindAll(".radar-chart__legend"));
        Assert.Equal(["Factor", "Score"], chart.FindAll("thead th").Select(th => th.TextContent));
    }

    [Fact]
    public void Previous_IsADashedOutlineWithSquareMarkers()
    {
        var chart = Chart([new("A", 80, 100), new("B", 60, 40), new("C", 50, null), new("D", 70, 20)]);

        var previous = chart.Find("polygon.radar-chart__previous");
        Assert.Equal("0,-100 40,0 0,0 -20,0", previous.GetAttribute("points"));
        Assert.Equal("6 4", previous.GetAttribute("stroke-dasharray"));
        Assert.Equal("none", previous.GetAttribute("fill"));
        Assert.Null(chart.Find("polygon.radar-chart__current").GetAttribute("stroke-dasharray"));

        // One 8×8 square per previous score, centred on its vertex; none for the missing one.
        var squares = chart.FindAll(".radar-chart__series--previous rect.radar-chart__previous-marker");
        Assert.Equal(["0", "1", "3"], squares.Select(s => s.GetAttribute("data-axis")));
        Assert.Equal(["-4,-104", "36,-4", "-24,-4"], squares.Select(s => $"{s.GetAttribute("x")},{s.GetAttribute("y")}"));
        Assert.All(squares, s => Assert.Equal(("8", "8"), (s.GetAttribute("width"), s.GetAttribute("height"))));

        var legend = chart.Find(".radar-chart__legend").TextContent;
        Assert.Contains("This assessment (solid line, circles)", legend, StringComparison.Ordinal);
        Assert.Contains("Previous assessment (dashed line, squares)", legend, StringComparison.Ordinal);
    }

    [Fact]
    public void NotAssessed_SitsAtTheCentre_WithoutMarker_AndIsLabelled()
    {
        var chart = Chart([new("Capacity", 40), new("Timing", null), new("Destination", 60), new("Operations", 20)]);

        Assert.Equal("0,-40 0,0 0,60 -20,0", chart.Find("polygon.radar-chart__current").GetAttribute("points"));
        Assert.Equal(["0", "2", "3"], chart.FindAll("circle.radar-chart__marker").Select(c => c.GetAttribute("data-axis")));

        var label = Label(chart, 1);
        Assert.Equal("Timing (not assessed)", LabelText(label));
        Assert.Contains("radar-chart__label--not-assessed", label.ClassList);
        Assert.DoesNotContain("radar-chart__label--not-assessed", Label(chart, 0).ClassList);

        Assert.Equal("Not assessed", Column(chart, 1)[1]);
        Assert.Contains("Not assessed: Timing.", chart.Find("desc").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void Table_HasOneRowPerPoint_WithScoresChangesAndGaps()
    {
        var chart = Chart(
        [
            new("Current scenario", 62, 50, 40),
            new("Clusters and networks", 31, 38, 40),
            new("Capacity", 40, 40, 40),
            new("Mode of entry", null, 20, 40),
            new("Operations", 47.5, null, 40),
            new("Timing", 12, 10),
        ]);

        Assert.Equal("Scores by factor", chart.Find("table caption").TextContent);
        Assert.Equal(["Factor", "Score", "Previous", "Change"], chart.FindAll("thead th").Select(th => th.TextContent));
        Assert.All(chart.FindAll("tbody th"), th => Assert.Equal("row", th.GetAttribute("scope")));

        Assert.Equal(["Current scenario", "Clusters and networks", "Capacity", "Mode of entry", "Operations", "Timing"], Column(chart, 0));
        Assert.Equal(["62", "31", "40", "Not assessed", "48", "12"], chart.FindAll("tbody .radar-chart__number").Select(n => n.TextContent));
        Assert.Equal(["50", "38", "40", "20", "None", "10"], Column(chart, 2));
        Assert.Equal(["+12", "-7", "0", "n/a", "n/a", "+2"], Column(chart, 3));

        // Only a score strictly below its threshold is a gap; no threshold, no gap.
        var rows = chart.FindAll("tbody tr");
        Assert.Equal([false, true, false, false, false, false], rows.Select(r => r.QuerySelector(".radar-chart__gap") is not null));
        Assert.Equal("Below threshold of 40", rows[1].QuerySelector(".radar-chart__gap")!.TextContent);
    }

    [Fact]
    public void Thresholds_BoundAHatchedGapZone_ExplainedInTheLegend()
    {
        // Up, right, down, left; no threshold on the last axis, which pinches the zone to the centre.
        var chart = Chart([new("A", 80, null, 40), new("B", 30, null, 50), new("C", 60, null, 25), new("D", 70)]);

        var zone = chart.Find("svg.radar-chart__svg polygon.radar-chart__gap-zone");
        Assert.Equal("0,-40 50,0 0,25 0,0", zone.GetAttribute("points"));

        // Told apart without colour: hatched, not a dashed outline, and the legend says so.
        var hatch = chart.Find("svg.radar-chart__svg defs pattern");
        Assert.Equal($"url(#{hatch.Id})", zone.GetAttribute("fill"));
        Assert.Null(zone.GetAttribute("stroke-dasharray"));
        Assert.Equal("rotate(45)", hatch.GetAttribute("patterntransform") ?? hatch.GetAttribute("patternTransform"));
        var legend = chart.Find(".radar-chart__legend").TextContent;
        Assert.Contains("Your scores (solid line, circles)", legend, StringComparison.Ordinal);
        Assert.Contains("Gap zone (hatched): below the factor's threshold", legend, StringComparison.Ordinal);
        Assert.Equal($"url(#{hatch.Id})", chart.Find(".radar-chart__legend rect.radar-chart__gap-zone").GetAttribute("fill"));
        Assert.DoesNotContain("Previous assessment", legend, StringComparison.Ordinal);
    }

    [Fact]
    public void TwoCharts_HaveTheirOwnHatchPattern()
    {
        var one = Chart([new("A", 80, null, 40), new("B", 30, null, 50), new("C", 60, null, 25)]);
        var two = Chart([new("A", 80, null, 40), new("B", 30, null, 50), new("C", 60, null, 25)]);

        Assert.NotEqual(one.Find("pattern").Id, two.Find("pattern").Id);
    }

    [Fact]
    public void WithoutThresholds_NoGapZoneIsDrawn()
    {
        var chart = Chart([new("A", 10), new("B", 20), new("C", 30)]);

        Assert.Empty(chart.FindAll(".radar-chart__gap-zone"));
        Assert.Empty(chart.FindAll("pattern"));
        Assert.DoesNotContain("threshold", chart.Find("desc").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void Compact_NumbersTheAxes_AndListsTheNamesUnderTheChart()
    {
        var chart = Render<RadarChart>(p => p
            .Add(c => c.Title, "Scores by factor")
            .Add(c => c.Points, [new("Current scenario", 62), new("Clusters and networks", 31.4), new("Capacity", null), new("Mode of entry", 20)])
            .Add(c => c.Compact, true));

        Assert.Equal(["(1) 62", "(2) 31", "(3) –", "(4) 20"], Enumerable.Range(0, 4).Select(i => LabelText(Label(chart, i))));
        Assert.Equal(
            ["(1) Current scenario: 62", "(2) Clusters and networks: 31", "(3) Capacity: not assessed", "(4) Mode of entry: 20"],
            chart.FindAll(".radar-chart__names li").Select(li => li.TextContent.Trim()));

        // Short labels leave the plot more of the width: the viewBox is far narrower than with names.
        var full = Chart([new("Current scenario", 62), new("Clusters and networks", 31.4), new("Capacity", null), new("Mode of entry", 20)]);
        double Width(IRenderedComponent<RadarChart> c) =>
            double.Parse(c.Find("svg.radar-chart__svg").GetAttribute("viewBox")!.Split(' ')[2], CultureInfo.InvariantCulture);
        Assert.True(Width(chart) < 0.8 * Width(full), $"compact {Width(chart)} vs {Width(full)}");
        Assert.NotNull(chart.Find("details table")); // the table is still there
    }

    [Fact]
    public void Expanded_OpensTheTable_ForPrint()
    {
        var closed = Chart([new("A", 10), new("B", 20), new("C", 30)]);
        var open = Render<RadarChart>(p => p
            .Add(c => c.Title, "Scores by factor")
            .Add(c => c.Points, [new("A", 10), new("B", 20), new("C", 30)])
            .Add(c => c.Expanded, true));

        Assert.False(closed.Find("details").HasAttribute("open"));
        Assert.True(open.Find("details").HasAttribute("open"));
    }

    [Fact]
    public void Table_IsVisibleBehindASummary_NotHidden()
    {
        var chart = Chart([new("A", 10), new("B", 20), new("C", 30)]);

        var details = chart.Find("details");
        Assert.Equal("Show the scores as a table", details.QuerySelector("summary")!.TextContent);
        Assert.NotNull(details.QuerySelector("table"));
        Assert.Null(details.GetAttribute("aria-hidden"));
        Assert.DoesNotContain("visually-hidden", details.QuerySelector("table")!.ClassList);
    }

    [Fact]
    public void Svg_IsAnImage_LabelledByItsTitleAndDescription()
    {
        var chart = Chart(
        [
            new("Capacity", 42, null, 40),
            new("Destination", 100, null, 40),
            new("Timing", 12, null, 40),
            new("Innovation", 88, null, 40),
        ]);

        var svg = chart.Find("svg.radar-chart__svg");
        Assert.Equal("img", svg.GetAttribute("role"));
        var ids = svg.GetAttribute("aria-labelledby")!.Split(' ');
        Assert.Equal(2, ids.Length);
        Assert.Equal("title", chart.Find($"#{ids[0]}").LocalName);
        Assert.Equal("desc", chart.Find($"#{ids[1]}").LocalName);
        Assert.Equal("Scores by factor", chart.Find($"#{ids[0]}").TextContent);
        Assert.Equal(
            "4 factors, each scored from 0 to 100. Highest: Destination 100. Lowest: Timing 12. Below threshold: Timing. A hatched zone marks each factor's threshold; a score inside it is a gap.",
            chart.Find($"#{ids[1]}").TextContent);
    }

    [Fact]
    public void Description_NamesTies_AndMentionsThePreviousOutline()
    {
        var chart = Chart([new("A", 70, 60), new("B", 30, 20), new("C", 70, 50), new("D", 30.2, 10)]);

        Assert.Equal(
            "4 factors, each scored from 0 to 100. Highest: A and C 70. Lowest: B and D 30. A dashed outline shows the previous assessment.",
            chart.Find("desc").TextContent);
    }

    [Fact]
    public void Description_WhenNothingIsAssessed_SaysSo()
    {
        var chart = Chart([new("A", null), new("B", null), new("C", null)]);

        Assert.Equal("3 factors, each scored from 0 to 100. No factor has been assessed yet. Not assessed: A, B and C.", chart.Find("desc").TextContent);
        Assert.Equal("0,0 0,0 0,0", chart.Find("polygon.radar-chart__current").GetAttribute("points"));
    }

    [Fact]
    public void TwoCharts_HaveDistinctIds()
    {
        var first = Chart([new("A", 10), new("B", 20), new("C", 30)]);
        var second = Chart([new("A", 10), new("B", 20), new("C", 30)]);

        Assert.NotEqual(first.Find("title").Id, second.Find("title").Id);
        Assert.NotEqual(first.Find("desc").Id, second.Find("desc").Id);
    }

    [Fact]
    public void Caption_IsShownOnlyWhenGiven()
    {
        Assert.Equal("Further out is stronger.", Chart([new("A", 10), new("B", 20), new("C", 30)], "Further out is stronger.").Find("figcaption").TextContent);
        Assert.Empty(Chart([new("A", 10), new("B", 20), new("C", 30)]).FindAll("figcaption"));
    }

    [Fact]
    public void NoPoints_ShowsAMessage_NotAnEmptyChart()
    {
        var chart = Chart([]);

        Assert.Empty(chart.FindAll("svg"));
        Assert.Equal("No scores to show yet.", chart.Find("p.empty-state").TextContent);
    }
}
