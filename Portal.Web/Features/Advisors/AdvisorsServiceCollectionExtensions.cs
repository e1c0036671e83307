using Portal.Web.Configuration;
using Portal.Web.Features.Audit;

namespace Portal.Web.Features.Advisors;

public static class AdvisorsServiceCollectionExtensions
{
    /// <summary>The advisor's workspace: access by consent, the triage queue, the firm file, casework, the audit log.</summary>
    public static WebApplicationBuilder AddPortalAdvisors(this WebApplicationBuilder builder)
    {
        builder.Services.AddValidatedOptions<AdvisorOptions>(AdvisorOptions.SectionName);
        builder.Services.AddSingleton<AdvisorAccess>();
        builder.Services.AddSingleton<AuditLog>();
        builder.Services.AddSingleton<TriageQueueService>();
        builder.Services.AddSingleton<FirmFileService>();
        builder.Services.AddSingleton<CaseworkService>();
        builder.Services.AddSingleton<ValidationService>();
        return builder;
    }
}
