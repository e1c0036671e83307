using Microsoft.AspNetCore.Mvc;
using Portal.Web.Configuration;
using Portal.Web.Features.Accounts;
using HttpResults = Microsoft.AspNetCore.Http.Results;

namespace Portal.Web.Features.Results;

public static class ResultsEndpoints
{
    public static WebApplicationBuilder AddPortalResults(this WebApplicationBuilder builder)
    {
        builder.Services.AddValidatedOptions<PdfOptions>(PdfOptions.SectionName);
        builder.Services.AddSingleton<ReportPdfService>();
        builder.Services.AddHttpClient(ReportPdfService.HttpClientName)
            .ConfigurePrimaryHttpMessageHandler(() => new HttpClientHandler { AllowAutoRedirect = false }); // a redirect (to sign in, to https) is not the report
        return builder;
    }

    /// <summary><c>GET /results/{id}/report.pdf</c>: the owner's results printed by headless Chromium.</summary>
    public static IEndpointConventionBuilder MapPortalResults(this IEndpointRouteBuilder endpoints) =>
        endpoints.MapGet("/results/{id:guid}/report.pdf", async (Guid id, HttpContext http, ResultsService results, ReportPdfService pdf) =>
        {
            var view = await results.GetForOwnerAsync(http.User.UserId(), id, http.RequestAborted);
            if (view is null)
            {
                return HttpResults.NotFound();
            }

            var bytes = await pdf.RenderAsync(id, http.RequestAborted);
            if (bytes is null)
            {
                return HttpResults.Problem(new ProblemDetails
                {
                    Status = StatusCodes.Status503ServiceUnavailable,
                    Title = "PDF download is not available",
                    Detail = "This server has no Chromium to print PDFs. Open your results and use your browser's Print, choosing “Save as PDF”.",
                });
            }

            return HttpResults.File(bytes, "application/pdf", $"readiness-report-assessment-{view.Number}.pdf");
        }).RequireAuthorization(policy => policy.RequireRole(PortalRoles.Owner));
}
