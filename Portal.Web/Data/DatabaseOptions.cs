using System.ComponentModel.DataAnnotations;
using Npgsql;

namespace Portal.Web.Data;

public enum DatabaseProvider
{
    Sqlite,
    Postgres,
}

/// <summary>Section <c>Database</c>: which engine holds the portal's data.</summary>
public sealed class DatabaseOptions : IValidatableObject
{
    public const string SectionName = "Database";

    [EnumDataType(typeof(DatabaseProvider), ErrorMessage = "must be Sqlite or Postgres")]
    public DatabaseProvider Provider { get; set; } = DatabaseProvider.Sqlite;

    /// <summary>
    /// Sqlite: empty means a file <c>portal.db</c> in <c>Portal:DataDirectory</c>. Postgres:
    /// required, an Npgsql connection string (<c>Host=...;Database=...;Username=...</c>, the password from the
    /// environment: <c>Database__ConnectionString</c> or a PGPASSFILE).
    /// </summary>
    public string? ConnectionString { get; set; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Provider != DatabaseProvider.Postgres)
        {
            yield break;
        }

        if (string.IsNullOrWhiteSpace(ConnectionString))
        {
            yield return new ValidationResult(
                "must be set when Database:Provider is Postgres (Host=...;Port=5432;Database=...;Username=...; the password from the environment, never a committed file)",
                [nameof(ConnectionString)]);
            yield break;
        }

        string? problem = null;
        try
        {
            var parsed = new NpgsqlConnectionStringBuilder(ConnectionString);
            if (string.IsNullOrWhiteSpace(parsed.Host))
            {
                problem = "has no Host: Database:Provider is Postgres, which needs Host=...;Database=...";
            }
        }
        catch (ArgumentException e) when (e.Message.StartsWith("Keyword not supported", StringComparison.Ordinal))
        {
            // Not the keyword either: in a password with an unquoted ';' a piece of it becomes one.
            problem = "is not a PostgreSQL connection string: it has a keyword Npgsql does not know (a SQLite 'Data Source=...'? a ';' in an unquoted password?)";
        }
        catch (Exception e) when (e is ArgumentException or FormatException or InvalidCastException or OverflowException)
        {
            // Not the exception's text: it can repeat a value, and the value can be a password.
            problem = "is not a PostgreSQL connection string: a value cannot be read (Port a number, Host a name)";
        }

        if (problem is not null)
        {
            yield return new ValidationResult(problem, [nameof(ConnectionString)]);
        }
    }
}
