using Portal.Tests.TestSupport;
using Portal.Web.Features.Accounts;

namespace Portal.Tests.Integration.Reliability;

/// <summary>
/// The portal's process killed hard (SIGKILL) while owners save answers: started again on
/// the same data, it has every batch it acknowledged, each entire, and the owners carry on.
/// </summary>
[Trait("Database", "SqliteOnly")] // SQLite's file and tools only: test.sh runs it once, not again on PostgreSQL
[Collection(PortalProcessesCollection.Name)]
public sealed class KillWhileSavingTests : IDisposable
{
    private const string Password = "Kill-while-saving-2026";
    private const int Owners = 6;
    private readonly PortalDataFolder data = PortalDataFolder.Create();

    public void Dispose() => data.Dispose();

    [Fact]
    public async Task KilledWhileOwnersSave_EveryAcknowledgedBatchIsThereEntire_AndTheOwnersCarryOn()
    {
        var users = new List<(string Email, string Id)>();
        await data.SetUpAsync(async app =>
        {
            for (var i = 0; i < Owners; i++)
            {
                var email = $"saver{i}@example.test";
                users.Add((email, (await app.CreateUserAsync(email, Password, PortalRoles.Owner)).Id));
            }
        });
        await using var first = await PortalServerProcess.StartAsync(data.Path);
        var owners = new List<SavingOwner>();
        foreach (var (email, id) in users)
        {
            owners.Add(new SavingOwner(email, id, await first.SignedInClientAsync(email, Password)));
        }

        using var never = new CancellationTokenSource();
        var saving = owners.Select(o => o.SaveUntilAsync(never.Token)).ToList();

        // Killed once every owner has had batches acknowledged: each owner has a request in flight then.
        await Eventually.WaitForAsync(
            async () => saving.FirstOrDefault(t => t.IsFaulted) is { } failed ? await Rethrow(failed) : owners.All(o => o.LastAcknowledged >= 5) ? "saving" : null,
            TimeSpan.FromSeconds(90), "every owner to have batches acknowledged");
        await first.KillAsync();
        var killed = System.Diagnostics.Stopwatch.StartNew();
        await Task.WhenAll(saving);
        Assert.All(owners, o => Assert.NotNull(o.NoAnswer)); // each was cut off mid-request

        // Started again on the same data folder and port: SQLite recovers its WAL on the first open.
        await using var second = await PortalServerProcess.StartAsync(data.Path, first.Port);
        var restart = killed.Elapsed;
        Assert.Equal("ok", data.IntegrityCheck());
        var ids = owners.Select(o => o.UserId).ToList();
        var stored = await data.QueryAsync(db => AnswerBatches.StoredAsync(db, ids));
        var committedUnacknowledged = 0;
        foreach (var owner in owners)
        {
            var (batch, problem) = AnswerBatches.Identify(stored[owner.UserId]);
            Assert.True(batch is not null, $"{owner.Email}: half a batch, or none: {problem}");

            // The last acknowledged batch, or the one in flight if it was committed before the kill.
            Assert.InRange(batch.Value, owner.LastAcknowledged, owner.Attempted);
            committedUnacknowledged += batch.Value - owner.LastAcknowledged;
        }

        // The owners carry on with the clients they had: the sign-in cookie outlives the process (its keys are in the data folder).
        foreach (var owner in owners)
        {
            for (var i = 0; i < 3; i++)
            {
                Assert.True(await owner.SaveNextAsync(), owner.NoAnswer);
            }
        }

        var after = await data.QueryAsync(db => AnswerBatches.StoredAsync(db, ids));
        Assert.All(owners, o => Assert.Equal(o.Attempted, AnswerBatches.Identify(after[o.UserId]).Batch));

        TestContext.Current.TestOutputHelper?.WriteLine(
            $"Killed with {Owners} owners saving: {owners.Sum(o => o.AcknowledgedCount - 3)} batches acknowledged before the kill, all there entire; " +
            $"{Owners} in flight at the kill, {committedUnacknowledged} of them committed without an answer; integrity_check ok; answering again {restart.TotalSeconds:0.0} s after the kill; 3 more batches each after it.");
    }

    private static async Task<string?> Rethrow(Task failed)
    {
        await failed;
        return null;
    }
}
