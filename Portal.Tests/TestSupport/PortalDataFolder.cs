using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Portal.Web.Data;

namespace Portal.Tests.TestSupport;

/// <summary>
/// A portal data folder (portal.db, keys, mail pickup) that outlives the processes serving
/// it, for tests that stop, kill and restart the portal or restore a backup into it.
/// </summary>
public sealed class PortalDataFolder : IDisposable
{
    private PortalDataFolder(string path) => Path = path;

    public string Path { get; }

    public string DatabaseFile => System.IO.Path.Combine(Path, "portal.db");

    public static PortalDataFolder Create() => new(Directory.CreateTempSubdirectory("portal-data-").FullName);

    /// <summary>
    /// Runs <paramref name="work"/> against the in-process portal on this folder (Production,
    /// no email dispatch), then stops it: the way to create users and submissions before the
    /// portal runs as its own process on the same data.
    /// </summary>
    public async Task SetUpAsync(Func<PortalApp, Task> work)
    {
        await using var app = new PortalApp(o =>
        {
            o.UseSqlite(); // the folder's portal.db is what the processes after it open
            o.Environment = "Production";
            o.Settings["Portal:DataDirectory"] = Path;
            o.Settings["FollowUps:DispatchEveryMinutes"] = "0";
        });
        await work(app);
    }

    /// <summary>A context on this folder's database, with no pooled connection left open afterwards.</summary>
    public PortalDbContext OpenDatabase() => new SqlitePortalDbContext(new DbContextOptionsBuilder<SqlitePortalDbContext>()
        .UseSqlite(new SqliteConnectionStringBuilder { DataSource = DatabaseFile, Mode = SqliteOpenMode.ReadWrite, Pooling = false }.ToString())
        .Options);

    public async Task<T> QueryAsync<T>(Func<PortalDbContext, Task<T>> query)
    {
        await using var db = OpenDatabase();
        return await query(db);
    }

    /// <summary>What <c>PRAGMA integrity_check</c> says of the database ("ok" when sound).</summary>
    public string IntegrityCheck()
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = DatabaseFile, Mode = SqliteOpenMode.ReadWrite, Pooling = false }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA integrity_check";
        using var reader = command.ExecuteReader();
        var lines = new List<string>();
        while (reader.Read())
        {
            lines.Add(reader.GetString(0));
        }

        return string.Join("\n", lines);
    }

    /// <summary>
    /// The database files as a killed process left them (portal.db and its WAL), copied to a
    /// folder of their own: reading the copy cannot recover or checkpoint the original, which
    /// the restarted portal must find exactly as the crash left it.
    /// </summary>
    public PortalDataFolder CrashImage()
    {
        var image = Create();
        foreach (var suffix in new[] { "", "-wal" })
        {
            if (File.Exists(DatabaseFile + suffix))
            {
                File.Copy(DatabaseFile + suffix, image.DatabaseFile + suffix);
            }
        }

        return image;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A file a process still holds: the OS temp cleaner gets it.
        }
    }
}
