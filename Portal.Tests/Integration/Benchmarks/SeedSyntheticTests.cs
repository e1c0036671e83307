using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Portal.Domain.Scoring;
using Portal.Tests.TestSupport;
using Portal.Web.Commands;
using Portal.Web.Data.Entities;
using Portal.Web.Features.Accounts;
using Portal.Web.Features.Advisors;
using Portal.Web.Features.FollowUps;
using Portal.Web.Features.Programmes;

namespace Portal.Tests.Integration.Benchmarks;

/// <summary>
/// One portal with 50 synthetic firms of three assessments each (seed 7), seeded through the
/// <c>seed-synthetic</c> command into the portal's own database while it runs.
/// </summary>
public sealed class SyntheticPortal : IAsyncLifetime
{
    public const int Firms = 50;
    public const int AssessmentsPerFirm = 3;

    // seed-synthetic writes to the SQLite file of the data folder only.
    public PortalApp App { get; } = new(o => o.UseSqlite());

    public SeedRun Run { get; private set; } = default!;

    public async ValueTask InitializeAsync()
    {
        _ = App.Services; // starts the host: the database is migrated as at any start
        Run = await SyntheticDataRun.SeedAsync(App.DataDirectory, args: ["--firms", $"{Firms}", "--assessments-per-firm", $"{AssessmentsPerFirm}", "--seed", "7"]);
    }

    public ValueTask DisposeAsync() => App.DisposeAsync();
}

[Trait("Database", "SqliteOnly")] // SQLite's file and tools only: test.sh runs it once, not again on PostgreSQL
public sealed class SeedSyntheticTests(SyntheticPortal portal) : IClassFixture<SyntheticPortal>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private PortalApp App => portal.App;

    [Fact]
    public async Task FiftyFirms_GetThreeSubmittedAssessmentsEach_StoredAsSubmittingStoresThem()
    {
        Assert.True(portal.Run.ExitCode == 0, portal.Run.ToString());
        Assert.Matches(@"Firms\s+50\b", portal.Run.Output);
        Assert.Matches(@"Assessments\s+150\b", portal.Run.Output);

        var content = TestContent.Real;
        var today = DateTime.UtcNow.Date;
        var assessments = await App.QueryAsync(db => db.Assessments.AsNoTracking().OrderBy(a => a.FirmId).ThenBy(a => a.Number).ToListAsync(Ct));
        Assert.Equal(SyntheticPortal.Firms, await App.QueryAsync(db => db.Firms.CountAsync(Ct)));
        Assert.Equal(SyntheticPortal.Firms * SyntheticPortal.AssessmentsPerFirm, assessments.Count);
        foreach (var firm in assessments.GroupBy(a => a.FirmId))
        {
            Assert.Equal([1, 2, 3], firm.Select(a => a.Number));
            Assert.All(firm, a => Assert.Equal(AssessmentStatus.Submitted, a.Status));
            Assert.Equal(3, Assert.Single(firm, a => a.IsLatest).Number);
            // Weeks or months apart, in order, all before today.
            var dates = firm.Select(a => a.SubmittedAt!.Value).ToList();
            Assert.All(dates.Zip(dates.Skip(1)), pair => Assert.True((pair.Second - pair.First).TotalDays >= 13, $"{pair.First} then {pair.Second}"));
            Assert.True(dates[^1] < today);
        }

        // Each result is what the engine gives for the stored answers, with its rows beside it.
        var sample = assessments.Where(a => a.IsLatest).Take(5).ToList();
        foreach (var assessment in sample)
        {
            var (report, problem) = RescoreService.Rescore(content, assessment.AnswersJson, assessment.SubmittedAt);
            Assert.True(report is not null, problem);
            Assert.Equal(report.ToJson(), assessment.ResultJson);
            Assert.Equal(content.Version, assessment.ContentVersion);
            Assert.Equal(report.Overall.Score, assessment.OverallScore);
            Assert.Equal(report.Overall.Band?.Id, assessment.BandId);
            Assert.Equal(report.Stage.Group, assessment.StageGroupId);
            Assert.Equal(report.TriagePriority, assessment.TriagePriority);
            var id = assessment.Id;
            Assert.Equal(report.ActionPlan.Select(p => p.Advice), await App.QueryAsync(db => db.AssessmentPlanItems.Where(p => p.AssessmentId == id).OrderBy(p => p.Rank).Select(p => p.AdviceId).ToListAsync(Ct)));
            Assert.Equal(report.Flags.Select(f => f.Id).Order(), (await App.QueryAsync(db => db.AssessmentFlags.Where(f => f.AssessmentId == id).Select(f => f.FlagId).ToListAsync(Ct))).Order());
            Assert.Equal(content.Model.Factors.Count, await App.QueryAsync(db => db.AssessmentFactorScores.CountAsync(f => f.AssessmentId == id, Ct)));
            Assert.Equal(report.FollowUps.Count, await App.QueryAsync(db => db.FollowUps.CountAsync(f => f.AssessmentId == id, Ct)));
        }

        // Firms differ: noise on the personas spreads them over bands and stages.
        Assert.True(assessments.Where(a => a.IsLatest).Select(a => a.BandId).Distinct().Count() >= 2);
        Assert.True(assessments.Where(a => a.IsLatest).Select(a => a.StageId).Distinct().Count() >= 3);

        // An earlier plan's emails due after the next assessment were replaced by it; nothing due before today waits.
        var followUps = await App.QueryAsync(db => db.FollowUps.AsNoTracking().Where(f => f.Kind == EmailKind.Advice).ToListAsync(Ct));
        var submittedAt = assessments.ToDictionary(a => a.Id);
        Assert.All(followUps.Where(f => f.Status == FollowUpStatus.Cancelled && f.CancelReason == CancelReasons.Reassessed),
            f => Assert.False(submittedAt[f.AssessmentId!.Value].IsLatest));
        Assert.Contains(followUps, f => f.Status == FollowUpStatus.Sent);
        Assert.Contains(followUps, f => f.Status == FollowUpStatus.Cancelled && f.CancelReason == CancelReasons.Reassessed);
        Assert.DoesNotContain(followUps, f => f.Status == FollowUpStatus.Pending && f.DueAt < today);

        // Every firm has one owner, in the Owner role, who can sign in; every share opened a case; baselines are the firm's own.
        var owners = await App.QueryAsync(db => db.FirmMembers.Select(m => new { m.FirmId, m.User.EmailConfirmed, m.User.PasswordHash, Owner = db.UserRoles.Any(r => r.UserId == m.UserId && db.Roles.Any(x => x.Id == r.RoleId && x.Name == PortalRoles.Owner)) }).ToListAsync(Ct));
        Assert.Equal(SyntheticPortal.Firms, owners.Select(o => o.FirmId).Distinct().Count());
        Assert.All(owners, o => Assert.True(o.EmailConfirmed && o.PasswordHash is not null && o.Owner));
        Assert.Equal(await App.QueryAsync(db => db.FirmShares.CountAsync(Ct)), await App.QueryAsync(db => db.CaseFiles.CountAsync(Ct)));
        Assert.True(await App.QueryAsync(db => db.FirmShares.CountAsync(Ct)) >= SyntheticPortal.Firms / 2);
        Assert.Equal(0, await App.QueryAsync(db => db.Enrolments.CountAsync(e => e.FirmId != null && !db.Assessments.Any(a => a.Id == e.BaselineAssessmentId && a.FirmId == e.FirmId), Ct)));
        Assert.True(await App.QueryAsync(db => db.Enrolments.CountAsync(e => e.FirmId != null, Ct)) > 0);
    }

    [Fact]
    public async Task ASyntheticOwner_SignsInThroughTheForm_AndSeesTheirResults_ButNoOtherFirms()
    {
        var latest = await App.QueryAsync(db => db.Assessments.Where(a => a.IsLatest)
            .Select(a => new { a.Id, a.Firm.Name, a.BandId, Owner = a.Firm.Members.Select(m => m.User.Email!).First() })
            .OrderBy(a => a.Owner).ToListAsync(Ct));
        var mine = latest[0];
        Assert.Equal("owner000001@synthetic.test", mine.Owner);
        var client = await App.SignedInClientAsync(mine.Owner, PortalCommands.DevelopmentSyntheticPassword);

        var page = await client.GetDocumentAsync($"/results/{mine.Id}");
        Assert.Contains(mine.Name, page.QuerySelector("[data-testid=results-report]")!.TextContent, StringComparison.Ordinal);
        Assert.Equal(TestContent.Real.Model.Bands.Single(b => b.Id == mine.BandId).Name, page.QuerySelector("[data-testid=overall-band]")!.TextContent.Trim());
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/results/{latest[1].Id}", Ct)).StatusCode);
    }

    [Fact]
    public async Task ASyntheticAdvisor_SeesEveryFirmSharingWithTheAgency_InTheTriageQueue()
    {
        // advisor001 is the national agency's first advisor.
        var advisorId = await App.QueryAsync(db => db.Users.Where(u => u.Email == "advisor001@synthetic.test").Select(u => u.Id).SingleAsync(Ct));
        var advisor = await App.Services.GetRequiredService<AdvisorAccess>().ForUserAsync(advisorId, Ct);
        Assert.NotNull(advisor);
        Assert.Equal("Synthetic National Export Agency", advisor.OrganisationName);
        var sharing = await App.QueryAsync(db => db.FirmShares.Where(s => s.OrganisationId == advisor.OrganisationId && s.RevokedAt == null).Select(s => s.FirmId).ToListAsync(Ct));
        Assert.True(sharing.Count >= 15, $"{sharing.Count} firms share with the agency");

        var client = await App.SignedInClientAsync("advisor001@synthetic.test", PortalCommands.DevelopmentSyntheticPassword);
        var response = await client.GetAsync("/advisor", Ct);
        var page = await response.Content.ReadAsStringAsync(Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains($"of {sharing.Count} firms", page, StringComparison.Ordinal);
        var queue = await App.Services.GetRequiredService<TriageQueueService>().ListAsync(advisor, new QueueFilter(), Ct);
        Assert.Equal(sharing.Count, queue.Total);
        Assert.All(queue.Rows, r => Assert.Contains(r.FirmId, sharing));
        Assert.All(queue.Rows, r => Assert.True(r.HasAssessment));
    }

    [Fact]
    public async Task ProgrammeStaff_SeeTheirCohortsDashboard_WithTheFirmsEnrolledAndSharing()
    {
        // staff001 is on the staff of the national programme.
        var cohorts = await App.QueryAsync(db => db.Cohorts.Where(c => c.Programme.Name == "National Export Accelerator").Select(c => new { c.Id, c.ProgrammeId }).ToListAsync(Ct));
        var visible = new Dictionary<Guid, int>();
        foreach (var c in cohorts)
        {
            visible[c.Id] = await App.QueryAsync(db => ProgrammeAccess.VisibleEnrolments(db, c.Id).CountAsync(Ct));
        }

        var cohort = cohorts.MaxBy(c => visible[c.Id])!;
        Assert.True(visible[cohort.Id] > 0);

        var client = await App.SignedInClientAsync("staff001@synthetic.test", PortalCommands.DevelopmentSyntheticPassword);
        var page = await client.GetDocumentAsync($"/programmes/{cohort.ProgrammeId}/cohorts/{cohort.Id}/dashboard");

        Assert.Equal($"{visible[cohort.Id]}", page.QuerySelector("tr[data-step=enrolled] [data-testid=count]")!.TextContent.Trim());
    }
}

/// <summary>The command's safety and determinism, each on a database of its own.</summary>
[Trait("Database", "SqliteOnly")] // SQLite's file and tools only: test.sh runs it once, not again on PostgreSQL
public sealed class SeedSyntheticSafetyTests : IDisposable
{
    private readonly DirectoryInfo folder = Directory.CreateTempSubdirectory("portal-seed-synthetic-");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        folder.Delete(recursive: true);
    }

    [Fact]
    public async Task TheSameSeedOnTheSameDay_GivesTheSameData_AndAnotherSeedDifferentData()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 6, 15, 9, 30, 0, TimeSpan.Zero));
        string[] firms = ["--firms", "12", "--assessments-per-firm", "2"];

        var first = await SyntheticDataRun.SeedAsync(Data("first"), clock, args: [.. firms, "--seed", "11"]);
        var again = await SyntheticDataRun.SeedAsync(Data("again"), clock, args: [.. firms, "--seed", "11"]);
        var other = await SyntheticDataRun.SeedAsync(Data("other"), clock, args: [.. firms, "--seed", "12"]);

        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.Equal(0, again.ExitCode);
        Assert.Equal(0, other.ExitCode);
        var digest = Digest(Data("first"));
        Assert.Equal(digest, Digest(Data("again")));
        Assert.NotEqual(digest, Digest(Data("other")));
    }

    [Fact]
    public async Task ASecondRun_IsRefusedWithoutAppend_AndWithItAddsABatchBeside()
    {
        var data = Data("twice");
        Assert.Equal(0, (await SyntheticDataRun.SeedAsync(data, args: ["--firms", "3"])).ExitCode);

        var refused = await SyntheticDataRun.SeedAsync(data, args: ["--firms", "3"]);
        Assert.Equal(SeedExitCodes.Refused, refused.ExitCode);
        Assert.Contains("already has synthetic data", refused.Error, StringComparison.Ordinal);
        Assert.Contains("--append", refused.Error, StringComparison.Ordinal);
        Assert.Equal(3L, Scalar(data, "SELECT count(*) FROM Firms"));

        var appended = await SyntheticDataRun.SeedAsync(data, args: ["--firms", "2", "--append"]);
        Assert.True(appended.ExitCode == 0, appended.ToString());
        Assert.Equal(5L, Scalar(data, "SELECT count(*) FROM Firms"));
        Assert.Equal(1L, Scalar(data, "SELECT count(*) FROM AspNetUsers WHERE Email = 'owner000002.b2@synthetic.test'"));
        Assert.Equal(2L, Scalar(data, "SELECT count(*) FROM Organisations WHERE Name LIKE 'Synthetic National Export Agency%'"));
    }

    [Fact]
    public async Task WhileAnotherConnectionHasTheDatabaseOpen_ItWritesThroughTheWriteAheadLog_AndLeavesItInWalMode()
    {
        var data = Data("shared");
        var first = await SyntheticDataRun.SeedAsync(data, args: ["--firms", "2"]);
        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.DoesNotContain("write-ahead log", first.Output, StringComparison.Ordinal);
        Assert.Equal("wal", Scalar(data, "PRAGMA journal_mode"));

        // As a running portal would: a connection of its own, open throughout.
        using var portal = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = Path.Combine(data, "portal.db"), Pooling = false }.ToString());
        portal.Open();
        using (var read = portal.CreateCommand())
        {
            read.CommandText = "SELECT count(*) FROM Firms";
            Assert.Equal(2L, read.ExecuteScalar());
        }

        var second = await SyntheticDataRun.SeedAsync(data, args: ["--firms", "2", "--append"]);

        Assert.True(second.ExitCode == 0, second.ToString());
        Assert.Contains("went through the write-ahead log", second.Output, StringComparison.Ordinal);
        Assert.Equal(4L, Scalar(data, "SELECT count(*) FROM Firms"));
        Assert.Equal("wal", Scalar(data, "PRAGMA journal_mode"));
    }

    [Fact]
    public async Task SQLitesPlannerHasStatistics_AfterSeeding_AndAfterThePortalStartsOnADatabaseWithout()
    {
        var data = Data("statistics");
        Assert.Equal(0, (await SyntheticDataRun.SeedAsync(data, args: ["--firms", "20"])).ExitCode);
        Assert.True((long)Scalar(data, "SELECT count(*) FROM sqlite_stat1 WHERE tbl = 'Assessments'")! > 0);

        using (var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = Path.Combine(data, "portal.db"), Pooling = false }.ToString()))
        {
            connection.Open();
            using var forget = connection.CreateCommand();
            forget.CommandText = "DELETE FROM sqlite_stat1";
            forget.ExecuteNonQuery();
        }

        await using (var app = new PortalApp(o => o.UseSqlite().Settings["Portal:DataDirectory"] = data))
        {
            _ = app.Services; // starts: migrations, then the planner's statistics
        }

        SqliteConnection.ClearAllPools();
        Assert.True((long)Scalar(data, "SELECT count(*) FROM sqlite_stat1 WHERE tbl = 'Assessments'")! > 0);
    }

    [Fact]
    public async Task OutsideDevelopment_ItRefuses_UnlessForced_AndTouchesNothing()
    {
        var data = Data("production");

        var refused = await SyntheticDataRun.SeedAsync(data, environment: "Production", args: ["--firms", "3"]);

        Assert.True(refused.ExitCode == SeedExitCodes.Refused, refused.ToString());
        Assert.Contains("--force", refused.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(data, "portal.db")));

        var forced = await SyntheticDataRun.SeedAsync(data, environment: "Production",
            args: ["--firms", "3", "--force", "--Portal:PublicBaseUrl=https://portal.example.org", "--SyntheticData:Password=Chosen-for-this-run-1"]);
        Assert.True(forced.ExitCode == 0, forced.ToString());
        Assert.DoesNotContain("Chosen-for-this-run-1", forced.Output + forced.Error, StringComparison.Ordinal);
        Assert.Equal(3L, Scalar(data, "SELECT count(*) FROM Firms"));
    }

    [Theory]
    [InlineData(new string[0], "--firms must be")]
    [InlineData(new[] { "--firms", "ten" }, "--firms needs a whole number")]
    [InlineData(new[] { "--firms", "5", "--assessments-per-firm", "0" }, "--assessments-per-firm must be")]
    [InlineData(new[] { "--firms", "5", "--wat" }, "Unknown argument '--wat'")]
    public async Task BadArguments_AreUsageErrors(string[] args, string message)
    {
        var run = await SyntheticDataRun.SeedAsync(Data("usage"), args: args);

        Assert.Equal(SeedExitCodes.Usage, run.ExitCode);
        Assert.Contains(message, run.Error, StringComparison.Ordinal);
    }

    private string Data(string name) => Path.Combine(folder.FullName, name);

    private static object? Scalar(string data, string sql)
    {
        using var connection = Open(data);
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }

    private static SqliteConnection Open(string data)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = Path.Combine(data, "portal.db"), Pooling = false, Mode = SqliteOpenMode.ReadOnly }.ToString());
        connection.Open();
        return connection;
    }

    /// <summary>
    /// Every row the run wrote, in a fixed order, as one hash. Left out: the password hash and
    /// the users' stamps (random salts and secrets by design), and role ids (made at migration).
    /// </summary>
    private static string Digest(string data)
    {
        string[] skipped = ["PasswordHash", "SecurityStamp", "ConcurrencyStamp", "RoleId"];
        string[] tables =
        [
            "AspNetUsers", "AspNetUserRoles", "Organisations", "OrganisationMembers", "Programmes", "ProgrammeStaff", "Cohorts", "Firms", "FirmMembers",
            "EmailOptOuts", "FirmProfileAnswers", "Assessments", "AssessmentAnswers", "AssessmentFactorScores", "AssessmentFlags", "AssessmentPlanItems",
            "FirmShares", "CaseFiles", "CaseStatusChanges", "CaseNotes", "Enrolments", "FollowUps",
        ];
        Assert.True((long)Scalar(data, "SELECT count(*) FROM Firms")! > 0);
        using var connection = Open(data);
        var text = new StringBuilder();
        foreach (var table in tables)
        {
            using var command = connection.CreateCommand();
            command.CommandText = $"SELECT * FROM \"{table}\"";
            using var reader = command.ExecuteReader();
            var rows = new List<string>();
            while (reader.Read())
            {
                rows.Add(string.Join("|", Enumerable.Range(0, reader.FieldCount).Where(i => !skipped.Contains(reader.GetName(i))).Select(i => reader.IsDBNull(i) ? "null" : reader.GetString(i))));
            }

            text.Append(table).Append('\n').AppendJoin('\n', rows.Order(StringComparer.Ordinal)).Append('\n');
        }

        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }
}
