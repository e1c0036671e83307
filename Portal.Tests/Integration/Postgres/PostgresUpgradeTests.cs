using System.Net;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql;
using Portal.Tests.TestSupport;
using Portal.Web.Data;

namespace Portal.Tests.Integration.Postgres;

/// <summary>
/// A PostgreSQL database left at the previous migration by an older release, with data in it,
/// upgraded by the portal's own start-up. Skipped unless <c>PORTAL_TEST_POSTGRES</c> names a server.
/// </summary>
public sealed class PostgresUpgradeTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>
    /// "Previous" is the last migration but one (today InitialPostgres, before DataProtectionKeys),
    /// whichever migrations come later. With a single migration the previous state would be the
    /// empty database, which the test also handles.
    /// </summary>
    [Fact]
    public async Task ADatabaseAtThePreviousMigration_OrEmptyWhileThereIsOnlyOne_IsUpgradedAtStartUp_KeepingItsData()
    {
        PostgresTestDatabase.SkipUnlessAvailable();
        await using var database = PostgresTestDatabase.Create();
        const string email = "upgraded.owner@example.org";
        const string password = "Correct-horse-42";
        var firmId = Guid.NewGuid();

        IReadOnlyList<string> migrations;
        string? previous;
        await using (var db = OlderRelease(database.ConnectionString))
        {
            migrations = [.. db.Database.GetMigrations()];
            Assert.NotEmpty(migrations);
            previous = migrations.Count >= 2 ? migrations[^2] : null;
            if (previous is not null)
            {
                await db.GetService<IMigrator>().MigrateAsync(previous, Ct);
                Assert.Equal(migrations.Take(migrations.Count - 1), await db.Database.GetAppliedMigrationsAsync(Ct));
                await AddOwnerAndFirmAsync(database.ConnectionString, email, password, firmId);
            }
            else
            {
                Assert.Empty(await db.Database.GetAppliedMigrationsAsync(Ct));
            }
        }

        // The database exists already: the host must use it rather than make its own.
        await using var app = new PortalApp(o =>
        {
            o.Postgres = false;
            o.Settings["Database:Provider"] = "Postgres";
            o.Settings["Database:ConnectionString"] = database.ConnectionString;
        });
        var health = await app.CreateClient().GetAsync("/health", Ct);

        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        await app.QueryAsync(async db =>
        {
            Assert.IsType<PostgresPortalDbContext>(db);
            Assert.Equal(migrations, await db.Database.GetAppliedMigrationsAsync(Ct));
            Assert.Empty(await db.Database.GetPendingMigrationsAsync(Ct));
            return 0;
        });
        if (previous is null)
        {
            return;
        }

        var kept = await app.QueryAsync(db => db.FirmMembers
            .Where(m => m.User.Email == email)
            .Select(m => new { m.FirmId, m.Firm.Name, m.Role })
            .ToListAsync(Ct));
        Assert.True(kept.Count == 1, $"the owner's firm membership made before the upgrade: {kept.Count} after it");
        Assert.Equal(new { FirmId = firmId, Name = "Upgraded Exports Ltd", Role = "Owner" }, kept[0]);
        await app.SignedInClientAsync(email, password); // the stored password hash and security stamp still sign in
    }

    /// <summary>The schema an older release would have made: the context, without its model check (the model is the current one).</summary>
    private static PostgresPortalDbContext OlderRelease(string connectionString) =>
        new(new DbContextOptionsBuilder<PostgresPortalDbContext>()
            .UseNpgsql(connectionString)
            .ConfigureWarnings(w => w.Ignore(RelationalEventId.PendingModelChangesWarning))
            .Options);

    /// <summary>
    /// Plain SQL over the columns the first PostgreSQL migration made: the current entities may
    /// have columns the older schema lacks.
    /// </summary>
    private static async Task AddOwnerAndFirmAsync(string connectionString, string email, string password, Guid firmId)
    {
        var userId = Guid.NewGuid().ToString();
        var hash = new PasswordHasher<PortalUser>().HashPassword(new PortalUser { Id = userId, Email = email }, password);
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(Ct);
        await using var command = new NpgsqlCommand(
            """
            INSERT INTO "AspNetUsers" ("Id", "UserName", "NormalizedUserName", "Email", "NormalizedEmail", "EmailConfirmed",
                "PasswordHash", "SecurityStamp", "ConcurrencyStamp", "PhoneNumberConfirmed", "TwoFactorEnabled", "LockoutEnabled", "AccessFailedCount")
            VALUES (@id, @email, upper(@email), @email, upper(@email), true, @hash, @stamp, @stamp, false, false, true, 0);
            INSERT INTO "Firms" ("Id", "Name", "CreatedAt") VALUES (@firm, 'Upgraded Exports Ltd', now());
            INSERT INTO "FirmMembers" ("FirmId", "UserId", "Role", "JoinedAt") VALUES (@firm, @id, 'Owner', now());
            """,
            connection);
        command.Parameters.AddWithValue("id", userId);
        command.Parameters.AddWithValue("email", email);
        command.Parameters.AddWithValue("hash", hash);
        command.Parameters.AddWithValue("stamp", Guid.NewGuid().ToString("N"));
        command.Parameters.AddWithValue("firm", firmId);
        await command.ExecuteNonQueryAsync(Ct);
    }
}
