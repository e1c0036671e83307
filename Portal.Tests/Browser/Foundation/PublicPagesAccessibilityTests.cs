using Portal.Tests.TestSupport;

namespace Portal.Tests.Browser.Foundation;

/// <summary>The pages anyone can reach have no serious or critical axe violations, at desktop and phone width.</summary>
public sealed class PublicPagesAccessibilityTests(Chromium chromium) : IAsyncLifetime
{
    private readonly PortalApp app = new(o => o.RealServer = true);

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => app.DisposeAsync();

    [Theory]
    [InlineData("/", "home")]
    [InlineData("/Account/Login", "sign-in")]
    [InlineData("/Account/Register", "register")]
    [InlineData("/no-such-page", "not-found")]
    public async Task Page_HasNoSeriousOrCriticalViolations(string path, string name)
    {
        foreach (var (width, label) in new[] { (1280, "desktop"), (375, "mobile") })
        {
            var page = await chromium.NewPageAsync(app.BaseAddress, width, 800);
            try
            {
                await page.GotoAsync(path);
                await page.ScreenshotToArtifactsAsync($"foundation-{name}-{label}");
                var violations = await page.SeriousAxeViolationsAsync();
                Assert.True(violations.Count == 0, $"{path} at {width}px:\n{string.Join("\n", violations)}");

                // Nothing wider than the screen at phone width.
                var overflow = await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth > window.innerWidth");
                Assert.False(overflow, $"{path} scrolls sideways at {width}px");
            }
            finally
            {
                await page.CloseContextAsync();
            }
        }
    }
}
