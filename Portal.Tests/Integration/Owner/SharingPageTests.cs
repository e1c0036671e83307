using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Portal.Tests.TestSupport;
using Portal.Web.Features.Accounts;
using Portal.Web.Features.Admin;
using Portal.Web.Features.Sharing;

namespace Portal.Tests.Integration.Owner;

/// <summary>The owner shares and stops sharing through the sharing page's own forms, as a browser posts them.</summary>
public sealed class SharingPageTests : IAsyncLifetime
{
    private const string Password = "Test-password-123";
    private readonly PortalApp app = new();
    private string owner = "";
    private Guid organisation;

    public async ValueTask InitializeAsync()
    {
        owner = (await app.CreateUserAsync("owner@example.org", Password, PortalRoles.Owner)).Id;
        var admin = app.Services.GetRequiredService<OrganisationAdminService>();
        Assert.Null(await admin.CreateAsync("Scottish Enterprise", "Trade advisors for Scottish firms"));
        Assert.Null(await admin.CreateAsync("Chamber of Commerce", null));
        organisation = (await admin.ListAsync()).Single(o => o.Name == "Scottish Enterprise").Id;
    }

    public ValueTask DisposeAsync() => app.DisposeAsync();

    [Fact]
    public async Task Sharing_ThenStopping_ThroughTheForm_SaysWhatHappened_AndIsStored()
    {
        var client = await app.SignedInClientAsync("owner@example.org", Password);
        var sharing = app.Services.GetRequiredService<SharingService>();

        var before = await client.GetStringAsync("/firm/sharing", TestContext.Current.CancellationToken);
        Assert.Contains("What an organisation you share with can see", before, StringComparison.Ordinal);
        Assert.Contains("Share my results<span class=\"visually-hidden\"> with Scottish Enterprise</span>", before, StringComparison.Ordinal);

        var shared = await client.SubmitFormAsync("/firm/sharing", $"share-{organisation}", []);
        var sharedPage = await shared.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, shared.StatusCode);
        Assert.Contains("Scottish Enterprise can now see your results.", sharedPage, StringComparison.Ordinal);
        Assert.Contains("Stop sharing<span class=\"visually-hidden\"> with Scottish Enterprise</span>", sharedPage, StringComparison.Ordinal);
        Assert.Contains(await sharing.ListAsync(owner), o => o.Id == organisation && o.Shared);
        Assert.Contains(await sharing.ListAsync(owner), o => o.Name == "Chamber of Commerce" && !o.Shared); // only the one chosen

        var stopped = await client.SubmitFormAsync("/firm/sharing", $"share-{organisation}", []);
        var stoppedPage = await stopped.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, stopped.StatusCode);
        Assert.Contains("You have stopped sharing with Scottish Enterprise. Its advisors can no longer see your firm.", stoppedPage, StringComparison.Ordinal);
        Assert.DoesNotContain(await sharing.ListAsync(owner), o => o.Shared);
    }
}
