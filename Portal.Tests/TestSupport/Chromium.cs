using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;

namespace Portal.Tests.TestSupport;

/// <summary>
/// One headless Debian Chromium (/usr/bin/chromium, installed by ./test.sh) for the whole
/// run, driven by Playwright. Each test gets its own context (cookies, storage).
/// </summary>
public sealed class Chromium : IAsyncLifetime
{
    public const string ExecutablePath = "/usr/bin/chromium";

    /// <summary>
    /// How long a step or an expectation may wait for its condition. Generous because CI runs
    /// the whole suite in parallel on two cores, where a host's first page can take seconds;
    /// a step that passes returns as soon as its condition holds.
    /// </summary>
    public const int ActionTimeoutMs = 30_000;

    private IPlaywright? playwright;

    public IBrowser Browser { get; private set; } = default!;

    public async ValueTask InitializeAsync()
    {
        if (!File.Exists(ExecutablePath))
        {
            throw new InvalidOperationException($"{ExecutablePath} is missing. Run ./test.sh once (it installs Debian's chromium), or: apt-get install -y chromium");
        }

        playwright = await Playwright.CreateAsync();
        Assertions.SetDefaultExpectTimeout(ActionTimeoutMs);
        Browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ExecutablePath,
            Headless = true,
            // Without the background-networking switches Chromium keeps dialling Google's hosts,
            // which this machine's closed network refuses.
            Args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });
    }

    public async Task<IPage> NewPageAsync(Uri baseAddress, int width = 1280, int height = 900)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = baseAddress.ToString(),
            ViewportSize = new ViewportSize { Width = width, Height = height },
        });
        context.SetDefaultTimeout(ActionTimeoutMs);
        return await context.NewPageAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.CloseAsync();
        }

        playwright?.Dispose();
    }
}

public static class PageExtensions
{
    /// <summary>Saves a full-page screenshot to artifacts/screenshots/NAME.png for a person to look at.</summary>
    public static async Task<string> ScreenshotToArtifactsAsync(this IPage page, string name)
    {
        var path = Path.Combine(RepoPaths.Screenshots, $"{name}.png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
        return path;
    }

    /// <summary>The axe violations of impact serious or critical on the current page, one line each.</summary>
    public static async Task<IReadOnlyList<string>> SeriousAxeViolationsAsync(this IPage page)
    {
        AxeResult result = await page.RunAxe();
        return result.Violations
            .Where(v => v.Impact is "serious" or "critical")
            .Select(v => $"{v.Impact}: {v.Id} ({v.Help}) at {string.Join(", ", v.Nodes.Select(n => n.Target?.ToString()))}")
            .ToList();
    }

    /// <summary>Closes the page's context; do it before the host stops, or shutdown waits on the Blazor websocket.</summary>
    public static Task CloseContextAsync(this IPage page) => page.Context.CloseAsync();
}
