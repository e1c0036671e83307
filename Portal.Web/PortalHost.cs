using Microsoft.Extensions.Options;
using Portal.Web.Components;
using Portal.Web.Features.Security;

namespace Portal.Web;

/// <summary>The web pipeline and the Razor UI; the feature registrations live in their folders.</summary>
public static class PortalHost
{
    public static WebApplicationBuilder AddPortalUi(this WebApplicationBuilder builder)
    {
        builder.Services.AddRazorComponents().AddInteractiveServerComponents();
        return builder;
    }

    public static WebApplication UsePortalPipeline(this WebApplication app)
    {
        // First, so every response carries the headers: errors, redirects, static files.
        app.UsePortalSecurityHeaders();
        if (!app.Environment.IsDevelopment())
        {
            app.UseExceptionHandler("/Error", createScopeForErrors: true);
            app.UseHsts();
            app.UseHttpsRedirection();
        }

        // 403 and 404 (and other bodiless errors) get a page that says what happened. It must
        // wrap authorization, so authentication and authorization are placed explicitly after it.
        app.UseStatusCodePagesWithReExecute("/error/{0}", createScopeForStatusCodePages: true);
        app.Use(ApiStatusCodes);
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseRateLimiter();
        app.UseAntiforgery();
        return app;
    }

    /// <summary>
    /// The JSON API answers bodiless errors (401, 403, 404) with problem details, not the error
    /// page: re-executing a refused POST as the page would also turn it into the page's
    /// antiforgery 400.
    /// </summary>
    private static async Task ApiStatusCodes(HttpContext http, RequestDelegate next)
    {
        if (!http.Request.Path.StartsWithSegments("/api"))
        {
            await next(http);
            return;
        }

        if (http.Features.Get<Microsoft.AspNetCore.Diagnostics.IStatusCodePagesFeature>() is { } pages)
        {
            pages.Enabled = false;
        }

        await next(http);
        if (http.Response is { StatusCode: >= 400, HasStarted: false, ContentLength: null } && string.IsNullOrEmpty(http.Response.ContentType))
        {
            await http.RequestServices.GetRequiredService<IProblemDetailsService>()
                .TryWriteAsync(new ProblemDetailsContext { HttpContext = http });
        }
    }

    public static WebApplication MapPortalUi(this WebApplication app)
    {
        app.MapStaticAssets();
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode();
        app.MapAdditionalIdentityEndpoints();
        return app;
    }

    /// <summary>
    /// Checks every validated setting before anything uses one. A wrong value stops the portal
    /// with one line per problem naming the setting (exit code 1), instead of a stack trace.
    /// </summary>
    public static bool HasValidSettings(this WebApplication app)
    {
        var problems = new List<string>();
        try
        {
            app.Services.GetRequiredService<IStartupValidator>().Validate();
        }
        catch (OptionsValidationException e)
        {
            problems.AddRange(e.Failures);
        }
        catch (AggregateException e)
        {
            problems.AddRange(e.InnerExceptions.OfType<OptionsValidationException>().SelectMany(v => v.Failures));
            problems.AddRange(e.InnerExceptions.Where(i => i is not OptionsValidationException).Select(i => i.Message));
        }
        catch (InvalidOperationException e) when (e.Message.StartsWith("Failed to convert configuration value", StringComparison.Ordinal))
        {
            // The binder names the setting (e.g. 'Email:Smtp:Security') and the type it expected.
            problems.Add(e.Message);
        }

        if (problems.Count == 0)
        {
            return true;
        }

        Console.Error.WriteLine("The portal cannot start: its configuration is invalid.");
        foreach (var problem in problems)
        {
            Console.Error.WriteLine($"  - {problem}");
        }

        Console.Error.WriteLine("Fix the settings in appsettings.json or the environment variables, then start it again.");
        return false;
    }
}
