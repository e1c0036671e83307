using Microsoft.Playwright;

namespace Portal.Tests.TestSupport;

/// <summary>How a page looks: a screenshot for a person, and axe, at desktop and phone width.</summary>
public static class PageLooks
{
    public const int PhoneWidth = 375;

    /// <summary>
    /// Screenshot and axe at the page's own (desktop) width, then, unless told not to, the same
    /// page resized to 375 px: screenshot, axe and no sideways scrolling. Resizing keeps the
    /// page's state (a refused form, a notice) that opening the URL again would lose.
    /// Violations are collected, so one run reports every page that fails.
    /// </summary>
    public static async Task LookAsync(this IPage page, string name, List<string> violations, bool mobile = true)
    {
        await page.ScreenshotToArtifactsAsync($"{name}-desktop");
        violations.AddRange((await page.SeriousAxeViolationsAsync()).Select(v => $"{name} (desktop): {v}"));
        if (!mobile)
        {
            return;
        }

        var desktop = page.ViewportSize ?? new PageViewportSizeResult { Width = 1280, Height = 900 };
        await page.SetViewportSizeAsync(PhoneWidth, 800);
        try
        {
            await page.ScreenshotToArtifactsAsync($"{name}-mobile");
            violations.AddRange((await page.SeriousAxeViolationsAsync()).Select(v => $"{name} ({PhoneWidth} px): {v}"));
            var wide = await page.EvaluateAsync<string[]>("""
                () => document.documentElement.scrollWidth <= window.innerWidth + 1 ? [] :
                  [...document.querySelectorAll('body *')]
                    .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
                    .slice(0, 5).map(e => e.tagName.toLowerCase() + '.' + [...e.classList].join('.') + ' ' + Math.round(e.getBoundingClientRect().right) + 'px')
                """);
            if (wide.Length > 0)
            {
                violations.Add($"{name} ({PhoneWidth} px): the page scrolls sideways: {string.Join(", ", wide)}");
            }
        }
        finally
        {
            await page.SetViewportSizeAsync(desktop.Width, desktop.Height);
        }
    }
}
