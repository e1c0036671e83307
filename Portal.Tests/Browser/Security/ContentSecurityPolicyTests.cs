using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Portal.Tests.Integration.Programmes;
using Portal.Tests.TestSupport;
using Portal.Web.Features.Accounts;
using Portal.Web.Features.Programmes;
using static Microsoft.Playwright.Assertions;

namespace Portal.Tests.Browser.Security;

/// <summary>
/// The portal works in Chromium under its Content-Security-Policy. Every role's main pages
/// are opened with a <c>securitypolicyviolation</c> listener and the console watched; any
/// violation (a blocked script, style, image, connection or form) fails the test. Interactivity
/// is shown to work under the policy: Blazor's WebSocket connects, an answer is saved as it is
/// given, an admin saves roles on the interactive users page, enhanced navigation moves between
/// pages, static forms post; the charts' style attributes lay the bars out.
/// </summary>
public sealed class ContentSecurityPolicyTests(Chromium chromium)
{
    private const string Password = FirmFileSetup.Password;

    /// <summary>Runs before any of a document's own scripts, so a violation while loading is seen too.</summary>
    private const string ViolationListener = """
        window.__cspViolations = [];
        document.addEventListener('securitypolicyviolation', e => {
          const text = `${e.effectiveDirective} blocked ${e.blockedURI || 'inline'} at ${e.sourceFile}:${e.lineNumber} ${e.sample}`;
          window.__cspViolations.push(text);
          console.error('CSP violation: ' + text);
        });
        """;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task EveryRolesMainPages_WorkUnderThePolicy_WithoutAViolation()
    {
        await using var app = new PortalApp(o =>
        {
            o.RealServer = true;
            o.Settings["Programmes:MinGroupSize"] = "1"; // the dashboard shows its charts for one firm
        });
        var organisation = await FirmFileSetup.OrganisationAsync(app, "Policy Trade Agency");
        var advisor = await FirmFileSetup.AdvisorAsync(app, "advisor@csp.test", organisation);
        var firm = await FirmFileSetup.SharingFirmAsync(app, "owner@csp.test", "lew-a", "Valves of Zhejiang", organisation);
        await app.CreateUserAsync("new.owner@csp.test", Password, PortalRoles.Owner);
        await app.CreateUserAsync("admin@csp.test", Password, PortalRoles.Admin);
        var programme = await EnrolmentSetup.ProgrammeAsync(app, "Policy Trade Agency", "Export Ready");
        var staff = await EnrolmentSetup.StaffAsync(app, "staff@csp.test", programme.ProgrammeId);
        var cohort = await EnrolmentSetup.CohortAsync(app, staff, programme.ProgrammeId, "Spring 2027");
        var enrolled = await app.Services.GetRequiredService<ProgrammeService>().EnrolAsync(
            await EnrolmentSetup.ContextAsync(app, staff.Id, programme.ProgrammeId), cohort, [firm.FirmId], staff.Id, Ct);
        Assert.True(enrolled.Succeeded);

        var violations = new List<string>();
        var visited = new List<string>();

        // Anyone: the public pages and an error page.
        var anonymous = await WatchedPageAsync(app, violations);
        foreach (var url in new[] { "/", "/Account/Login", "/Account/Register", "/Account/ForgotPassword", "/no-such-page" })
        {
            await VisitAsync(anonymous, url, visited);
        }

        // A new owner answers in the browser: Blazor's circuit connects and saves each answer as it is given.
        var newOwner = await SignedInPageAsync(app, "new.owner@csp.test", violations);
        await VisitAsync(newOwner, "/assessment", visited);
        await newOwner.GetByRole(AriaRole.Link, new() { Name = "About your firm" }).ClickAsync(); // enhanced navigation
        await Expect(newOwner).ToHaveURLAsync(new Regex("/assessment/section/profile$"));
        await OwnerSteps.WaitInteractiveAsync(newOwner);
        await OwnerSteps.SaveAsync(newOwner, async () =>
        {
            await newOwner.Locator("#firm-name").FillAsync("Policy Pumps Ltd");
            await newOwner.Locator("#firm-name").PressAsync("Tab");
        });
        await OwnerSteps.SaveAsync(newOwner, () => newOwner.Locator("[id='q-sector-manufacturing']").CheckAsync());
        await newOwner.ReloadAsync();
        await OwnerSteps.WaitInteractiveAsync(newOwner);
        await Expect(newOwner.Locator("#firm-name")).ToHaveValueAsync("Policy Pumps Ltd");
        await Expect(newOwner.Locator("[id='q-sector-manufacturing']")).ToBeCheckedAsync();
        visited.Add("/assessment/section/profile (2 answers saved)");

        // The owner with results: charts drawn from style attributes, and the owner's other pages.
        var owner = await SignedInPageAsync(app, "owner@csp.test", violations);
        await VisitAsync(owner, $"/results/{firm.AssessmentId}", visited);
        await Expect(owner.Locator(".charts__radar-wide svg.radar-chart__svg polygon.radar-chart__gap-zone")).ToHaveCountAsync(1);
        var fill = owner.Locator(".score-bars__fill").First;
        await Expect(fill).ToBeVisibleAsync();
        var widths = await fill.EvaluateAsync<double[]>("e => [e.getBoundingClientRect().width, e.parentElement.getBoundingClientRect().width, parseFloat(e.style.width)]");
        Assert.True(widths[0] > 0, "the score bar has its width from its style attribute");
        Assert.Equal(widths[2] / 100 * widths[1], widths[0], 1.0);
        foreach (var url in new[] { "/assessment", "/assessment/check", "/firm/sharing", "/firm/programmes", "/firm/activity", "/settings/emails" })
        {
            await VisitAsync(owner, url, visited);
        }

        // The advisor: the queue, the firm file, and a static form posted under form-action 'self'.
        var advisorPage = await SignedInPageAsync(app, advisor.Email!, violations);
        await VisitAsync(advisorPage, "/advisor", visited);
        await advisorPage.Locator("tr[data-firm='Valves of Zhejiang']").GetByRole(AriaRole.Link).ClickAsync();
        await Expect(advisorPage.GetByTestId("firm-name")).ToHaveTextAsync("Valves of Zhejiang");
        await advisorPage.GetByLabel("Add a note").FillAsync("Spoke to the owner about agents in Germany.");
        await advisorPage.GetByRole(AriaRole.Button, new() { Name = "Add note" }).ClickAsync();
        await Expect(advisorPage.GetByTestId("done")).ToContainTextAsync("Your note is added");
        visited.Add($"/advisor/firms/{firm.FirmId} (note added)");
        await VisitAsync(advisorPage, "/advisor/withdrawn", visited);

        // Programme staff: their programmes, the cohort and its dashboard with the box plots.
        var staffPage = await SignedInPageAsync(app, staff.Email!, violations, EnrolmentSetup.Password);
        foreach (var url in new[]
        {
            "/programmes", $"/programmes/{programme.ProgrammeId}", EnrolmentSetup.CohortUrl(programme.ProgrammeId, cohort),
            $"{EnrolmentSetup.CohortUrl(programme.ProgrammeId, cohort)}/dashboard", "/programmes/content",
        })
        {
            await VisitAsync(staffPage, url, visited);
        }

        // The admin: every admin page, roles saved on the interactive users page, and the Hangfire dashboard.
        var admin = await SignedInPageAsync(app, "admin@csp.test", violations);
        await VisitAsync(admin, "/admin/users", visited);
        await Expect(admin.Locator("table[data-interactive='true']")).ToBeVisibleAsync();
        var row = admin.GetByRole(AriaRole.Row).Filter(new() { HasText = "new.owner@csp.test" });
        await row.GetByLabel(PortalRoles.DisplayName(PortalRoles.ProgrammeStaff)).CheckAsync();
        await row.GetByRole(AriaRole.Button, new() { Name = "Save roles" }).ClickAsync();
        await Expect(row.GetByRole(AriaRole.Status)).ToHaveTextAsync("Saved");
        visited.Add("/admin/users (roles saved)");
        foreach (var url in new[]
        {
            "/admin/organisations", $"/admin/organisations/{organisation}", "/admin/programmes", $"/admin/programmes/{programme.ProgrammeId}",
            "/admin/emails", "/admin/audit", "/admin/jobs", "/admin/jobs/recurring", "/admin/jobs/jobs/succeeded",
        })
        {
            await VisitAsync(admin, url, visited);
        }

        foreach (var page in new[] { anonymous, newOwner, owner, advisorPage, staffPage, admin })
        {
            violations.AddRange((await page.EvaluateAsync<string[]>("() => window.__cspViolations ?? []")).Select(v => $"{page.Url}: {v}"));
            await page.CloseContextAsync();
        }

        Assert.True(violations.Count == 0, $"Violations on {visited.Count} pages:\n{string.Join('\n', violations.Distinct())}");
        Assert.True(visited.Count >= 30, string.Join(", ", visited));
    }

    private async Task<IPage> WatchedPageAsync(PortalApp app, List<string> violations)
    {
        var page = await chromium.NewPageAsync(app.BaseAddress);
        await page.AddInitScriptAsync(ViolationListener);
        page.Console += (_, message) =>
        {
            if (message.Text.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase) || message.Text.StartsWith("CSP violation", StringComparison.Ordinal))
            {
                lock (violations)
                {
                    violations.Add($"{page.Url}: {message.Text}");
                }
            }
        };
        page.PageError += (_, error) =>
        {
            lock (violations)
            {
                violations.Add($"{page.Url}: uncaught script error: {error}");
            }
        };
        return page;
    }

    private async Task<IPage> SignedInPageAsync(PortalApp app, string email, List<string> violations, string password = Password)
    {
        var page = await WatchedPageAsync(app, violations);
        await OwnerSteps.SignInAsync(page, email, password);
        return page;
    }

    /// <summary>Opens the page and waits until it has loaded everything it asks for (scripts, styles, the circuit's first requests).</summary>
    private static async Task VisitAsync(IPage page, string url, List<string> visited)
    {
        var response = await page.GotoAsync(url, new() { WaitUntil = WaitUntilState.NetworkIdle });
        Assert.True(response is not null && (response.Ok || url == "/no-such-page"), $"{url}: {response?.Status}");
        visited.Add(url);
    }
}
