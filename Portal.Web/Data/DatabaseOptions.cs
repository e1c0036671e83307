using System.ComponentModel.DataAnnotations;

namespace Portal.Web.Data;

public enum DatabaseProvider
{
    Sqlite,
}

/// <summary>Section <c>Database</c>: which engine holds the portal's data.</summary>
public sealed class DatabaseOptions
{
    public const string SectionName = "Database";

    [EnumDataType(typeof(DatabaseProvider), ErrorMessage = "must be Sqlite")]
    public DatabaseProvider Provider { get; set; } = DatabaseProvider.Sqlite;

    /// <summary>Empty: a SQLite file <c>portal.db</c> in <c>Portal:DataDirectory</c>.</summary>
    public string? ConnectionString { get; set; }
}
