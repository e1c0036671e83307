using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Portal.Domain.Scoring;
using Portal.Tests.TestSupport;
using Portal.Web.Data.Entities;
using Portal.Web.Features.Accounts;
using Portal.Web.Features.Admin;
using Portal.Web.Features.Advisors;
using Portal.Web.Features.Sharing;

namespace Portal.Tests.Integration.Advisors;

/// <summary>A firm in a queue scenario, with what the test expects of it worked out from the persona, not from the portal.</summary>
public sealed record QueueFirm(
    string Name,
    string OwnerId,
    Guid FirmId,
    string? PersonaId,
    DateTime? SubmittedAt,
    DateTime SharedAt,
    AssessmentReport? Expected,
    string? Sector,
    string? HomeCountry);

/// <summary>
/// Organisations, advisors and persona firms that share with them, on a fake clock, for the
/// triage queue's tests. Firms are submitted an hour apart, so equal priorities have a known
/// older submission.
/// </summary>
public sealed class QueueScenario : IAsyncDisposable
{
    public const string Password = "Test-password-123";
    public static readonly DateTimeOffset Start = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);

    private QueueScenario(PortalApp app, FakeTimeProvider clock)
    {
        App = app;
        Clock = clock;
    }

    public PortalApp App { get; }

    public FakeTimeProvider Clock { get; }

    public DateTime Now => Clock.GetUtcNow().UtcDateTime;

    public List<QueueFirm> Firms { get; } = [];

    public TriageQueueService Queue => App.Services.GetRequiredService<TriageQueueService>();

    public static async Task<QueueScenario> CreateAsync(Action<PortalAppOptions>? configure = null, bool realServer = false)
    {
        var clock = new FakeTimeProvider(Start);
        var app = new PortalApp(o =>
        {
            o.Clock = clock;
            o.RealServer = realServer;
            configure?.Invoke(o);
        });
        _ = app.Services; // starts the host
        return new QueueScenario(app, clock);
    }

    public async Task<Guid> AddOrganisationAsync(string name)
    {
        var admin = App.Services.GetRequiredService<OrganisationAdminService>();
        Assert.Null(await admin.CreateAsync(name, null));
        return (await admin.ListAsync()).Single(o => o.Name == name).Id;
    }

    /// <summary>An advisor account, placed in the organisation when one is given (as an Admin would).</summary>
    public async Task<AdvisorContext?> AddAdvisorAsync(string email, Guid? organisationId)
    {
        var user = await App.CreateUserAsync(email, Password, PortalRoles.Advisor);
        if (organisationId is { } id)
        {
            await App.QueryAsync(async db =>
            {
                db.OrganisationMembers.Add(new OrganisationMember { UserId = user.Id, OrganisationId = id, JoinedAt = Now });
                return await db.SaveChangesAsync();
            });
        }

        return await App.Services.GetRequiredService<AdvisorAccess>().ForUserAsync(user.Id);
    }

    /// <summary>A persona's firm submits its assessment now and shares it with the organisations; the clock then moves on an hour.</summary>
    public async Task<QueueFirm> AddPersonaFirmAsync(string personaId, string firmName, params Guid[] shareWith)
    {
        var owner = await App.CreateUserAsync($"{personaId}.{Firms.Count}@example.org", Password, PortalRoles.Owner);
        var submittedAt = Now;
        await App.SubmitPersonaAsync(owner.Id, personaId, firmName);
        foreach (var organisation in shareWith)
        {
            await App.Services.GetRequiredService<SharingService>().ShareAsync(owner.Id, organisation);
        }

        var persona = TestContent.Real.Personas.Single(p => p.Id == personaId);
        // Worked out here with the pure scorer, as the portal should have: the year is the submission's.
        var expected = AssessmentReport.From(Assessor.Assess(TestContent.Real, persona.Answers.WithAssessmentYear(submittedAt.Year)));
        var profile = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(RepoPaths.Content, "personas", $"{personaId}.json")))!["profile"]!;
        var firm = new QueueFirm(firmName, owner.Id, await FirmOfAsync(owner.Id), personaId, submittedAt, submittedAt, expected,
            profile["sector"]?.GetValue<string>(), profile["home-country"]?[0]?.GetValue<string>());
        Firms.Add(firm);
        Clock.Advance(TimeSpan.FromHours(1));
        return firm;
    }

    /// <summary>A firm that names itself and shares, but never submits an assessment.</summary>
    public async Task<QueueFirm> AddUnsubmittedFirmAsync(string firmName, Guid shareWith)
    {
        var owner = await App.CreateUserAsync($"unsubmitted.{Firms.Count}@example.org", Password, PortalRoles.Owner);
        await App.Assessments().GetOverviewAsync(owner.Id);
        Assert.Null(await App.Assessments().SaveFirmNameAsync(owner.Id, firmName));
        await App.Services.GetRequiredService<SharingService>().ShareAsync(owner.Id, shareWith);
        var firm = new QueueFirm(firmName, owner.Id, await FirmOfAsync(owner.Id), null, null, Now, null, null, null);
        Firms.Add(firm);
        return firm;
    }

    /// <summary>Sets a case as the casework pages would leave it (those pages are not this test's subject).</summary>
    public Task SetCaseAsync(QueueFirm firm, Guid organisationId, CaseStatus status, string? assignedTo, DateTime? lastContactAt) =>
        App.QueryAsync(async db =>
        {
            var file = await db.CaseFiles.SingleAsync(c => c.FirmId == firm.FirmId && c.OrganisationId == organisationId);
            file.Status = status;
            file.AssignedAdvisorId = assignedTo;
            file.LastContactAt = lastContactAt;
            return await db.SaveChangesAsync();
        });

    public Task AddNoteAsync(QueueFirm firm, Guid organisationId, string authorId, string text) =>
        App.QueryAsync(async db =>
        {
            var file = await db.CaseFiles.SingleAsync(c => c.FirmId == firm.FirmId && c.OrganisationId == organisationId);
            db.CaseNotes.Add(new CaseNote { CaseFileId = file.Id, AuthorId = authorId, At = Now, Text = text });
            return await db.SaveChangesAsync();
        });

    /// <summary>Every row of the queue, page after page, as the advisor would page through it.</summary>
    public async Task<List<QueueRow>> AllRowsAsync(AdvisorContext advisor, QueueFilter filter)
    {
        var rows = new List<QueueRow>();
        var first = await Queue.ListAsync(advisor, filter with { Page = 1 });
        rows.AddRange(first.Rows);
        for (var page = 2; page <= first.PageCount; page++)
        {
            rows.AddRange((await Queue.ListAsync(advisor, filter with { Page = page })).Rows);
        }

        Assert.Equal(first.Total, rows.Count);
        return rows;
    }

    /// <summary>
    /// The queue's order worked out from the scenario: highest priority the rules gave first,
    /// on a tie the older submission, firms without an assessment last.
    /// </summary>
    public static IEnumerable<QueueFirm> ExpectedOrder(IEnumerable<QueueFirm> firms) =>
        firms.OrderBy(f => f.Expected is null)
            .ThenByDescending(f => f.Expected?.TriagePriority)
            .ThenBy(f => f.SubmittedAt)
            .ThenBy(f => f.Name, StringComparer.Ordinal);

    private Task<Guid> FirmOfAsync(string ownerId) =>
        App.QueryAsync(db => db.FirmMembers.Where(m => m.UserId == ownerId).Select(m => m.FirmId).SingleAsync());

    public ValueTask DisposeAsync() => App.DisposeAsync();
}
