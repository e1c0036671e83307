using System.Net;
using Portal.Tests.TestSupport;
using Portal.Web.Features.Accounts;

namespace Portal.Tests.Integration.Foundation;

/// <summary>The job dashboard and the users page are for Admins only, enforced on the server.</summary>
public sealed class AdminAccessTests : IAsyncLifetime
{
    private const string Password = "Test-password-123";
    private readonly PortalApp app = new();

    public async ValueTask InitializeAsync()
    {
        await app.CreateUserAsync("owner@example.org", Password, PortalRoles.Owner);
        await app.CreateUserAsync("advisor@example.org", Password, PortalRoles.Advisor);
        await app.CreateUserAsync("admin@example.org", Password, PortalRoles.Admin);
    }

    public ValueTask DisposeAsync() => app.DisposeAsync();

    [Theory]
    [InlineData("/admin/jobs")]
    [InlineData("/admin/users")]
    [InlineData("/admin/organisations")]
    [InlineData("/admin/programmes")]
    public async Task Anonymous_IsSentToSignIn(string path)
    {
        var response = await app.CreateBrowserlikeClient().GetAsync(path, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var location = response.Headers.Location!.ToString();
        Assert.Contains("/Account/Login", location, StringComparison.Ordinal);
        Assert.Contains($"ReturnUrl={Uri.EscapeDataString(path)}", location, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/admin/jobs", "owner@example.org")]
    [InlineData("/admin/users", "owner@example.org")]
    [InlineData("/admin/jobs", "advisor@example.org")]
    [InlineData("/admin/users", "advisor@example.org")]
    [InlineData("/admin/organisations", "owner@example.org")]
    [InlineData("/admin/organisations", "advisor@example.org")]
    [InlineData("/admin/programmes", "owner@example.org")]
    [InlineData("/admin/programmes", "advisor@example.org")]
    public async Task SignedInWithoutAdminRole_Gets403WithAnExplanation(string path, string email)
    {
        var client = await app.SignedInClientAsync(email, Password);

        var response = await client.GetAsync(path, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("You do not have access to this page", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Admin_SeesTheJobDashboard()
    {
        var client = await app.SignedInClientAsync("admin@example.org", Password);

        var response = await client.GetAsync("/admin/jobs", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("Portal jobs", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Admin_CreatesAnOrganisation_ThroughTheForm()
    {
        var client = await app.SignedInClientAsync("admin@example.org", Password);

        var response = await client.SubmitFormAsync("/admin/organisations", "create-organisation", new()
        {
            ["Input.Name"] = "Scottish Development International",
            ["Input.Description"] = "Trade advisors for Scottish firms",
        });
        var page = await client.GetStringAsync("/admin/organisations", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("Scottish Development International", page, StringComparison.Ordinal);
        Assert.Contains("Trade advisors for Scottish firms", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Admin_SeesEveryUserWithTheirRoles()
    {
        var client = await app.SignedInClientAsync("admin@example.org", Password);

        var page = await client.GetStringAsync("/admin/users", TestContext.Current.CancellationToken);

        Assert.Contains("owner@example.org", page, StringComparison.Ordinal);
        Assert.Contains("advisor@example.org", page, StringComparison.Ordinal);
        Assert.Contains("3 accounts", page, StringComparison.Ordinal);
    }
}
