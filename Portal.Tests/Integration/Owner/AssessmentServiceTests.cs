using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Domain.Scoring;
using Portal.Tests.TestSupport;
using Portal.Web.Data;
using Portal.Web.Data.Entities;
using Portal.Web.Features.Accounts;
using Portal.Web.Features.Admin;
using Portal.Web.Features.Assessments;
using Portal.Web.Features.Sharing;

namespace Portal.Tests.Integration.Owner;

public sealed class AssessmentServiceTests : IAsyncLifetime
{
    private readonly PortalApp app = new();
    private string owner = "";

    public async ValueTask InitializeAsync() => owner = (await app.CreateUserAsync("owner@example.org", "Test-password-123", PortalRoles.Owner)).Id;

    public ValueTask DisposeAsync() => app.DisposeAsync();

    private async Task<T> DbAsync<T>(Func<PortalDbContext, Task<T>> query)
    {
        await using var scope = app.Services.CreateAsyncScope();
        return await query(scope.ServiceProvider.GetRequiredService<PortalDbContext>());
    }

    [Fact]
    public async Task Submit_WithAnswersMissing_IsRefusedWithTheListOfWhatIsMissing()
    {
        var service = app.Assessments();
        await service.GetOverviewAsync(owner);
        await service.SaveAnswerAsync(owner, "cs.intent", JsonValue.Create("decided"));

        var result = await service.SubmitAsync(owner);

        Assert.Null(result.AssessmentId);
        Assert.Contains(result.Missing, m => m.QuestionId == "firm-name" && m.Text == "Enter the name of your firm");
        Assert.Contains(result.Missing, m => m.QuestionId == "cs.activity");
        Assert.DoesNotContain(result.Missing, m => m.QuestionId == "cs.intent");
        Assert.Equal(AssessmentStatus.Draft, await DbAsync(db => db.Assessments.Select(a => a.Status).SingleAsync()));
    }

    [Fact]
    public async Task QuestionsThatDoNotApply_AreNotRequired()
    {
        var service = app.Assessments();
        await service.GetOverviewAsync(owner);
        await service.SaveAnswerAsync(owner, "cs.activity", JsonValue.Create("none"));

        var missing = (await service.SubmitAsync(owner)).Missing;

        Assert.DoesNotContain(missing, m => m.QuestionId is "cs.team-collaboration" or "cs.past-performance" or "countries-served");
        Assert.Contains(missing, m => m.QuestionId == "cs.intent");
    }

    [Fact]
    public async Task Submit_StoresTheAnswersTheResultAndTheFiguresInTheDatabase()
    {
        var id = await app.SubmitPersonaAsync(owner, "harris-fletcher-h", "Optical Diagnostics Ltd");

        var stored = await DbAsync(db => db.Assessments.Include(a => a.FactorScores).Include(a => a.Flags).SingleAsync(a => a.Id == id));
        var persona = TestContent.Real.Personas.Single(p => p.Id == "harris-fletcher-h");
        var expected = Assessor.Assess(TestContent.Real, AnswerSet.Parse(TestContent.Real.Questionnaire, stored.AnswersJson!, DateTime.UtcNow.Year).Answers!);

        Assert.Equal(AssessmentStatus.Submitted, stored.Status);
        Assert.Equal(TestContent.Real.Version, stored.ContentVersion);
        Assert.Equal(persona.ExpectedStage, stored.StageId);
        Assert.Equal(Math.Round(expected.OverallScore!.Value, 1), stored.OverallScore);
        Assert.Equal(expected.OverallBand!.Id, stored.BandId);
        Assert.Equal(TestContent.Real.Model.Factors.Count, stored.FactorScores.Count);
        Assert.Equal(expected.Flags.Select(f => f.Id).Order(), stored.Flags.Select(f => f.FlagId).Order());
        var report = AssessmentReport.FromJson(stored.ResultJson!);
        Assert.Equal(expected.ActionPlan.Select(i => i.Advice.Id), report.ActionPlan.Select(i => i.Advice));
        Assert.All(persona.ExpectedFlags, f => Assert.Contains(stored.Flags, s => s.FlagId == f));
    }

    [Fact]
    public async Task SubmittedAnswers_CannotBeChanged()
    {
        await app.SubmitPersonaAsync(owner, "lew-c", "Candles Ltd");

        var result = await app.Assessments().SaveAnswerAsync(owner, "cs.intent", JsonValue.Create("no-plans"));

        Assert.Contains("submitted and can no longer be changed", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reassessment_StartsFromTheLastAnswers_AndKeepsTheFirstResult()
    {
        var first = await app.SubmitPersonaAsync(owner, "lew-c", "Candles Ltd");
        var service = app.Assessments();

        var draft = await service.StartReassessmentAsync(owner);
        var overview = await service.GetOverviewAsync(owner);

        Assert.NotEqual(first, draft);
        Assert.Equal(2, overview.DraftNumber);
        Assert.True(overview.AllComplete, "every section prefilled");
        var firstAnswers = await DbAsync(db => db.Assessments.Where(a => a.Id == first).Select(a => a.AnswersJson).SingleAsync());
        var copied = await DbAsync(db => db.AssessmentAnswers.Where(a => a.AssessmentId == draft).CountAsync());
        Assert.Equal(JsonNode.Parse(firstAnswers!)!["answers"]!.AsObject().Count, copied);
        Assert.Equal(first, Assert.Single(overview.Submitted).Id);
    }

    [Fact]
    public async Task AValueThatDoesNotFit_IsRefused_AndTheSavedAnswerStays()
    {
        var service = app.Assessments();
        await service.SaveAnswerAsync(owner, "founded", JsonValue.Create(1997));

        var refused = await service.SaveAnswerAsync(owner, "founded", JsonValue.Create(1700));

        Assert.Contains("1700 is out of range", refused.Error, StringComparison.Ordinal);
        var section = await service.GetSectionAsync(owner, "profile");
        Assert.Equal(1997, section!.Values["founded"]!.GetValue<double>());
    }

    [Fact]
    public async Task ConcurrentSaves_OfDifferentQuestions_AreAllKept()
    {
        var service = app.Assessments();
        await service.GetOverviewAsync(owner);
        var questions = TestContent.Real.Questionnaire.FindSection("knowledge")!.Questions.Where(q => q.Kind == Portal.Domain.Questionnaires.QuestionKind.Scale).ToList();

        await Task.WhenAll(questions.Select(q => service.SaveAnswerAsync(owner, q.Id, JsonValue.Create(4))));

        var section = await service.GetSectionAsync(owner, "knowledge");
        Assert.All(questions, q => Assert.Equal(4, section!.Values[q.Id]?.GetValue<double>()));
    }

    [Fact]
    public async Task ShowIf_IsAppliedAsAnswersChange()
    {
        var service = app.Assessments();
        await service.GetOverviewAsync(owner);

        var notExporting = await service.SaveAnswerAsync(owner, "cs.activity", JsonValue.Create("none"));
        var exporting = await service.SaveAnswerAsync(owner, "cs.activity", JsonValue.Create("agents"));

        Assert.DoesNotContain("cs.past-performance", notExporting.Visible);
        Assert.Contains("cs.past-performance", exporting.Visible);
    }

    [Fact]
    public async Task EverySectionCompleted_Is100Percent_EvenWithOptionalQuestionsLeftOpen()
    {
        var service = app.Assessments();
        await service.GetOverviewAsync(owner);
        Assert.Null(await service.SaveFirmNameAsync(owner, "Valves of Zhejiang Ltd"));
        var persona = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(RepoPaths.Content, "personas", "lew-a.json"), TestContext.Current.CancellationToken))!;
        foreach (var group in new[] { "profile", "answers" })
        {
            foreach (var (questionId, value) in persona[group]!.AsObject())
            {
                Assert.Null((await service.SaveAnswerAsync(owner, questionId, value?.DeepClone())).Error);
            }
        }

        var overview = await service.GetOverviewAsync(owner);

        Assert.True(overview.AllComplete);
        Assert.True(overview.Tasks.Sum(t => t.Answered) < overview.Tasks.Sum(t => t.Applicable), "the premise: an optional question is left open");
        Assert.Equal(100, overview.PercentComplete);
    }

    [Fact]
    public async Task Progress_CountsAnsweredQuestions_AndStaysBelow100UntilEverySectionIsCompleted()
    {
        var service = app.Assessments();
        var empty = await service.GetOverviewAsync(owner);
        await service.SaveAnswerAsync(owner, "cs.intent", JsonValue.Create("decided"));
        var started = await service.GetOverviewAsync(owner);

        Assert.Equal(0, empty.PercentComplete);
        Assert.InRange(started.PercentComplete, 1, 10);

        // Eleven sections complete and one question missing in the twelfth still is not 100.
        var tasks = started.Tasks.Select((t, i) => t with
        {
            State = i == 0 ? TaskState.InProgress : TaskState.Completed,
            Answered = i == 0 ? 199 : t.Applicable,
            Applicable = i == 0 ? 200 : t.Applicable,
        }).ToList();
        Assert.Equal(99, AssessmentService.PercentDone(tasks));
    }

    [Fact]
    public async Task Sharing_CanBeGrantedAndRevoked_AndIsRecorded()
    {
        await app.Services.GetRequiredService<OrganisationAdminService>().CreateAsync("Scottish Enterprise", "Trade advisors");
        var sharing = app.Services.GetRequiredService<SharingService>();
        var organisation = Assert.Single(await sharing.ListAsync(owner));

        await sharing.ShareAsync(owner, organisation.Id);
        await sharing.ShareAsync(owner, organisation.Id); // a second click changes nothing
        var shared = Assert.Single(await sharing.ListAsync(owner));
        await sharing.RevokeAsync(owner, organisation.Id);
        var revoked = Assert.Single(await sharing.ListAsync(owner));

        Assert.True(shared.Shared);
        Assert.False(revoked.Shared);
        var rows = await DbAsync(db => db.FirmShares.ToListAsync());
        var row = Assert.Single(rows);
        Assert.NotNull(row.RevokedAt);
        Assert.Equal(owner, row.RevokedByUserId);
    }

    [Fact]
    public async Task Organisations_HaveUniqueNames()
    {
        var admin = app.Services.GetRequiredService<OrganisationAdminService>();

        Assert.Null(await admin.CreateAsync("Chamber of Commerce", null));
        Assert.Equal("An organisation called “Chamber of Commerce” already exists", await admin.CreateAsync(" Chamber of Commerce ", null));
        Assert.Equal("Enter the organisation's name", await admin.CreateAsync("  ", null));
    }
}
