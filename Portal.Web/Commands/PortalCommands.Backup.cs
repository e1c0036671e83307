using System.Globalization;
using Microsoft.Data.Sqlite;
using Portal.Web.Configuration;
using Portal.Web.Data;

namespace Portal.Web.Commands;

/// <summary>Exit codes of <c>backup</c>: each failure has its own, so a backup script can tell them apart.</summary>
public static class BackupExitCodes
{
    public const int Copied = 0;

    /// <summary>No file named.</summary>
    public const int Usage = 2;

    /// <summary>The file exists, is the portal's own database, or its folder does not exist: nothing was written.</summary>
    public const int Refused = 3;

    /// <summary>No database where the portal is configured to keep it, or the file is not a SQLite database.</summary>
    public const int NoDatabase = 4;

    /// <summary>Copying failed (disk full, no permission, the database stayed locked): nothing was left at the file.</summary>
    public const int CopyFailed = 5;

    /// <summary>The copy failed <c>PRAGMA integrity_check</c>: nothing was left at the file.</summary>
    public const int Damaged = 6;
}

public static partial class PortalCommands
{
    /// <summary>The tables whose rows the backup counts, to show at a glance that the copy holds the portal's data.</summary>
    private static readonly string[] KeyTables = ["AspNetUsers", "Firms", "Assessments", "AssessmentAnswers", "FirmProfileAnswers", "FollowUps", "AuditEntries"];

    /// <summary>
    /// <c>backup FILE [--Setting=value ...]</c>: a consistent copy of the configured SQLite
    /// database, safe while the portal runs. SQLite's online backup copies the database as one
    /// read transaction saw it (in WAL mode the portal keeps writing meanwhile), which copying
    /// the file cannot do: the last commits may still be in <c>portal.db-wal</c>, and a file copied
    /// during a checkpoint can be torn. The copy is written beside the target under a temporary
    /// name, checked, and only then given the target's name.
    /// </summary>
    private static async Task<int> BackupAsync(string file, string[] settings, TextWriter output, TextWriter error, TimeProvider clock)
    {
        var (provider, database) = ConfiguredDatabase(settings);
        if (provider != DatabaseProvider.Sqlite)
        {
            // A server database is backed up by its own tools, which copy it consistently while the portal runs.
            error.WriteLine($"backup copies a SQLite database; Database:Provider is {provider}: use pg_dump (for example pg_dump --format=custom --file=portal.dump \"<Database:ConnectionString>\").");
            return BackupExitCodes.Refused;
        }

        if (database.DataSource is not { Length: > 0 } dataSource || dataSource == ":memory:" || database.Mode == SqliteOpenMode.Memory)
        {
            error.WriteLine("The configured database is not a file (Database:ConnectionString): there is nothing to back up.");
            return BackupExitCodes.NoDatabase;
        }

        var live = Path.GetFullPath(dataSource);
        var target = FromShell(file);
        if (RefusalOf(target, live) is { } refusal)
        {
            error.WriteLine(refusal);
            return BackupExitCodes.Refused;
        }

        if (!File.Exists(live))
        {
            error.WriteLine($"No database at {live}. Set Portal:DataDirectory (or Database:ConnectionString) as the portal has it: in appsettings.json, as an environment variable (Portal__DataDirectory=...) or after the file (--Portal:DataDirectory=...).");
            return BackupExitCodes.NoDatabase;
        }

        var partial = Path.Combine(Path.GetDirectoryName(target)!, $".{Path.GetFileName(target)}.{Guid.NewGuid():N}.partial");
        var startedAt = clock.GetUtcNow();
        var started = clock.GetTimestamp();
        BackupFacts facts;
        try
        {
            using (var source = Open(database.ConnectionString, live, SqliteOpenMode.ReadWrite))
            {
                // Not a database: the first read says so (the open does not).
                Scalar(source, "SELECT count(*) FROM sqlite_master");
                using var copy = Open("", partial, SqliteOpenMode.ReadWriteCreate);
                source.BackupDatabase(copy);

                // One self-contained file: the copy inherits WAL mode from the live database.
                Scalar(copy, "PRAGMA journal_mode=DELETE");
                facts = Inspect(copy);
            }

            if (facts.Problems.Count > 0)
            {
                Delete(partial);
                error.WriteLine($"The copy of {live} failed PRAGMA integrity_check, so it was not kept:");
                foreach (var problem in facts.Problems)
                {
                    error.WriteLine($"  {problem}");
                }

                error.WriteLine("The live database may be damaged too: stop the portal and run PRAGMA integrity_check on it.");
                return BackupExitCodes.Damaged;
            }

            File.Move(partial, target, overwrite: false);
        }
        catch (SqliteException e) when (e.SqliteErrorCode is 26) // SQLITE_NOTADB
        {
            Delete(partial);
            error.WriteLine($"{live} is not a SQLite database: {e.Message}");
            return BackupExitCodes.NoDatabase;
        }
        catch (SqliteException e)
        {
            Delete(partial);
            error.WriteLine($"The copy of {live} failed, so nothing was written to {target}: {e.Message}");
            return BackupExitCodes.CopyFailed;
        }
        catch (IOException e) when (File.Exists(target))
        {
            // Someone else created the file between the check and the rename: theirs is kept.
            Delete(partial);
            error.WriteLine($"{target} appeared while copying; it was not overwritten ({e.Message}).");
            return BackupExitCodes.Refused;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Delete(partial);
            error.WriteLine($"The copy of {live} could not be written to {target}: {e.Message}");
            return BackupExitCodes.CopyFailed;
        }

        var elapsed = clock.GetElapsedTime(started);
        var size = new FileInfo(target).Length;
        var inv = CultureInfo.InvariantCulture;
        output.WriteLine($"Backed up {live}");
        output.WriteLine($"       to {target}");
        output.WriteLine(string.Create(inv, $"  the database as it was at {startedAt:yyyy-MM-dd HH:mm:ss.fff} UTC, copied and checked in {elapsed.TotalSeconds:0.00} s"));
        output.WriteLine(string.Create(inv, $"  {size:N0} bytes, {facts.Tables} tables, last migration {facts.Migration ?? "(none)"}, integrity_check: ok"));
        output.WriteLine("  rows: " + string.Join(", ", facts.Rows.Select(r => string.Create(inv, $"{r.Table} {r.Count:N0}"))));
        output.WriteLine($"To restore: stop the portal, delete {Path.GetFileName(live)}-wal and {Path.GetFileName(live)}-shm if present, copy this file to {live}, start the portal.");
        return BackupExitCodes.Copied;
    }

    private sealed record BackupFacts(IReadOnlyList<string> Problems, long Tables, string? Migration, IReadOnlyList<(string Table, long Count)> Rows);

    /// <summary>
    /// The portal's own configuration (appsettings.json beside the binaries, the environment's
    /// file, environment variables, then the settings after the file), so the command backs up
    /// the database the portal started with the same settings uses.
    /// </summary>
    private static (DatabaseProvider Provider, SqliteConnectionStringBuilder Sqlite) ConfiguredDatabase(string[] settings)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = settings });
        builder.Configuration.UsePortalSettingsFile(builder.Environment);
        var portal = builder.Configuration.GetSection(PortalOptions.SectionName).Get<PortalOptions>() ?? new PortalOptions();
        var database = builder.Configuration.GetSection(DatabaseOptions.SectionName).Get<DatabaseOptions>() ?? new DatabaseOptions();
        return database.Provider == DatabaseProvider.Sqlite
            ? (database.Provider, new SqliteConnectionStringBuilder(DataServiceCollectionExtensions.SqliteConnectionString(database, portal)))
            : (database.Provider, new SqliteConnectionStringBuilder());
    }

    private static string? RefusalOf(string target, string live)
    {
        var comparison = OperatingSystem.IsWindows() || OperatingSystem.IsMacOS() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
        if (new[] { "", "-wal", "-shm", "-journal" }.Any(suffix => string.Equals(target, live + suffix, comparison)))
        {
            return $"{target} is the portal's own database (or one of its files): name another file, such as backups/portal-backup.db.";
        }

        if (Directory.Exists(target))
        {
            return $"{target} is a folder: name the file to write, such as {Path.Combine(target, "portal.db")}.";
        }

        if (File.Exists(target))
        {
            return $"{target} already exists and was not overwritten: name a new file, or move the old one away first.";
        }

        if (!Directory.Exists(Path.GetDirectoryName(target)))
        {
            return $"The folder {Path.GetDirectoryName(target)} does not exist: create it first.";
        }

        return null;
    }

    private static SqliteConnection Open(string connectionString, string path, SqliteOpenMode mode)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder(connectionString)
        {
            DataSource = path,
            Mode = mode,
            // A pooled connection would keep the file open (and the copy in WAL mode) after the command ends.
            Pooling = false,
        }.ToString());
        connection.Open();

        // The backup waits for a moment when the portal is checkpointing, instead of failing at once.
        Scalar(connection, "PRAGMA busy_timeout = 10000");
        return connection;
    }

    private static BackupFacts Inspect(SqliteConnection copy)
    {
        var problems = new List<string>();
        using (var check = copy.CreateCommand())
        {
            check.CommandText = "PRAGMA integrity_check(20)";
            using var reader = check.ExecuteReader();
            while (reader.Read())
            {
                problems.Add(reader.GetString(0));
            }
        }

        if (problems is ["ok"])
        {
            problems.Clear();
        }

        var tables = ((long?)Scalar(copy, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")) ?? 0;
        var hasHistory = (long?)Scalar(copy, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '__EFMigrationsHistory'") > 0;
        var migration = hasHistory ? Scalar(copy, "SELECT max(MigrationId) FROM __EFMigrationsHistory") as string : null;
        var rows = new List<(string, long)>();
        foreach (var table in KeyTables)
        {
            if ((long?)Scalar(copy, $"SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '{table}'") > 0)
            {
                rows.Add((table, (long?)Scalar(copy, $"SELECT count(*) FROM \"{table}\"") ?? 0));
            }
        }

        return new BackupFacts(problems, tables, migration, rows);
    }

    private static object? Scalar(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }

    private static void Delete(string path)
    {
        foreach (var file in new[] { path, path + "-journal", path + "-wal", path + "-shm" })
        {
            try
            {
                File.Delete(file);
            }
            catch (IOException)
            {
                // Left behind under its temporary name; it never takes the target's name.
            }
        }
    }
}
