using Portal.Web.Features.Accounts;
using HttpResults = Microsoft.AspNetCore.Http.Results;

namespace Portal.Web.Features.DataRights;

public static class DataRightsServiceCollectionExtensions
{
    /// <summary>An owner's rights over the firm's data: download all of it, delete the firm and the account.</summary>
    public static WebApplicationBuilder AddPortalDataRights(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<FirmDataExport>();
        builder.Services.AddScoped<FirmDeletion>(); // scoped: it shares the request's context with Identity's user store
        return builder;
    }

    /// <summary><c>GET /firm/data/export</c>: the signed-in owner's firm and account as one JSON file.</summary>
    public static IEndpointConventionBuilder MapPortalDataRights(this IEndpointRouteBuilder endpoints) =>
        endpoints.MapGet("/firm/data/export", async (HttpContext http, FirmDataExport export) =>
        {
            var file = await export.ExportAsync(http.User.UserId(), http.RequestAborted);
            if (file is null)
            {
                return HttpResults.NotFound();
            }

            // Personal data: no cache anywhere may keep a copy.
            http.Response.Headers.CacheControl = "no-store";
            return HttpResults.File(file.Json, "application/json; charset=utf-8", file.FileName);
        }).RequireAuthorization(policy => policy.RequireRole(PortalRoles.Owner));
}
