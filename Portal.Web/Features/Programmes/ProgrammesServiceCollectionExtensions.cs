using Portal.Web.Configuration;

namespace Portal.Web.Features.Programmes;

public static class ProgrammesServiceCollectionExtensions
{
    /// <summary>Programmes and cohorts: staff access, enrolment by invitation, the cohort dashboard, exports, content versions.</summary>
    public static WebApplicationBuilder AddPortalProgrammes(this WebApplicationBuilder builder)
    {
        builder.Services.AddValidatedOptions<ProgrammeOptions>(ProgrammeOptions.SectionName);
        builder.Services.AddSingleton<ProgrammeAccess>();
        builder.Services.AddSingleton<ProgrammeAdminService>();
        builder.Services.AddSingleton<ProgrammeService>();
        builder.Services.AddSingleton<InvitationService>();
        builder.Services.AddSingleton<FirmProgrammesService>();
        builder.Services.AddSingleton<CohortDashboardService>();
        builder.Services.AddSingleton<CohortExportService>();
        builder.Services.AddSingleton<ContentVersionsService>();
        builder.Services.AddSingleton<RescoreService>();
        return builder;
    }
}
