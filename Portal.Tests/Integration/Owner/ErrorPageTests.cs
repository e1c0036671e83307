using System.Net;
using Portal.Tests.TestSupport;
using Portal.Web.Features.Accounts;

namespace Portal.Tests.Integration.Owner;

/// <summary>
/// Outside Development an unexpected failure shows the portal's error page: it says what
/// happened in plain words, that saved answers are safe, and gives a reference for support.
/// Here the failure is real: a "Chromium" that exits with an error when asked for the PDF.
/// </summary>
public sealed class ErrorPageTests : IAsyncLifetime
{
    private const string Password = "Test-password-123";
    private readonly PortalApp app = new(o =>
    {
        o.Environment = "Production";
        o.Settings["Pdf:ChromiumPath"] = "/bin/false";
    });

    private Guid results;

    public async ValueTask InitializeAsync()
    {
        var owner = await app.CreateUserAsync("owner@example.org", Password, PortalRoles.Owner);
        results = await app.SubmitPersonaAsync(owner.Id, "lew-b", "Wenzhou Shoes Co");
    }

    public ValueTask DisposeAsync() => app.DisposeAsync();

    [Fact]
    public async Task AFailure_ShowsTheErrorPage_WithAReference_AndNoDetailsOfTheFailure()
    {
        var client = await app.SignedInClientAsync("owner@example.org", Password);

        var response = await client.GetAsync($"/results/{results}/report.pdf", TestContext.Current.CancellationToken);
        var page = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("<h1>Sorry, there is a problem with the service</h1>", page, StringComparison.Ordinal);
        Assert.Contains("Nothing you had already saved has been lost.", page, StringComparison.Ordinal);
        Assert.Matches("If you contact support, quote this reference: <code>[^<]{8,}</code>", page);
        Assert.Contains("portal-nav", page, StringComparison.Ordinal); // the site's layout, with its way back
        Assert.Contains("<a href>Go to the start page</a>", page, StringComparison.Ordinal); // href="": the base, the start page
        Assert.DoesNotContain("InvalidOperationException", page, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", page, StringComparison.Ordinal); // no stack trace
    }
}
