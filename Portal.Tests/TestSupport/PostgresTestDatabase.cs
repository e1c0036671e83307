using System.Globalization;
using Npgsql;

namespace Portal.Tests.TestSupport;

/// <summary>
/// A database of its own on the test PostgreSQL server (<c>PORTAL_TEST_POSTGRES</c>, the
/// connection string <c>scripts/postgres-test.sh start</c> prints), for one portal host.
/// Disposing it drops the database, whoever is still connected.
/// </summary>
public sealed class PostgresTestDatabase : IAsyncDisposable
{
    public const string ServerVariable = "PORTAL_TEST_POSTGRES";

    /// <summary><c>PORTAL_TEST_DATABASE=postgres</c>: every <see cref="PortalApp"/> uses PostgreSQL unless it asks for SQLite.</summary>
    public const string RunVariable = "PORTAL_TEST_DATABASE";

    /// <summary>This run puts every portal host on PostgreSQL (test.sh's second run of the integration tests).</summary>
    public static bool IsPostgresRun =>
        string.Equals(Environment.GetEnvironmentVariable(RunVariable), "postgres", StringComparison.OrdinalIgnoreCase);

    private PostgresTestDatabase(string name, string connectionString)
    {
        Name = name;
        ConnectionString = connectionString;
    }

    /// <summary>The server's connection string, or null when the run has no PostgreSQL.</summary>
    public static string? Server => Environment.GetEnvironmentVariable(ServerVariable) is { Length: > 0 } server ? server : null;

    public string Name { get; }

    /// <summary>The connection string of this database, for <c>Database:ConnectionString</c>.</summary>
    public string ConnectionString { get; }

    /// <summary>Skips the calling test when the run has no PostgreSQL server.</summary>
    public static void SkipUnlessAvailable() =>
        Assert.SkipWhen(Server is null, $"{ServerVariable} is not set: scripts/postgres-test.sh start prints the value to set.");

    /// <summary>A new, empty database (synchronous: a <see cref="PortalApp"/> makes it in its constructor).</summary>
    public static PostgresTestDatabase Create()
    {
        var server = Server ?? throw new InvalidOperationException($"{ServerVariable} is not set.");
        var name = string.Create(CultureInfo.InvariantCulture, $"portal_test_{Guid.NewGuid():N}");
        using (var connection = new NpgsqlConnection(server))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = $"CREATE DATABASE \"{name}\"";
            command.ExecuteNonQuery();
        }

        return new PostgresTestDatabase(name, new NpgsqlConnectionStringBuilder(server) { Database = name }.ToString());
    }

    public async ValueTask DisposeAsync()
    {
        await using (var own = new NpgsqlConnection(ConnectionString))
        {
            NpgsqlConnection.ClearPool(own); // the host's idle connections, which would otherwise hold the database
        }

        await using var connection = new NpgsqlConnection(Server);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = $"DROP DATABASE IF EXISTS \"{Name}\" WITH (FORCE)";
        await command.ExecuteNonQueryAsync();
    }
}
