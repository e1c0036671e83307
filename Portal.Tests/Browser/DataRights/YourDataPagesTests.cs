using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using Portal.Tests.Integration.DataRights;
using Portal.Tests.TestSupport;
using static Microsoft.Playwright.Assertions;

namespace Portal.Tests.Browser.DataRights;

/// <summary>
/// An owner downloads their firm's data and deletes the firm and account in Chromium: the
/// nav link, the download's name and content, a wrong confirmation refused beside the field,
/// then the deletion and the signed-out page. Screenshots at 1280 and 375 px, no serious or
/// critical axe violations, no sideways scrolling on a phone.
/// </summary>
public sealed class YourDataPagesTests(Chromium chromium, MailDevServer mail)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Owner_DownloadsTheFirmsData_ThenDeletesTheFirmAndAccount()
    {
        await using var s = await DataRightsScenario.CreateAsync(mail, realServer: true);
        var violations = new List<string>();
        var page = await chromium.NewPageAsync(s.App.BaseAddress);
        try
        {
            await OwnerSteps.SignInAsync(page, s.OwnerEmail, DataRightsScenario.Password);
            await page.GetByRole(AriaRole.Link, new() { Name = "Your data" }).ClickAsync();
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Your data", Level = 1 })).ToBeVisibleAsync();
            await page.LookAsync("your-data", violations);

            var download = await page.RunAndWaitForDownloadAsync(() =>
                page.GetByRole(AriaRole.Link, new() { Name = "Download your firm's data as a JSON file" }).ClickAsync());
            Assert.StartsWith("kestrel-céramique-", download.SuggestedFilename, StringComparison.Ordinal);
            Assert.EndsWith(".json", download.SuggestedFilename, StringComparison.Ordinal);
            var json = JsonNode.Parse(await File.ReadAllTextAsync(await download.PathAsync(), Ct))!;
            Assert.Equal(s.FirmName, (string)json["firm"]!["name"]!);
            Assert.Equal(2, json["assessments"]!.AsArray().Count);

            await page.GetByRole(AriaRole.Link, new() { Name = "Delete your firm and account" }).ClickAsync();
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Delete your firm and account", Level = 1 })).ToBeVisibleAsync();
            await Expect(page.GetByTestId("co-owners")).ToContainTextAsync("keeps their account");
            await page.LookAsync("delete-firm", violations);

            // A slip in the name: refused beside the field, which keeps what was typed.
            var name = page.GetByLabel("Type your firm's name");
            await name.FillAsync("Kestrel Ceramics");
            await page.GetByLabel("Your password").FillAsync(DataRightsScenario.Password);
            await page.GetByRole(AriaRole.Button, new() { Name = "Delete my firm and account" }).ClickAsync();
            await Expect(page.Locator("#error-confirm-name")).ToContainTextAsync($"What you typed is not “{s.FirmName}”");
            await Expect(name).ToHaveValueAsync("Kestrel Ceramics");
            await Expect(name).ToHaveAttributeAsync("aria-invalid", "true");
            await Expect(page.Locator(".error-summary")).ToBeVisibleAsync();
            await page.LookAsync("delete-firm-refused", violations);

            await name.FillAsync(s.FirmName);
            await page.GetByLabel("Your password").FillAsync(DataRightsScenario.Password);
            await page.GetByRole(AriaRole.Button, new() { Name = "Delete my firm and account" }).ClickAsync();
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Your firm and account have been deleted" })).ToBeVisibleAsync();
            await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Sign in" })).ToBeVisibleAsync();
            await page.LookAsync("firm-deleted", violations);

            Assert.False(await s.App.QueryAsync(db => db.Firms.AnyAsync(f => f.Id == s.FirmId, Ct)));
            Assert.True(violations.Count == 0, string.Join("\n", violations));
        }
        finally
        {
            await page.CloseContextAsync();
        }
    }
}
