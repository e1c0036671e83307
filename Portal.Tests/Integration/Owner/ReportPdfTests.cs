using Microsoft.Extensions.DependencyInjection;
using Portal.Tests.TestSupport;
using Portal.Web.Features.Results;

namespace Portal.Tests.Integration.Owner;

/// <summary>The PDF is printed only from a print view that answers 200: never a "Page not found" printed as a report.</summary>
public sealed class ReportPdfTests : IAsyncLifetime
{
    private readonly PortalApp app = new(o => o.RealServer = true);

    public ValueTask InitializeAsync()
    {
        _ = app.BaseAddress; // starts the real server Chromium would print from
        return ValueTask.CompletedTask;
    }

    public ValueTask DisposeAsync() => app.DisposeAsync();

    [Fact]
    public async Task APrintViewThatAnswers404_GivesNoPdf()
    {
        var pdf = app.Services.GetRequiredService<ReportPdfService>();
        Assert.True(pdf.IsAvailable, "Chromium is installed (./test.sh installs it)");

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => pdf.RenderAsync(Guid.NewGuid(), TestContext.Current.CancellationToken));

        Assert.Equal("The print view answered 404, not 200: no PDF was made.", error.Message);
        var logged = Assert.Single(app.Logs.Lines, l => l.Contains("answered 404; no PDF is made from it", StringComparison.Ordinal));
        Assert.DoesNotContain("token", logged, StringComparison.Ordinal); // the signed token stays out of the log
    }
}
