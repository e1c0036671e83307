using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Tests.TestSupport;
using Portal.Web.Data;
using Portal.Web.Data.Entities;
using Portal.Web.Features.SyntheticData;

namespace Portal.Tests.Integration.Benchmarks;

/// <summary>
/// The synthetic data is written with prepared inserts built from the EF model, not with
/// SaveChanges: a row written that way must be stored exactly as SaveChanges stores it (the
/// same SQLite type and text for Guids, dates, offsets, enums, booleans, doubles, nulls), or
/// the portal would not find or read what was seeded.
/// </summary>
[Trait("Database", "SqliteOnly")] // SQLite's file and tools only: test.sh runs it once, not again on PostgreSQL
public sealed class BulkTableTests : IAsyncDisposable
{
    private static readonly DateTime At = new(2026, 3, 4, 5, 6, 7, DateTimeKind.Utc);

    // What it compares is how SQLite stores each column (bulk inserts are SQLite-only).
    private readonly PortalApp app = new(o => o.UseSqlite());

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public ValueTask DisposeAsync() => app.DisposeAsync();

    [Fact]
    public async Task RowsInsertedInBulk_AreStoredAsSaveChangesStoresThem()
    {
        var organisation = new Organisation { Name = "Bulk agency", CreatedAt = At };
        var programme = new Programme { OrganisationId = organisation.Id, Name = "Bulk programme", CreatedAt = At };
        var firm = new Firm { Name = "Bulk firm", CreatedAt = At };
        var file = new CaseFile { FirmId = firm.Id, OrganisationId = organisation.Id, StatusChangedAt = At, OpenedAt = At };
        var cohort = new Cohort { ProgrammeId = programme.Id, Name = "Set-up cohort", CreatedAt = At };
        await SaveAsync(organisation, programme, firm, file, cohort);
        var moment = At.AddTicks(1_234_567); // a fraction of a second, to the tick

        await AssertStoredAlikeAsync(i => new PortalUser
        {
            UserName = $"bulk{i}@example.org", NormalizedUserName = $"BULK{i}@EXAMPLE.ORG", Email = $"bulk{i}@example.org", NormalizedEmail = $"BULK{i}@EXAMPLE.ORG",
            EmailConfirmed = true, PasswordHash = "hash", SecurityStamp = "STAMP", ConcurrencyStamp = "c", LockoutEnabled = true,
            LockoutEnd = new DateTimeOffset(2027, 1, 2, 3, 4, 5, TimeSpan.FromHours(2)), AccessFailedCount = 3, TimeZoneId = "Europe/Berlin",
        }, "Id", "UserName", "NormalizedUserName", "Email", "NormalizedEmail");
        await AssertStoredAlikeAsync(i => new Cohort { ProgrammeId = programme.Id, Name = $"Cohort {i}", StartsOn = new DateOnly(2026, 3, 2), EndsOn = new DateOnly(2027, 2, 26), CreatedAt = moment },
            "Id", "Name");
        await AssertStoredAlikeAsync(i => new Assessment
        {
            FirmId = firm.Id, Number = i, Status = AssessmentStatus.Submitted, StartedAt = moment, UpdatedAt = moment, SubmittedAt = moment, ContentVersion = "v",
            AnswersJson = "{}", ResultJson = "{\"x\":\"ü\"}", OverallScore = 61.25, BandId = "ready", StageId = "s", StageGroupId = "g", TriagePriority = 4, IsLatest = i == 1,
        }, "Id", "Number", "IsLatest");
        await AssertStoredAlikeAsync(_ => new FollowUp
        {
            Kind = EmailKind.AdvisorMessage, Template = "t", Topic = "advisor", FirmId = firm.Id, CreatedAt = moment, DueAt = moment, NextAttemptAt = moment,
            Status = FollowUpStatus.Sent, Attempts = 1, SentAt = moment, ClaimToken = new Guid("0f8fad5b-d9cb-469f-a165-70867728950e"), CancelledAt = null, Subject = "s",
        }, "Id");
        await AssertStoredAlikeAsync(_ => new CaseStatusChange { CaseFileId = file.Id, From = CaseStatus.Contacted, To = CaseStatus.InSupport, At = moment, ByUserId = "u" }, "Id");
        await AssertStoredAlikeAsync(i => new Enrolment { CohortId = cohort.Id, FirmId = firm.Id, EnrolledAt = moment, LeftAt = null, TokenHash = $"{i}" }, "Id", "TokenHash");
    }

    /// <summary>Saves one row through SaveChanges and one through <see cref="BulkTable{T}"/>, then compares each column's SQLite type and value.</summary>
    private async Task AssertStoredAlikeAsync<T>(Func<int, T> make, params string[] differing) where T : class
    {
        var dbFactory = app.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>();
        await using var db = await dbFactory.CreateDbContextAsync(Ct);
        var first = make(1);
        var second = make(2);
        db.Add(first);
        await db.SaveChangesAsync(Ct);
        var table = db.Model.FindEntityType(typeof(T))!.GetTableName()!;
        await using (var connection = new SqliteConnection(db.Database.GetConnectionString()))
        {
            await connection.OpenAsync(Ct);
            using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA foreign_keys = ON";
            command.ExecuteNonQuery();
            using var transaction = connection.BeginTransaction();
            using (var bulk = new BulkTable<T>(db.Model, connection, transaction))
            {
                bulk.Insert(second);
            }

            transaction.Commit();
        }

        var rows = await StoredAsync(db, table, differing);
        Assert.Equal(2, rows.Count);
        Assert.Equal(rows[0], rows[1]);
    }

    private static async Task<List<string>> StoredAsync(PortalDbContext db, string table, string[] differing)
    {
        var connection = (SqliteConnection)db.Database.GetDbConnection();
        await connection.OpenAsync(Ct);
        var columns = new List<string>();
        using (var info = connection.CreateCommand())
        {
            info.CommandText = $"SELECT name FROM pragma_table_info('{table}')";
            using var reader = await info.ExecuteReaderAsync(Ct);
            while (await reader.ReadAsync(Ct))
            {
                columns.Add(reader.GetString(0));
            }
        }

        // Only the rows of this test: the Identity tables and cohorts have others.
        var filter = table switch
        {
            "AspNetUsers" => "WHERE \"Email\" LIKE 'bulk%'",
            "Cohorts" => "WHERE \"Name\" LIKE 'Cohort %'",
            _ => "",
        };
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {string.Join(" || '|' || ", columns.Where(c => !differing.Contains(c)).Select(c => $"'{c}=' || typeof(\"{c}\") || ':' || quote(\"{c}\")"))} FROM \"{table}\" {filter}";
        var rows = new List<string>();
        using (var reader = await command.ExecuteReaderAsync(Ct))
        {
            while (await reader.ReadAsync(Ct))
            {
                rows.Add(reader.GetString(0));
            }
        }

        return rows;
    }

    private async Task SaveAsync(params object[] rows)
    {
        await using var db = await app.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync(Ct);
        db.AddRange(rows);
        await db.SaveChangesAsync(Ct);
    }
}
