using System.Globalization;
using System.Text;
using Portal.Web.Features.Accounts;
using HttpResults = Microsoft.AspNetCore.Http.Results;

namespace Portal.Web.Features.Programmes;

/// <summary>
/// <c>GET /programmes/{programmeId}/cohorts/{cohortId}/export/firms.csv|firms.xlsx|factors.csv|factors.xlsx</c>:
/// programme staff only (others 403), and only staff of that programme (others 404, as the dashboard).
/// </summary>
public static class CohortExportEndpoints
{
    public static IEndpointConventionBuilder MapPortalCohortExports(this IEndpointRouteBuilder endpoints)
    {
        var exports = endpoints.MapGroup("/programmes/{programmeId:guid}/cohorts/{cohortId:guid}/export")
            .RequireAuthorization(policy => policy.RequireRole(PortalRoles.ProgrammeStaff));
        exports.MapGet("/firms.csv", (Guid programmeId, Guid cohortId, HttpContext http, CohortDashboardService dashboards, CohortExportService export) =>
            ExportAsync(http, dashboards, programmeId, cohortId, "firms", "csv", scope => export.FirmsAsync(scope, http.User.UserId(), "CSV", http.RequestAborted)));
        exports.MapGet("/firms.xlsx", (Guid programmeId, Guid cohortId, HttpContext http, CohortDashboardService dashboards, CohortExportService export) =>
            ExportAsync(http, dashboards, programmeId, cohortId, "firms", "xlsx", scope => export.FirmsAsync(scope, http.User.UserId(), "Excel", http.RequestAborted)));
        exports.MapGet("/factors.csv", (Guid programmeId, Guid cohortId, HttpContext http, CohortDashboardService dashboards, CohortExportService export) =>
            ExportAsync(http, dashboards, programmeId, cohortId, "factors", "csv", scope => export.FactorsAsync(scope, http.User.UserId(), http.RequestAborted)));
        exports.MapGet("/factors.xlsx", (Guid programmeId, Guid cohortId, HttpContext http, CohortDashboardService dashboards, CohortExportService export) =>
            ExportAsync(http, dashboards, programmeId, cohortId, "factors", "xlsx", scope => export.FactorsAsync(scope, http.User.UserId(), http.RequestAborted)));
        return exports;
    }

    private static async Task<IResult> ExportAsync(
        HttpContext http, CohortDashboardService dashboards, Guid programmeId, Guid cohortId, string what, string format, Func<CohortScope, Task<ExportTable>> build)
    {
        var scope = await dashboards.FindAsync(http.User.UserId(), programmeId, cohortId, http.RequestAborted);
        if (scope is null)
        {
            return HttpResults.NotFound(); // not on this programme's staff, or no such cohort in it: as the dashboard
        }

        var table = await build(scope);
        http.Response.Headers.CacheControl = "no-store"; // firms' results: no copy left in a shared cache
        var name = $"{Slug(scope.CohortName)}-{what}-{Today(http).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}.{format}";
        return format == "csv"
            ? HttpResults.File(CohortExportWriter.Csv(table), CohortExportWriter.CsvContentType, name)
            : HttpResults.File(CohortExportWriter.Xlsx(table), CohortExportWriter.XlsxContentType, name);
    }

    private static DateTime Today(HttpContext http) => http.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow().UtcDateTime;

    /// <summary>"Spring 2026 (North)" -> "spring-2026-north": a file name any system accepts.</summary>
    internal static string Slug(string name)
    {
        var slug = new StringBuilder();
        foreach (var c in name.Normalize(NormalizationForm.FormD))
        {
            if (char.IsAsciiLetterOrDigit(c))
            {
                slug.Append(char.ToLowerInvariant(c));
            }
            else if (CharUnicodeInfo.GetUnicodeCategory(c) != UnicodeCategory.NonSpacingMark && slug.Length > 0 && slug[^1] != '-')
            {
                slug.Append('-');
            }
        }

        var text = slug.ToString().Trim('-');
        return text.Length == 0 ? "cohort" : text.Length > 60 ? text[..60].Trim('-') : text;
    }
}
