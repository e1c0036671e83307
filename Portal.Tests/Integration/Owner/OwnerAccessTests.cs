using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Portal.Tests.TestSupport;
using Portal.Web.Features.Accounts;
using Portal.Web.Features.Results;

namespace Portal.Tests.Integration.Owner;

/// <summary>An owner reaches only their own firm's assessments, results, report and PDF; others get 404, anonymous people sign in.</summary>
public sealed class OwnerAccessTests : IAsyncLifetime
{
    private const string Password = "Test-password-123";
    private readonly PortalApp app = new(o => o.Settings["Pdf:ChromiumPath"] = "/nonexistent/chromium");
    private Guid firmAResults;

    public async ValueTask InitializeAsync()
    {
        var a = await app.CreateUserAsync("a@example.org", Password, PortalRoles.Owner);
        await app.CreateUserAsync("b@example.org", Password, PortalRoles.Owner);
        firmAResults = await app.SubmitPersonaAsync(a.Id, "lew-b", "Wenzhou Shoes Co");
    }

    public ValueTask DisposeAsync() => app.DisposeAsync();

    [Fact]
    public async Task Owner_SeesOwnResults()
    {
        var client = await app.SignedInClientAsync("a@example.org", Password);

        var page = await client.GetStringAsync($"/results/{firmAResults}", TestContext.Current.CancellationToken);

        Assert.Contains("Wenzhou Shoes Co", page, StringComparison.Ordinal);
        Assert.Contains("Your action plan", page, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/results/{0}")]
    [InlineData("/results/{0}/report.pdf")]
    [InlineData("/results/{0}/print")]
    [InlineData("/results/{0}/print?token=forged")]
    public async Task OtherFirmsOwner_Gets404(string path)
    {
        var client = await app.SignedInClientAsync("b@example.org", Password);

        var response = await client.GetAsync(string.Format(System.Globalization.CultureInfo.InvariantCulture, path, firmAResults), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.DoesNotContain("Wenzhou", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }

    [Fact]
    public async Task OtherFirmsOwner_SeesOnlyTheirOwnAssessment()
    {
        var client = await app.SignedInClientAsync("b@example.org", Password);

        var overview = await client.GetStringAsync("/assessment", TestContext.Current.CancellationToken);
        var check = await client.GetStringAsync("/assessment/check", TestContext.Current.CancellationToken);

        Assert.DoesNotContain("Wenzhou", overview + check, StringComparison.Ordinal);
        Assert.Contains("You have not submitted an assessment yet", overview, StringComparison.Ordinal);
    }

    [Fact]
    public async Task APrintTokenForAnotherAssessment_DoesNotOpenThisOne()
    {
        var pdf = app.Services.GetRequiredService<ReportPdfService>();
        var token = pdf.CreatePrintToken(Guid.NewGuid());

        var response = await app.CreateClient().GetAsync($"/results/{firmAResults}/print?token={Uri.EscapeDataString(token)}", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task AValidPrintToken_OpensThePrintViewOfThatAssessmentOnly()
    {
        var token = app.Services.GetRequiredService<ReportPdfService>().CreatePrintToken(firmAResults);

        var response = await app.CreateClient().GetAsync($"/results/{firmAResults}/print?token={Uri.EscapeDataString(token)}", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var html = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.Contains("Wenzhou Shoes Co", html, StringComparison.Ordinal);
        Assert.DoesNotContain("portal-nav", html, StringComparison.Ordinal); // the report alone
    }

    [Theory]
    [InlineData("/assessment")]
    [InlineData("/assessment/section/profile")]
    [InlineData("/assessment/check")]
    [InlineData("/results/{0}")]
    [InlineData("/results/{0}/report.pdf")]
    [InlineData("/firm/sharing")]
    public async Task Anonymous_IsSentToSignIn(string path)
    {
        var response = await app.CreateBrowserlikeClient().GetAsync(string.Format(System.Globalization.CultureInfo.InvariantCulture, path, firmAResults), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Contains("/Account/Login", response.Headers.Location!.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task WithoutChromium_ThePdfDownloadSaysWhatToDoInstead()
    {
        var client = await app.SignedInClientAsync("a@example.org", Password);

        var response = await client.GetAsync($"/results/{firmAResults}/report.pdf", TestContext.Current.CancellationToken);
        var page = await client.GetStringAsync($"/results/{firmAResults}", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Contains("use your browser's Print", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
        Assert.Contains("PDF download is not available on this server", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ASectionAfterSubmission_LeadsBackToTheOverview()
    {
        var client = await app.SignedInClientAsync("a@example.org", Password);

        var response = await client.GetAsync("/assessment/section/capacity", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.EndsWith("/assessment", response.Headers.Location!.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnknownSection_Is404()
    {
        var client = await app.SignedInClientAsync("b@example.org", Password);

        var response = await client.GetAsync("/assessment/section/no-such-section", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }
}
