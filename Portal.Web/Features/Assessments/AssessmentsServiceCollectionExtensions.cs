using Portal.Web.Features.Results;
using Portal.Web.Features.Sharing;

namespace Portal.Web.Features.Assessments;

public static class AssessmentsServiceCollectionExtensions
{
    /// <summary>The owner's journey: profile, questionnaire, results, report, sharing.</summary>
    public static WebApplicationBuilder AddPortalAssessments(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<AssessmentService>();
        builder.Services.AddSingleton<ResultsService>();
        builder.Services.AddSingleton<SharingService>();
        return builder;
    }
}
