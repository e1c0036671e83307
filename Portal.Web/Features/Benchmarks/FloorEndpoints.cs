using System.Text.Json;
using Microsoft.Extensions.Options;
using Portal.Domain.Scoring;
using Portal.Web.Configuration;
using Portal.Web.Features.Accounts;
using Portal.Web.Features.Advisors;
using Portal.Web.Features.Programmes;
using Portal.Web.Features.Results;
using HttpResults = Microsoft.AspNetCore.Http.Results;

namespace Portal.Web.Features.Benchmarks;

/// <summary>
/// The floor of three pages for <c>scripts/bench-pages.sh</c>: each endpoint calls the same
/// service methods as its page, under the same role and access rules, and writes what they
/// read as JSON instead of rendering HTML. The page's time over the floor's is what rendering
/// costs. Only in Development with <c>Benchmarks:FloorEndpoints</c> on; otherwise not mapped
/// at all, so a deployed portal has no such routes.
/// </summary>
public static class FloorEndpoints
{
    public const string Prefix = "/benchmarks/floor";

    public static WebApplicationBuilder AddPortalBenchmarks(this WebApplicationBuilder builder)
    {
        builder.Services.AddValidatedOptions<BenchmarkOptions>(BenchmarkOptions.SectionName);
        return builder;
    }

    public static WebApplication MapPortalFloorEndpoints(this WebApplication app)
    {
        if (!app.Services.GetRequiredService<IOptions<BenchmarkOptions>>().Value.FloorEndpoints)
        {
            return app;
        }

        if (!app.Environment.IsDevelopment())
        {
            app.Logger.LogWarning("Benchmarks:FloorEndpoints is ignored outside the Development environment.");
            return app;
        }

        var floor = app.MapGroup(Prefix);

        // As /advisor with no filter: the advisor's organisation, the filter check, page 1 by priority.
        floor.MapGet("/advisor", async (HttpContext http, AdvisorAccess access, TriageQueueService queue) =>
        {
            var ct = http.RequestAborted;
            if (await access.ForUserAsync(http.User.UserId(), ct) is not { } advisor)
            {
                return HttpResults.NotFound();
            }

            var filter = new QueueFilter();
            await queue.CheckAsync(advisor, filter, ct);
            var page = await queue.ListAsync(advisor, filter, ct);
            return HttpResults.Json(new
            {
                page.Total,
                page.SharingTotal,
                page.WithdrawnTotal,
                page.Page,
                page.PageCount,
                Rows = page.Rows.Select(r => new
                {
                    r.FirmId,
                    r.FirmName,
                    r.TriagePriority,
                    r.BandName,
                    r.StageName,
                    Flags = r.Flags.Select(f => f.Name),
                    r.Sector,
                    r.HomeCountry,
                    r.Status,
                    r.AssignedAdvisorEmail,
                    r.DaysSinceSubmission,
                    r.DaysSinceContact,
                    r.Overdue,
                }),
                page.Advisors,
                page.HomeCountries,
            });
        }).RequireAuthorization(policy => policy.RequireRole(PortalRoles.Advisor));

        // As /results/{id}: another firm's id, a draft or no such assessment is 404.
        floor.MapGet("/results/{id:guid}", async (Guid id, HttpContext http, ResultsService results) =>
        {
            var view = await results.GetForOwnerAsync(http.User.UserId(), id, http.RequestAborted);
            return view is null
                ? HttpResults.NotFound()
                : HttpResults.Json(new
                {
                    view.AssessmentId,
                    view.Number,
                    view.SubmittedAt,
                    view.FirmName,
                    view.Report,
                    view.Previous,
                    view.PreviousNumber,
                    view.Emails,
                    Zone = view.Zone.Id,
                    view.Rescored,
                }, ReportJson);
        }).RequireAuthorization(policy => policy.RequireRole(PortalRoles.Owner));

        // As the cohort dashboard: staff of another programme, or a cohort of another programme, is 404.
        floor.MapGet("/programmes/{programmeId:guid}/cohorts/{cohortId:guid}/dashboard", async (Guid programmeId, Guid cohortId, HttpContext http, CohortDashboardService dashboards) =>
        {
            var ct = http.RequestAborted;
            var scope = await dashboards.FindAsync(http.User.UserId(), programmeId, cohortId, ct);
            return scope is null ? HttpResults.NotFound() : HttpResults.Json(await dashboards.GetAsync(scope, ct));
        }).RequireAuthorization(policy => policy.RequireRole(PortalRoles.ProgrammeStaff));

        return app;
    }

    private static readonly JsonSerializerOptions ReportJson = AssessmentReport.JsonOptions;
}
