namespace Portal.Web.Features.Admin;

public static class AdminServiceCollectionExtensions
{
    public static WebApplicationBuilder AddPortalAdmin(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<UserAdminService>();
        builder.Services.AddSingleton<OrganisationAdminService>();
        return builder;
    }
}
