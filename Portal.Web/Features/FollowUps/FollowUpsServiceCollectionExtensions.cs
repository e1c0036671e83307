using Hangfire;
using Microsoft.Extensions.Options;
using Portal.Web.Configuration;
using Portal.Web.Jobs;
using HttpResults = Microsoft.AspNetCore.Http.Results;

namespace Portal.Web.Features.FollowUps;

public static class FollowUpsServiceCollectionExtensions
{
    /// <summary>The outbox of emails: scheduling, dispatch, unsubscribe, preferences, the delivery log.</summary>
    public static WebApplicationBuilder AddPortalFollowUps(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddValidatedOptions<FollowUpOptions>(FollowUpOptions.SectionName);
        services.AddSingleton<UnsubscribeTokens>();
        services.AddSingleton<FollowUpMessages>();
        services.AddSingleton<Outbox>();
        services.AddSingleton<EmailPreferencesService>();
        services.AddSingleton<DeliveryLogService>();
        services.AddTransient<DispatchDueFollowUpsJob>();
        services.AddHostedService<FollowUpSchedule>();
        return builder;
    }

    /// <summary>
    /// <c>POST /email/unsubscribe/one-click?token=...</c>: RFC 8058 one-click unsubscribe, posted
    /// by mail programs with the body <c>List-Unsubscribe=One-Click</c>. No sign-in and no
    /// antiforgery token: the signed token is the authority.
    /// </summary>
    public static IEndpointConventionBuilder MapPortalFollowUps(this IEndpointRouteBuilder endpoints) =>
        endpoints.MapPost("/email/unsubscribe/one-click", async (string? token, EmailPreferencesService preferences, HttpContext http) =>
        {
            var outcome = await preferences.UnsubscribeAsync(token, http.RequestAborted);
            return outcome is null
                ? HttpResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "This unsubscribe link is not valid",
                    detail: "The link is incomplete or was changed. Use the link in your email, or sign in and choose your email preferences.")
                : HttpResults.Text("You are unsubscribed: the portal will send no more advice emails to this address.", "text/plain");
        }).AllowAnonymous().DisableAntiforgery();

    /// <summary>Registers the recurring dispatch once the host starts (after the database is ready).</summary>
    private sealed class FollowUpSchedule(IRecurringJobManager recurring, IOptions<FollowUpOptions> options) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            var minutes = options.Value.DispatchEveryMinutes;
            if (minutes == 0)
            {
                recurring.RemoveIfExists(DispatchDueFollowUpsJob.RecurringJobId);
            }
            else
            {
                recurring.AddOrUpdate<DispatchDueFollowUpsJob>(DispatchDueFollowUpsJob.RecurringJobId,
                    job => job.RunAsync(CancellationToken.None), minutes == 1 ? Cron.Minutely() : $"*/{minutes} * * * *");
            }

            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
