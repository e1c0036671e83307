using Portal.Web.Configuration;

namespace Portal.Web.Features.DemoData;

public static class DemoDataServiceCollectionExtensions
{
    public static WebApplicationBuilder AddPortalDemoData(this WebApplicationBuilder builder)
    {
        builder.Services.AddValidatedOptions<DemoDataOptions>(DemoDataOptions.SectionName);
        builder.Services.AddHostedService<DemoDataStartup>();
        return builder;
    }
}
