using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;
using Portal.Tests.TestSupport;
using Portal.Web.Data;
using Portal.Web.Data.Entities;
using Portal.Web.Features.Advisors;

namespace Portal.Tests.Integration.Postgres;

/// <summary>
/// The portal on PostgreSQL (<c>Database:Provider</c> = Postgres), each test on a new database
/// of the test server. Skipped unless <c>PORTAL_TEST_POSTGRES</c> names one
/// (<c>scripts/postgres-test.sh start</c>).
/// </summary>
public sealed partial class PostgresPortalTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Migrations_ApplyToAnEmptyDatabase_TheirOwnAndEveryTableOfTheModel()
    {
        PostgresTestDatabase.SkipUnlessAvailable();
        await using var app = new PortalApp(o => o.UsePostgres());

        var health = await app.CreateClient().GetAsync("/health", Ct);

        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        var database = JsonNode.Parse(await health.Content.ReadAsStringAsync(Ct))!["checks"]!["database"]!;
        Assert.Equal("Healthy", database["status"]!.GetValue<string>());
        Assert.StartsWith("PostgreSQL: reachable, schema up to date", database["description"]!.GetValue<string>(), StringComparison.Ordinal);

        await app.QueryAsync(async db =>
        {
            Assert.IsType<PostgresPortalDbContext>(db);
            var all = db.Database.GetMigrations().ToList();
            Assert.Equal(all, await db.Database.GetAppliedMigrationsAsync(Ct));
            Assert.Contains(all, m => m.EndsWith("_InitialPostgres", StringComparison.Ordinal));
            Assert.DoesNotContain("20261122134717_InitialIdentity", all); // SQLite's stay SQLite's

            var tables = await db.Database
                .SqlQuery<string>($"SELECT table_name AS \"Value\" FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'")
                .ToListAsync(Ct);
            var expected = db.Model.GetEntityTypes().Select(e => e.GetTableName()!).Append("__EFMigrationsHistory").Distinct();
            Assert.Equal(expected.Order(StringComparer.Ordinal), tables.Order(StringComparer.Ordinal));
            return 0;
        });
    }

    [Fact]
    public async Task Owner_RegistersConfirmsSignsIn_AnswersAndSubmits()
    {
        PostgresTestDatabase.SkipUnlessAvailable();
        await using var app = new PortalApp(o => o.UsePostgres());
        var client = app.CreateBrowserlikeClient();
        const string email = "pg.owner@example.org";
        const string password = "Correct-horse-42";

        var register = await client.SubmitFormAsync("/Account/Register", "register", new()
        {
            ["Input.Email"] = email,
            ["Input.Password"] = password,
            ["Input.ConfirmPassword"] = password,
        });
        Assert.Equal(HttpStatusCode.Redirect, register.StatusCode);
        var file = await Eventually.WaitForAsync(
            () => Task.FromResult(Directory.Exists(app.PickupFolder) ? Directory.GetFiles(app.PickupFolder, "*.eml").SingleOrDefault() : null),
            TimeSpan.FromSeconds(15), "the confirmation email in the pickup folder");
        var message = await MimeMessage.LoadAsync(file, Ct);
        var link = ConfirmLink().Match(message.TextBody ?? "").Value;
        Assert.Contains("Thank you for confirming your email", await client.GetStringAsync(link, Ct), StringComparison.Ordinal);
        var signIn = await client.SubmitFormAsync("/Account/Login", "login", new() { ["Input.Email"] = email, ["Input.Password"] = password });
        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
        var userId = await app.QueryAsync(db => db.Users.Where(u => u.Email == email).Select(u => u.Id).SingleAsync(Ct));

        var assessmentId = await app.SubmitPersonaAsync(userId, "harris-fletcher-a", "Harris Fletcher on Postgres");

        var stored = await app.QueryAsync(db => db.Assessments.Where(a => a.Id == assessmentId)
            .Select(a => new { a.Status, a.SubmittedAt, a.IsLatest, a.OverallScore, a.ResultJson, Scores = a.FactorScores.Count, Firm = a.Firm!.Name })
            .SingleAsync(Ct));
        Assert.Equal(AssessmentStatus.Submitted, stored.Status);
        Assert.Equal(DateTimeKind.Utc, stored.SubmittedAt!.Value.Kind);
        Assert.True(stored.IsLatest);
        Assert.True(stored.Scores > 0);
        Assert.Equal("Harris Fletcher on Postgres", stored.Firm);
        Assert.NotNull(stored.OverallScore);
        Assert.NotNull(await app.ReportAsync(assessmentId)); // the stored result reads back
        var results = await client.GetStringAsync($"/results/{assessmentId}", Ct);
        Assert.Contains("Harris Fletcher on Postgres", results, StringComparison.Ordinal);
        Assert.Contains("Your action plan", results, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TriageQueue_ListsASharingFirm_ForTheOrganisationsAdvisor_AndNotForAnother()
    {
        PostgresTestDatabase.SkipUnlessAvailable();
        await using var app = new PortalApp(o => o.UsePostgres());
        var north = await FirmFileSetup.OrganisationAsync(app, "North Trade Hub");
        var south = await FirmFileSetup.OrganisationAsync(app, "South Trade Hub");
        var advisor = await FirmFileSetup.AdvisorAsync(app, "pg.advisor@example.org", north);
        var other = await FirmFileSetup.AdvisorAsync(app, "pg.other-advisor@example.org", south);
        var firm = await FirmFileSetup.SharingFirmAsync(app, "pg.sharing-owner@example.org", "harris-fletcher-b", "Fletcher Exports Ltd", north);

        var queue = await (await app.SignedInClientAsync(advisor.Email!, FirmFileSetup.Password)).GetDocumentAsync("/advisor");
        var otherQueue = await (await app.SignedInClientAsync(other.Email!, FirmFileSetup.Password)).GetDocumentAsync("/advisor");

        Assert.NotNull(queue.QuerySelector($"tr[data-firm='Fletcher Exports Ltd'] a[href='advisor/firms/{firm.FirmId}']"));
        Assert.Null(otherQueue.QuerySelector("tr[data-firm='Fletcher Exports Ltd']"));

        // The name search (lower-cased LIKE on SQLite) finds it whatever the case on PostgreSQL too.
        var search = await app.Services.GetRequiredService<TriageQueueService>()
            .ListAsync(await FirmFileSetup.ContextAsync(app, advisor.Id), new QueueFilter { Search = "fLeTcHeR" }, Ct);
        Assert.Equal(firm.FirmId, Assert.Single(search.Rows).FirmId);
    }

    [Fact]
    public async Task FirstRequests_AtOnce_OfANewOwner_MakeOneFirmAndOneDraft_AndConcurrentSavesAreKept()
    {
        PostgresTestDatabase.SkipUnlessAvailable();
        await using var app = new PortalApp(o => o.UsePostgres());
        var owner = await app.CreateUserAsync("pg.racing-owner@example.org", FirmFileSetup.Password, Portal.Web.Features.Accounts.PortalRoles.Owner);
        var questions = TestContent.Real.Questionnaire.FindSection("knowledge")!.Questions
            .Where(q => q.Kind == Portal.Domain.Questionnaires.QuestionKind.Scale).ToList();

        // An owner's first requests at once (tabs, a double click): each finds no firm and no
        // draft, and makes them in a write transaction (InWriteTransactionAsync), where one
        // makes them and the others find them.
        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => app.Assessments().GetOverviewAsync(owner.Id)));
        var saves = await Task.WhenAll(questions.Select(q => app.Assessments().SaveAnswerAsync(owner.Id, q.Id, JsonValue.Create(4))));

        Assert.All(saves, s => Assert.Null(s.Error));
        Assert.Equal(1, await app.QueryAsync(db => db.FirmMembers.CountAsync(m => m.UserId == owner.Id, Ct)));
        Assert.Equal(1, await app.QueryAsync(db => db.Assessments.CountAsync(a => a.Firm!.Members.Any(m => m.UserId == owner.Id), Ct)));
        var section = await app.Assessments().GetSectionAsync(owner.Id, "knowledge");
        Assert.All(questions, q => Assert.Equal(4, section!.Values[q.Id]?.GetValue<double>()));
    }

    [GeneratedRegex(@"https?://\S+/Account/ConfirmEmail\S+")]
    private static partial Regex ConfirmLink();
}
