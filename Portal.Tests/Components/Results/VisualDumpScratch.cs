using Bunit;
using Portal.Web.Features.Results.Charts;

namespace Portal.Tests.Components.Results;

public sealed class VisualDumpScratch : BunitContext
{
    [Fact]
    public void Dump()
    {
        ChartPoint[] factors =
        [
            new("Current scenario", 62, 50, 40),
            new("Future prospects", 78, 70, 40),
            new("Capacity", 42, 35, 40),
            new("Clusters and networks", 31, 38, 40),
            new("Policy and government support", 55, 40, 40),
            new("Innovation", 88, 80, 40),
            new("Mode of entry", null, 20, 40),
            new("Timing", 12, 10, 40),
            new("Destination", 100, 90, 40),
            new("Operations", 47, null, 40),
            new("Knowledge and learning", 66, 60, 40),
        ];
        ChartPoint[] pillars =
        [
            new("Prospects", 70, 60, 40),
            new("Competencies", 38, 35, 40),
            new("Strategy", null, 20, 40),
            new("Knowledge", 92, null, 40),
        ];
        var radar = Render<RadarChart>(p => p.Add(c => c.Title, "Scores by factor").Add(c => c.Points, factors).Add(c => c.Caption, "Each axis is one factor; further out is stronger."));
        var radarNoPrev = Render<RadarChart>(p => p.Add(c => c.Title, "Scores by factor").Add(c => c.Points, factors.Select(f => f with { Previous = null }).Take(5).ToArray()));
        string[] names = [.. factors.Select(f => f.Label)];
        var extra = string.Join("\n", new[] { 3, 4, 6, 8, 13, 16 }.Select(n => $"<h3>n={n}</h3>" + Render<RadarChart>(p => p.Add(c => c.Title, $"n{n}").Add(c => c.Points, Enumerable.Range(0, n).Select(i => new ChartPoint(names[(i * 7) % 11], i % 5 == 3 ? null : (i * 37) % 101, null, 40)).ToArray())).Markup));
        var bars = Render<ScoreBars>(p => p.Add(c => c.Title, "Scores by pillar").Add(c => c.Points, pillars));
        var bundle = Directory.GetFiles("/work/main/Portal.Web/obj", "Portal.Web.styles.css", SearchOption.AllDirectories).OrderByDescending(File.GetLastWriteTimeUtc).First();
        var html = $$"""
<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="file:///work/main/Portal.Web/wwwroot/lib/bootstrap/dist/css/bootstrap.min.css">
<link rel="stylesheet" href="file:///work/main/Portal.Web/wwwroot/app.css">
<link rel="stylesheet" href="file://{{bundle}}">
</head><body><main class="portal-main"><div class="portal-container">
<h2>Radar</h2>{{radar.Markup}}
<h2>Bars</h2>{{bars.Markup}}
<h2>Radar, 5, no previous</h2>{{radarNoPrev.Markup}}
{{(Environment.GetEnvironmentVariable("CHART_EXTRA") is null ? "" : extra)}}
<pre id="report"></pre>
<script>
const out = [];
document.querySelectorAll('svg.radar-chart__svg').forEach((svg, k) => {
  const vb = svg.viewBox.baseVal;
  const boxes = [...svg.querySelectorAll('text.radar-chart__label')].map(t => ({ t, b: t.getBBox() }));
  boxes.forEach(({t, b}) => {
    if (b.x < vb.x || b.y < vb.y || b.x + b.width > vb.x + vb.width || b.y + b.height > vb.y + vb.height) out.push(`chart ${k}: clipped ${t.textContent}`);
    if (Math.hypot(Math.max(Math.abs(b.x), Math.abs(b.x + b.width)) > 0 ? 0 : 0, 0) > 1) {}
  });
  for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
    const p = boxes[i].b, q = boxes[j].b;
    const ox = Math.min(p.x + p.width, q.x + q.width) - Math.max(p.x, q.x), oy = Math.min(p.y + p.height, q.y + q.height) - Math.max(p.y, q.y);
    if (ox > 0 && oy > 0) out.push(`chart ${k}: overlap ${boxes[i].t.textContent} / ${boxes[j].t.textContent} (${ox.toFixed(1)} x ${oy.toFixed(1)})`);
  }
  const minX = Math.min(...boxes.map(x => x.b.x)), maxX = Math.max(...boxes.map(x => x.b.x + x.b.width));
  const ratios = boxes.map(({t, b}) => b.width / Math.max(...[...t.children].map(c => c.textContent.length)) / 19);
  out.push(`chart ${k}: labels span ${minX.toFixed(0)}..${maxX.toFixed(0)}; em per char max ${Math.max(...ratios).toFixed(3)} mean ${(ratios.reduce((a, b) => a + b, 0) / ratios.length).toFixed(3)}`);
  out.push(`chart ${k}: viewBox ${vb.x} ${vb.y} ${vb.width} ${vb.height}, rendered width ${svg.getBoundingClientRect().width.toFixed(0)}px, label px ${(19 * svg.getBoundingClientRect().width / vb.width).toFixed(1)}`);
});
document.getElementById('report').textContent = out.join('\n');
</script>
</div></main></body></html>
""";
        File.WriteAllText("/tmp/chart.html", html.Replace("<details class", "<details open class"));
        string Page(string body) => html[..html.IndexOf("<h2>Radar</h2>", StringComparison.Ordinal)] + body + "</div></main></body></html>";
        File.WriteAllText("/tmp/radar.html", Page(radar.Markup));
        File.WriteAllText("/tmp/bars.html", Page(bars.Markup));
    }
}
