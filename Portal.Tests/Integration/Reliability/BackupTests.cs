using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Portal.Tests.TestSupport;
using Portal.Web.Commands;
using Portal.Web.Features.Accounts;

namespace Portal.Tests.Integration.Reliability;

/// <summary>
/// <c>backup FILE</c>: a consistent copy of the live database, taken while owners save, that
/// restores into a working portal with everything acknowledged before the backup began.
/// </summary>
[Trait("Database", "SqliteOnly")] // SQLite's file and tools only: test.sh runs it once, not again on PostgreSQL
[Collection(PortalProcessesCollection.Name)]
public sealed class BackupTests : IDisposable
{
    private const string Password = "Backup-restore-2026";
    private readonly PortalDataFolder data = PortalDataFolder.Create();
    private readonly string backups = Directory.CreateTempSubdirectory("portal-backups-").FullName;

    public void Dispose()
    {
        data.Dispose();
        Directory.Delete(backups, recursive: true);
    }

    private static ITestOutputHelper? Output => TestContext.Current.TestOutputHelper;

    [Fact]
    public async Task BackupWhileOwnersSave_RestoresIntoAPortalWithEveryAnswerAcknowledgedBeforeIt()
    {
        var users = new List<(string Email, string Id)>();
        await data.SetUpAsync(async app =>
        {
            for (var i = 0; i < 4; i++)
            {
                var email = $"backup-owner{i}@example.test";
                users.Add((email, (await app.CreateUserAsync(email, Password, PortalRoles.Owner)).Id));
            }
        });
        await using var live = await PortalServerProcess.StartAsync(data.Path);
        var owners = new List<SavingOwner>();
        foreach (var (email, id) in users)
        {
            owners.Add(new SavingOwner(email, id, await live.SignedInClientAsync(email, Password)));
        }

        using var stop = new CancellationTokenSource();
        var saving = owners.Select(o => o.SaveUntilAsync(stop.Token)).ToList();
        await Eventually.WaitForAsync(
            async () => saving.FirstOrDefault(t => t.IsFaulted) is { } failed ? await Rethrow(failed) : owners.All(o => o.LastAcknowledged >= 3) ? "saving" : null,
            TimeSpan.FromSeconds(90), "every owner to have answers acknowledged");

        // The backup runs as an operator would run it, in its own process, while the owners save.
        var before = owners.ToDictionary(o => o.UserId, o => o.LastAcknowledged);
        var file = Path.Combine(backups, "portal-backup.db");
        var backupTime = System.Diagnostics.Stopwatch.StartNew();
        var backup = await PortalProcess.RunAsync(["backup", file], new Dictionary<string, string> { ["Portal__DataDirectory"] = data.Path }, TimeSpan.FromSeconds(180));
        var duringBackup = owners.Sum(o => o.LastAcknowledged) - before.Values.Sum();
        backupTime.Stop();
        await stop.CancelAsync();
        await Task.WhenAll(saving);

        Assert.True(backup.ExitCode == BackupExitCodes.Copied, backup.All);
        Assert.Contains("integrity_check: ok", backup.Output, StringComparison.Ordinal);
        Assert.All(owners, o => Assert.Null(o.NoAnswer));
        Assert.True(duringBackup > 0, "the owners' saves went on while the backup ran");

        // Restore: the copy becomes the database of a new data folder, and a portal starts on it.
        using var restored = PortalDataFolder.Create();
        File.Copy(file, restored.DatabaseFile);
        await using var portal = await PortalServerProcess.StartAsync(restored.Path);
        Assert.Equal("ok", restored.IntegrityCheck());

        var stored = await restored.QueryAsync(db => AnswerBatches.StoredAsync(db, owners.Select(o => o.UserId).ToList()));
        foreach (var owner in owners)
        {
            var (batch, problem) = AnswerBatches.Identify(stored[owner.UserId]);
            Assert.True(batch is not null, $"{owner.Email}: {problem}");
            Assert.InRange(batch.Value, before[owner.UserId], owner.Attempted);
        }

        // What the backup printed is what the copy holds.
        var rows = await restored.QueryAsync(async db => (await db.AssessmentAnswers.CountAsync(), await db.FirmProfileAnswers.CountAsync(), await db.Users.CountAsync()));
        Assert.Equal(rows, (Printed(backup.Output, "AssessmentAnswers"), Printed(backup.Output, "FirmProfileAnswers"), Printed(backup.Output, "AspNetUsers")));

        // The owners sign in to the restored portal and find their answers.
        foreach (var owner in owners)
        {
            using var client = await portal.SignedInClientAsync(owner.Email, Password);
            var page = await client.GetStringAsync("assessment/section/profile", TestContext.Current.CancellationToken);
            var founded = AnswerBatches.Values(AnswerBatches.Identify(stored[owner.UserId]).Batch!.Value)["founded"]!.ToJsonString();
            Assert.Contains($"value=\"{founded}\"", page, StringComparison.Ordinal);
        }

        Output?.WriteLine($"Backup while {owners.Count} owners saved: {before.Values.Sum()} batches acknowledged before it, {duringBackup} while it ran ({backupTime.Elapsed.TotalSeconds:0.0} s, starting the process included); " +
            $"the copy holds batches {string.Join(", ", owners.Select(o => $"{AnswerBatches.Identify(stored[o.UserId]).Batch} (acknowledged before: {before[o.UserId]}, last sent: {o.Attempted})"))}");
        Output?.WriteLine(backup.Output);
    }

    [Fact]
    public async Task Backup_RefusesToOverwriteAFileOrTheLiveDatabase_AndSaysWhatIsWrong()
    {
        await data.SetUpAsync(app => app.CreateUserAsync("refusals@example.test", Password, PortalRoles.Owner));
        var existing = Path.Combine(backups, "existing.db");
        await File.WriteAllTextAsync(existing, "an older backup", TestContext.Current.CancellationToken);

        var overwrite = await RunAsync(existing);
        Assert.Equal(BackupExitCodes.Refused, overwrite.Exit);
        Assert.Contains("already exists and was not overwritten", overwrite.Error, StringComparison.Ordinal);
        Assert.Equal("an older backup", await File.ReadAllTextAsync(existing, TestContext.Current.CancellationToken));

        foreach (var own in new[] { data.DatabaseFile, data.DatabaseFile + "-wal" })
        {
            var live = await RunAsync(own);
            Assert.Equal(BackupExitCodes.Refused, live.Exit);
            Assert.Contains("is the portal's own database", live.Error, StringComparison.Ordinal);
        }

        var noFolder = await RunAsync(Path.Combine(backups, "missing", "x.db"));
        Assert.Equal(BackupExitCodes.Refused, noFolder.Exit);
        Assert.Contains("does not exist", noFolder.Error, StringComparison.Ordinal);

        var folder = await RunAsync(backups);
        Assert.Equal(BackupExitCodes.Refused, folder.Exit);
        Assert.Contains("is a folder", folder.Error, StringComparison.Ordinal);

        using var empty = PortalDataFolder.Create();
        var noDatabase = await RunAsync(Path.Combine(backups, "none.db"), empty.Path);
        Assert.Equal(BackupExitCodes.NoDatabase, noDatabase.Exit);
        Assert.Contains($"No database at {empty.DatabaseFile}", noDatabase.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(empty.DatabaseFile), "the backup creates no database where there was none");

        await File.WriteAllTextAsync(empty.DatabaseFile, "not a database, but long enough to look like one's header", TestContext.Current.CancellationToken);
        var junk = await RunAsync(Path.Combine(backups, "junk.db"), empty.Path);
        Assert.Equal(BackupExitCodes.NoDatabase, junk.Exit);
        Assert.Contains("is not a SQLite database", junk.Error, StringComparison.Ordinal);

        var usage = await PortalCommandsRunAsync("backup");
        Assert.Equal(BackupExitCodes.Usage, usage.Exit);
        Assert.Contains("backup FILE", usage.Error, StringComparison.Ordinal);

        // None of the refusals left a file behind, not even a partial one.
        Assert.Equal(new[] { "existing.db" }, Directory.GetFiles(backups).Select(f => Path.GetFileName(f)));

        var copied = await RunAsync(Path.Combine(backups, "good.db"));
        Assert.True(copied.Exit == BackupExitCodes.Copied, copied.Error);
        Assert.Contains("AspNetUsers 1,", copied.Output, StringComparison.Ordinal);
        Assert.Equal(new[] { "existing.db", "good.db" }, Directory.GetFiles(backups).Select(f => Path.GetFileName(f)).Order());
    }

    private Task<(int? Exit, string Output, string Error)> RunAsync(string file, string? dataDirectory = null) =>
        PortalCommandsRunAsync("backup", file, $"--Portal:DataDirectory={dataDirectory ?? data.Path}");

    private static async Task<(int? Exit, string Output, string Error)> PortalCommandsRunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = await PortalCommands.TryRunAsync(args, output, error, TimeProvider.System);
        return (exit, output.ToString(), error.ToString());
    }

    private static int Printed(string output, string table)
    {
        var match = Regex.Match(output, $@"\b{table} ([\d,]+)");
        Assert.True(match.Success, $"{table} not in: {output}");
        return int.Parse(match.Groups[1].Value, NumberStyles.AllowThousands, CultureInfo.InvariantCulture);
    }

    private static async Task<string?> Rethrow(Task failed)
    {
        await failed;
        return null;
    }
}
