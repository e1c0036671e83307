using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using Portal.Web.Configuration;
using HttpResults = Microsoft.AspNetCore.Http.Results;

namespace Portal.Web.Features.Security;

public static class SecurityServiceCollectionExtensions
{
    /// <summary>Rate limits of the account forms, what a refused request gets, antiforgery cookies and log hygiene.</summary>
    public static WebApplicationBuilder AddPortalSecurity(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddValidatedOptions<RateLimitOptions>(RateLimitOptions.SectionName);
        services.AddRateLimiter(limiter =>
        {
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.AddPolicy(AccountRateLimits.SignIn, context => PostsPerAddress(context, o => o.SignIn));
            limiter.AddPolicy(AccountRateLimits.Registration, context => PostsPerAddress(context, o => o.Registration));
            limiter.AddPolicy(AccountRateLimits.AccountEmails, context => PostsPerAddress(context, o => o.AccountEmails));
            limiter.OnRejected = RejectedAsync;
        });

        services.AddAntiforgery(antiforgery =>
        {
            // Secure over HTTPS (the default never marks it Secure); HttpOnly and SameSite=Strict are the defaults.
            antiforgery.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            // SecurityHeadersMiddleware sends X-Frame-Options: DENY on every response, not only on forms.
            antiforgery.SuppressXFrameOptionsHeader = true;
        });

        builder.Logging.AddPortalLogHygiene();
        return builder;
    }

    private static RateLimitPartition<string> PostsPerAddress(HttpContext context, Func<RateLimitOptions, RateLimit> pick)
    {
        if (!HttpMethods.IsPost(context.Request.Method))
        {
            return RateLimitPartition.GetNoLimiter("read");
        }

        var limit = pick(context.RequestServices.GetRequiredService<IOptions<RateLimitOptions>>().Value);
        return RateLimitPartition.GetFixedWindowLimiter(
            ClientAddress.PartitionKey(context),
            _ => new FixedWindowRateLimiterOptions { PermitLimit = limit.Permits, Window = limit.Window, QueueLimit = 0 });
    }

    /// <summary>
    /// Retry-After on every refusal. The JSON API answers with problem details; a page is left
    /// without a body, so the status code page (/error/429) explains it in the portal's layout
    /// and reads the same Retry-After to say when to try again.
    /// </summary>
    private static async ValueTask RejectedAsync(OnRejectedContext context, CancellationToken token)
    {
        var http = context.HttpContext;
        var wait = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : TimeSpan.FromMinutes(1);
        var seconds = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds));
        http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        if (http.Request.Path.StartsWithSegments("/api"))
        {
            await HttpResults.Problem(new ProblemDetails
            {
                Status = StatusCodes.Status429TooManyRequests,
                Title = "Too many requests",
                Detail = $"This address has sent more requests than the portal allows in a short time. Wait {RetryAfterText.Describe(seconds)} and try again.",
            }).ExecuteAsync(http);
        }
    }
}
