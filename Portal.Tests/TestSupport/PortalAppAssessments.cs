using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Portal.Web.Features.Assessments;

namespace Portal.Tests.TestSupport;

/// <summary>Shortcuts through the real services, for tests whose subject is not the questionnaire itself.</summary>
public static class PortalAppAssessments
{
    public static AssessmentService Assessments(this PortalApp app) => app.Services.GetRequiredService<AssessmentService>();

    /// <summary>Answers every question a persona answers (as the owner would, one by one) and submits.</summary>
    public static async Task<Guid> SubmitPersonaAsync(this PortalApp app, string userId, string personaId, string firmName)
    {
        var service = app.Assessments();
        await service.GetOverviewAsync(userId); // opens the first assessment
        var error = await service.SaveFirmNameAsync(userId, firmName);
        Assert.Null(error);
        var persona = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(RepoPaths.Content, "personas", $"{personaId}.json")))!.AsObject();
        // A reassessment starts from the previous answers, which may contradict this persona's
        // profile (a first export before its founding year): clear what it will answer first.
        foreach (var (questionId, _) in persona["answers"]!.AsObject())
        {
            Assert.Null((await service.SaveAnswerAsync(userId, questionId, null)).Error);
        }

        foreach (var group in new[] { "profile", "answers" })
        {
            foreach (var (questionId, value) in persona[group]!.AsObject())
            {
                var saved = await service.SaveAnswerAsync(userId, questionId, value?.DeepClone());
                Assert.True(saved.Error is null, $"{questionId}: {saved.Error}");
            }
        }

        var result = await service.SubmitAsync(userId);
        Assert.True(result.AssessmentId is not null, string.Join("; ", result.Missing.Select(m => m.Text)));
        return result.AssessmentId!.Value;
    }
}
