using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Portal.Tests.TestSupport;
using Portal.Web.Data;
using Portal.Web.Features.Accounts;

namespace Portal.Tests.Integration.Foundation;

public sealed class HealthAndStartupTests
{
    [Fact]
    public async Task Health_Answers200WithTheStateOfTheDatabase()
    {
        await using var app = new PortalApp();

        var response = await app.CreateClient().GetAsync("/health", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal("Healthy", json.RootElement.GetProperty("status").GetString());
        var database = json.RootElement.GetProperty("checks").GetProperty("database");
        Assert.Equal("Healthy", database.GetProperty("status").GetString());
        Assert.Contains("schema up to date", database.GetProperty("description").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    [Trait("Database", "SqliteOnly")]
    public async Task Startup_CreatesTheSqliteFileAndTheFourRoles()
    {
        await using var app = new PortalApp(o => o.UseSqlite());
        _ = app.Services; // starts the host

        Assert.True(File.Exists(Path.Combine(app.DataDirectory, "portal.db")));
        foreach (var role in PortalRoles.All)
        {
            var user = await app.CreateUserAsync($"{role.ToLowerInvariant()}@example.org", "Test-password-123", role);
            Assert.Equal([role], await app.RolesOfAsync(user.Email!));
        }
    }

    [Fact]
    public async Task DemoData_InDevelopment_CreatesOneConfirmedUserPerRole()
    {
        await using var app = new PortalApp(o =>
        {
            o.Settings["DemoData:Enabled"] = "true";
        });

        // The demo users come from appsettings.Development.json, as when a developer runs the portal.
        Assert.Equal([PortalRoles.Owner], await app.RolesOfAsync("owner@demo.test"));
        Assert.Equal([PortalRoles.Advisor], await app.RolesOfAsync("advisor@demo.test"));
        Assert.Equal([PortalRoles.ProgrammeStaff], await app.RolesOfAsync("staff@demo.test"));
        Assert.Equal([PortalRoles.Admin], await app.RolesOfAsync("admin@demo.test"));
        var signedIn = await app.SignedInClientAsync("admin@demo.test", "Demo-admin-2026");
        Assert.Equal(HttpStatusCode.OK, (await signedIn.GetAsync("/admin/users", TestContext.Current.CancellationToken)).StatusCode);
    }

    [Fact]
    public async Task DemoData_OutsideDevelopment_IsNeverCreated()
    {
        await using var app = new PortalApp(o =>
        {
            o.Environment = "Production";
            o.Settings["DemoData:Enabled"] = "true";
            o.Settings["DemoData:Users:0:Email"] = "owner@demo.test";
            o.Settings["DemoData:Users:0:Role"] = PortalRoles.Owner;
            o.Settings["DemoData:Users:0:Password"] = "Demo-owner-2026";
        });

        // The host is up and refused on purpose (not, say, because it failed to start).
        var health = await app.CreateClient().GetAsync("/health", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Contains(app.Logs.Lines, l => l.Contains("DemoData:Enabled is ignored outside the Development environment.", StringComparison.Ordinal));
        await using var scope = app.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<PortalUser>>();
        Assert.Null(await users.FindByEmailAsync("owner@demo.test"));
        Assert.Empty(users.Users);
    }
}
