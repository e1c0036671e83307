using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Portal.Web.Data;
using Portal.Web.Data.Entities;

namespace Portal.Tests.Integration.Benchmarks;

/// <summary>
/// Queues and cohort figures read only an assessment's summary columns; SQLite finds them on the
/// row's first page only if the ~100 KB submission snapshot is stored after them
/// (docs/benchmarks.md: the triage queue at 10,000 firms went from 1.5 s to 0.33 s). A later
/// migration that rebuilds the table must keep that order, and the migration that moved the
/// columns must keep every stored assessment.
/// </summary>
[Trait("Database", "SqliteOnly")] // SQLite's file and tools only: test.sh runs it once, not again on PostgreSQL
public sealed class AssessmentLayoutTests : IDisposable
{
    private const string BeforeLayout = "20261201213052_DashboardIndexes";

    private readonly string folder = Directory.CreateTempSubdirectory("portal-layout-").FullName;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(folder, recursive: true);
    }

    [Fact]
    public async Task TheSubmissionSnapshotIsStoredAfterEverySummaryColumn()
    {
        await using var db = Context();
        await db.Database.MigrateAsync(Ct);

        var columns = await Columns(db);

        Assert.Equal(["AnswersJson", "ResultJson"], columns[^2..]);
        Assert.True(columns.IndexOf("IsLatest") < columns.IndexOf("AnswersJson"));
        Assert.True(columns.IndexOf("TriagePriority") < columns.IndexOf("AnswersJson"));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task AssessmentsStoredBeforeTheLayoutChange_AreKeptWithTheirChildren(bool anEarlierStartWasKilledMidRebuild)
    {
        var at = new DateTime(2026, 6, 1, 9, 30, 0, DateTimeKind.Utc);
        var firm = new Firm { Name = "Layout Ltd", CreatedAt = at };
        var assessment = new Assessment
        {
            FirmId = firm.Id, Number = 1, Status = AssessmentStatus.Submitted, StartedAt = at, UpdatedAt = at, SubmittedAt = at,
            ContentVersion = "v1", AnswersJson = """{"a":1}""", ResultJson = new string('r', 200_000), OverallScore = 61.5,
            BandId = "developing", StageId = "irregular-export", StageGroupId = "exporting", TriagePriority = 40, IsLatest = true,
            FactorScores = [new AssessmentFactorScore { FactorId = "capacity", Score = 55 }],
        };
        await using (var db = Context())
        {
            await db.GetService<IMigrator>().MigrateAsync(BeforeLayout, Ct);
            Assert.NotEqual("ResultJson", (await Columns(db))[^1]);
            db.AddRange(firm, assessment);
            await db.SaveChangesAsync(Ct);
            if (anEarlierStartWasKilledMidRebuild)
            {
                // What the rebuild's first transaction leaves when the process dies before the swap.
                await db.Database.ExecuteSqlRawAsync("""CREATE TABLE "ef_temp_Assessments" AS SELECT * FROM "Assessments" """, Ct);
            }
        }

        await using (var db = Context())
        {
            await db.Database.MigrateAsync(Ct);
            var stored = await db.Assessments.AsNoTracking().Include(a => a.FactorScores).SingleAsync(Ct);

            Assert.Equal("ResultJson", (await Columns(db))[^1]);
            Assert.Equal(
                (assessment.Id, firm.Id, 1, AssessmentStatus.Submitted, at, "v1", """{"a":1}""", 200_000, 61.5, "developing", "irregular-export", "exporting", 40, true),
                (stored.Id, stored.FirmId, stored.Number, stored.Status, stored.SubmittedAt!.Value, stored.ContentVersion, stored.AnswersJson, stored.ResultJson!.Length,
                    stored.OverallScore!.Value, stored.BandId, stored.StageId, stored.StageGroupId, stored.TriagePriority!.Value, stored.IsLatest));
            Assert.Equal(55, Assert.Single(stored.FactorScores).Score);
        }
    }

    // A bare context: the migrations alone decide the schema. Its model lacks the app's Identity
    // options (the schema version), so EF would report the Identity tables as pending changes.
    private PortalDbContext Context() =>
        new SqlitePortalDbContext(new DbContextOptionsBuilder<SqlitePortalDbContext>().UseSqlite($"Data Source={Path.Combine(folder, "portal.db")}")
            .ConfigureWarnings(w => w.Ignore(RelationalEventId.PendingModelChangesWarning)).Options);

    private static async Task<List<string>> Columns(PortalDbContext db) =>
        await db.Database.SqlQueryRaw<string>("""SELECT name AS "Value" FROM pragma_table_info('Assessments') ORDER BY cid""").ToListAsync(Ct);
}
