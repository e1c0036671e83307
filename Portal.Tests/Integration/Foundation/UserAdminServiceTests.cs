using Microsoft.Extensions.DependencyInjection;
using Portal.Tests.TestSupport;
using Portal.Web.Features.Accounts;
using Portal.Web.Features.Admin;

namespace Portal.Tests.Integration.Foundation;

public sealed class UserAdminServiceTests
{
    [Fact]
    public async Task SetRoles_GivesExactlyTheChosenRoles()
    {
        await using var app = new PortalApp();
        var user = await app.CreateUserAsync("someone@example.org", "Test-password-123", PortalRoles.Owner);
        var admin = app.Services.GetRequiredService<UserAdminService>();

        var result = await admin.SetRolesAsync(user.Id, [PortalRoles.Advisor, PortalRoles.ProgrammeStaff], TestContext.Current.CancellationToken);

        Assert.True(result.Succeeded, result.Error);
        Assert.Equal([PortalRoles.Advisor, PortalRoles.ProgrammeStaff], (await app.RolesOfAsync("someone@example.org")).Order());
    }

    [Fact]
    public async Task SetRoles_RefusesToRemoveTheLastAdmin()
    {
        await using var app = new PortalApp();
        var only = await app.CreateUserAsync("only.admin@example.org", "Test-password-123", PortalRoles.Admin);
        var admin = app.Services.GetRequiredService<UserAdminService>();

        var result = await admin.SetRolesAsync(only.Id, [PortalRoles.Owner], TestContext.Current.CancellationToken);

        Assert.False(result.Succeeded);
        Assert.Contains("only Admin", result.Error, StringComparison.Ordinal);
        Assert.Equal([PortalRoles.Admin], await app.RolesOfAsync("only.admin@example.org"));
    }

    [Fact]
    public async Task SetRoles_RefusesUnknownRoles()
    {
        await using var app = new PortalApp();
        var user = await app.CreateUserAsync("someone@example.org", "Test-password-123", PortalRoles.Owner);
        var admin = app.Services.GetRequiredService<UserAdminService>();

        var result = await admin.SetRolesAsync(user.Id, ["SuperUser"], TestContext.Current.CancellationToken);

        Assert.False(result.Succeeded);
        Assert.Equal([PortalRoles.Owner], await app.RolesOfAsync("someone@example.org"));
    }

    [Fact]
    public async Task List_SearchesAndPagesInTheDatabase()
    {
        await using var app = new PortalApp();
        for (var i = 0; i < 30; i++)
        {
            await app.CreateUserAsync($"firm{i:00}@example.org", "Test-password-123", PortalRoles.Owner);
        }

        await app.CreateUserAsync("advisor@agency.example", "Test-password-123", PortalRoles.Advisor);
        var admin = app.Services.GetRequiredService<UserAdminService>();

        var first = await admin.ListAsync(null, 1, TestContext.Current.CancellationToken);
        var second = await admin.ListAsync(null, 2, TestContext.Current.CancellationToken);
        var search = await admin.ListAsync("agency", 1, TestContext.Current.CancellationToken);

        Assert.Equal(31, first.Total);
        Assert.Equal(UserAdminService.PageSize, first.Users.Count);
        Assert.Equal(31 - UserAdminService.PageSize, second.Users.Count);
        Assert.Empty(first.Users.Select(u => u.Id).Intersect(second.Users.Select(u => u.Id)));
        var found = Assert.Single(search.Users);
        Assert.Equal([PortalRoles.Advisor], found.Roles);
    }
}
