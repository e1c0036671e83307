using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Domain.Content;
using Portal.Domain.Scoring;
using Portal.Tests.TestSupport;
using Portal.Web.Data;
using Portal.Web.Data.Entities;
using Portal.Web.Features.Accounts;
using Portal.Web.Features.Sharing;

namespace Portal.Tests.Integration.Programmes;

/// <summary>A persona firm of the scenario, with what the changed content makes of its answers, worked out here and not by the portal.</summary>
/// <param name="Expected">The new content's result, or null when its questionnaire refuses the persona's answers.</param>
public sealed record RescoreFirm(string PersonaId, string Name, PortalUser Owner, Guid FirmId, Guid AssessmentId, AssessmentReport Before, AssessmentReport? Expected)
{
    public bool Changes => Expected is not null && (Expected.Overall.Band?.Id != Before.Overall.Band?.Id || Expected.Stage.Id != Before.Stage.Id);
}

/// <summary>
/// A content change in practice: firms of a cohort submit with the repository's content
/// (<see cref="Before"/>), then the portal restarts on the same database and data folder with
/// a changed copy of the content (<see cref="After"/>): a new version, a higher threshold for
/// the "ready" band, production abroad counted as a sales subsidiary, and one option of the
/// questionnaire renamed, so answers that chose it no longer parse.
/// </summary>
public sealed class RescoreScenario : IAsyncDisposable
{
    public const string Password = "Rescore-test-2026";
    public const string NewVersion = "2026.12.1";

    private RescoreScenario(PortalApp before, ContentCopy copy)
    {
        Before = before;
        Copy = copy;
        NewContent = ContentCatalog.Load(copy.Directory).Current;
    }

    public PortalApp Before { get; }

    private PortalApp? after;

    /// <summary>The portal restarted with the changed content (after <see cref="RestartWithNewContent"/>).</summary>
    public PortalApp After => after ?? throw new InvalidOperationException("Call RestartWithNewContent first.");

    public ContentCopy Copy { get; }

    public PortalContent NewContent { get; }

    public Guid OrganisationId { get; private set; }

    public Guid ProgrammeId { get; private set; }

    public Guid CohortId { get; private set; }

    /// <summary>Another programme of the same organisation, with its own staff and cohort.</summary>
    public Guid OtherProgrammeId { get; private set; }

    public Guid OtherCohortId { get; private set; }

    public PortalUser Staff { get; private set; } = default!;

    public PortalUser OtherStaff { get; private set; } = default!;

    public List<RescoreFirm> Firms { get; } = [];

    public string RescoreUrl => $"/programmes/{ProgrammeId}/cohorts/{CohortId}/rescore";

    public static async Task<RescoreScenario> CreateAsync(Action<PortalAppOptions>? configure = null)
    {
        var scenario = new RescoreScenario(new PortalApp(configure), ChangedContent());
        var app = scenario.Before;
        scenario.OrganisationId = await FirmFileSetup.OrganisationAsync(app, "Export Scotland");
        scenario.Staff = await app.CreateUserAsync("staff@example.org", Password, PortalRoles.ProgrammeStaff);
        scenario.OtherStaff = await app.CreateUserAsync("other.staff@example.org", Password, PortalRoles.ProgrammeStaff);
        (scenario.ProgrammeId, scenario.CohortId) = await scenario.ProgrammeAsync("Export Ready", "Spring intake", scenario.Staff.Id);
        (scenario.OtherProgrammeId, scenario.OtherCohortId) = await scenario.ProgrammeAsync("Trade Missions", "Autumn intake", scenario.OtherStaff.Id);
        return scenario;
    }

    /// <summary>A copy of content/ changed as a content author would, with the version raised.</summary>
    public static ContentCopy ChangedContent()
    {
        var copy = TestContent.Copy()
            .Replace("model.yaml", $"version: \"{TestContent.Real.Version}\"", $"version: \"{NewVersion}\"")
            .Replace("model.yaml", "    min: 55", "    min: 60")
            .Replace("rules/stage.yaml", "      stage: production-abroad", "      stage: sales-subsidiary")
            .Replace("questionnaire/capacity.yaml", "{ id: home-site,", "{ id: home-language-site,")
            .Replace("rules/capacity.yaml", "in: [none, home-site]", "in: [none, home-language-site]");
        foreach (var file in Directory.GetFiles(copy.PathOf("personas"), "*.json"))
        {
            var relative = Path.GetRelativePath(copy.Directory, file);
            if (File.ReadAllText(file).Contains("\"cp.online\": \"home-site\"", StringComparison.Ordinal))
            {
                copy.Replace(relative, "\"cp.online\": \"home-site\"", "\"cp.online\": \"home-language-site\"");
            }
        }

        return copy;
    }

    /// <summary>
    /// Starts the portal again on the same database and data folder with the changed content, as a
    /// deployment of new content would (the first host stays up only to own the data folder).
    /// </summary>
    public PortalApp RestartWithNewContent(Action<PortalAppOptions>? configure = null)
    {
        after = new PortalApp(o =>
        {
            configure?.Invoke(o);
            o.SameDataAs(Before);
            o.Settings["Content:Directory"] = Copy.Directory;
        });
        return after;
    }

    public async Task<(Guid ProgrammeId, Guid CohortId)> ProgrammeAsync(string name, string cohortName, string staffId)
    {
        var programme = new Programme { OrganisationId = OrganisationId, Name = name, CreatedAt = DateTime.UtcNow };
        var cohort = new Cohort { ProgrammeId = programme.Id, Name = cohortName, StartsOn = new DateOnly(2026, 3, 2), EndsOn = new DateOnly(2026, 12, 18), CreatedAt = DateTime.UtcNow };
        await Before.QueryAsync(db =>
        {
            db.Programmes.Add(programme);
            db.Cohorts.Add(cohort);
            db.ProgrammeStaff.Add(new ProgrammeStaffMember { ProgrammeId = programme.Id, UserId = staffId, AddedAt = DateTime.UtcNow });
            return db.SaveChangesAsync();
        });
        return (programme.Id, cohort.Id);
    }

    /// <summary>A persona's firm submits with today's content, shares with the organisation and is enrolled in the cohort (its assessment the baseline).</summary>
    public async Task<RescoreFirm> AddFirmAsync(string personaId, string name, Guid? cohortId = null, bool left = false)
    {
        var firm = await FirmFileSetup.SharingFirmAsync(Before, $"{personaId}.{Firms.Count}@example.org", personaId, name, OrganisationId);
        await EnrolAsync(firm.FirmId, cohortId ?? CohortId, firm.AssessmentId, left);
        var year = await Before.QueryAsync(db => db.Assessments.Where(a => a.Id == firm.AssessmentId).Select(a => a.SubmittedAt!.Value.Year).SingleAsync());

        // Worked out with the pure scorer from the persona's own file: once with the repository's
        // content, once with the changed copy (whose questionnaire may refuse the answers).
        var before = AssessmentReport.From(Assessor.Assess(TestContent.Real, TestContent.Real.Personas.Single(p => p.Id == personaId).Answers.WithAssessmentYear(year)));
        var parsed = AnswerSet.Parse(NewContent.Questionnaire, await PersonaAnswersAsync(personaId), year);
        var expected = parsed.Answers is null ? null : AssessmentReport.From(Assessor.Assess(NewContent, parsed.Answers));
        var result = new RescoreFirm(personaId, name, firm.Owner, firm.FirmId, firm.AssessmentId, before, expected);
        Firms.Add(result);
        return result;
    }

    /// <summary>A firm that shares and is enrolled, but has not submitted an assessment.</summary>
    public async Task<Guid> AddUnassessedFirmAsync(string name)
    {
        var owner = await Before.CreateUserAsync($"unassessed.{Firms.Count}@example.org", Password, PortalRoles.Owner);
        await Before.Assessments().GetOverviewAsync(owner.Id);
        Assert.Null(await Before.Assessments().SaveFirmNameAsync(owner.Id, name));
        await Before.Services.GetRequiredService<SharingService>().ShareAsync(owner.Id, OrganisationId);
        var firmId = await Before.QueryAsync(db => db.FirmMembers.Where(m => m.UserId == owner.Id).Select(m => m.FirmId).SingleAsync());
        await EnrolAsync(firmId, CohortId, null, left: false);
        return firmId;
    }

    /// <summary>The persona's answers as the answers JSON, exactly as its file gives them.</summary>
    public static async Task<string> PersonaAnswersAsync(string personaId)
    {
        var persona = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(RepoPaths.Content, "personas", $"{personaId}.json")))!;
        return new JsonObject { ["profile"] = persona["profile"]!.DeepClone(), ["answers"] = persona["answers"]!.DeepClone() }.ToJsonString();
    }

    /// <summary>Each assessment's stored result columns, to compare before and after.</summary>
    public Task<List<StoredResult>> StoredAsync(PortalApp app) =>
        app.QueryAsync(db => db.Assessments.AsNoTracking().Where(a => a.Status == AssessmentStatus.Submitted).OrderBy(a => a.Id)
            .Select(a => new StoredResult(a.Id, a.ContentVersion, a.ResultJson, a.OverallScore, a.BandId, a.StageId, a.StageGroupId, a.TriagePriority,
                a.FactorScores.Count, a.Flags.Count))
            .ToListAsync());

    private Task<int> EnrolAsync(Guid firmId, Guid cohortId, Guid? baseline, bool left) =>
        Before.QueryAsync(db =>
        {
            db.Enrolments.Add(new Enrolment
            {
                CohortId = cohortId,
                FirmId = firmId,
                EnrolledAt = DateTime.UtcNow,
                EnrolledById = Staff.Id,
                BaselineAssessmentId = baseline,
                LeftAt = left ? DateTime.UtcNow : null,
            });
            return db.SaveChangesAsync();
        });

    public async ValueTask DisposeAsync()
    {
        if (after is not null)
        {
            await after.DisposeAsync();
        }

        await Before.DisposeAsync(); // deletes the shared data folder
        Copy.Dispose();
    }
}

public sealed record StoredResult(
    Guid Id, string? ContentVersion, string? ResultJson, double? OverallScore, string? BandId, string? StageId, string? StageGroupId, int? TriagePriority,
    int FactorScores, int Flags);
