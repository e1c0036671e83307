using System.Text;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using Portal.Web.Data;
using Portal.Web.Features.Accounts;

namespace Portal.Web.Features.DemoData;

/// <summary>
/// On the first run in Development, creates one confirmed user per role and prints their
/// sign-in details once to the console (not to the log, which may be shipped elsewhere), then
/// the advisors' demo: an organisation and the case firms sharing with it, then the programme
/// staff's demo: a programme with a cohort of those firms.
/// </summary>
internal sealed class DemoDataStartup(
    IServiceScopeFactory scopes, IOptions<DemoDataOptions> options, IHostEnvironment environment, ILogger<DemoDataStartup> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var demo = options.Value;
        if (!demo.Enabled)
        {
            return;
        }

        if (!environment.IsDevelopment())
        {
            logger.LogWarning("DemoData:Enabled is ignored outside the Development environment.");
            return;
        }

        await using var scope = scopes.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<PortalUser>>();
        var created = new StringBuilder();
        foreach (var demoUser in demo.Users)
        {
            if (await users.FindByEmailAsync(demoUser.Email) is not null)
            {
                continue;
            }

            var user = new PortalUser { UserName = demoUser.Email, Email = demoUser.Email, EmailConfirmed = true };
            Check(await users.CreateAsync(user, demoUser.Password), demoUser.Email);
            Check(await users.AddToRoleAsync(user, demoUser.Role), demoUser.Email);
            created.AppendLine($"  {PortalRoles.DisplayName(demoUser.Role),-16} {demoUser.Email,-24} {demoUser.Password}");
        }

        if (created.Length > 0)
        {
            Console.WriteLine($"""

                Demo users created (Development only; shown once):
                {created}
                """);
        }

        if (await DemoAdvisorData.SeedAsync(scope.ServiceProvider, demo, cancellationToken) is { } advisorDemo)
        {
            Console.WriteLine($"Demo data: {advisorDemo}");
        }

        if (await DemoProgrammeData.SeedAsync(scope.ServiceProvider, demo, cancellationToken) is { } programmeDemo)
        {
            Console.WriteLine($"Demo data: {programmeDemo}");
        }
    }

    private static void Check(IdentityResult result, string email)
    {
        if (!result.Succeeded)
        {
            throw new InvalidOperationException($"Could not create demo user {email}: {string.Join("; ", result.Errors.Select(e => e.Description))}");
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
