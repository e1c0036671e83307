using System.Diagnostics;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Domain.Content;
using Portal.Domain.Questionnaires;
using Portal.Tests.TestSupport;
using Portal.Web.Data.Entities;
using Portal.Web.Features.Accounts;

namespace Portal.Tests.Integration.Reliability;

/// <summary>
/// The portal's process killed hard while it sends a few hundred follow-up emails to a real
/// SMTP server: started again, it sends every one, and repeats at most the messages in flight.
/// </summary>
[Trait("Database", "SqliteOnly")] // SQLite's file and tools only: test.sh runs it once, not again on PostgreSQL
[Collection(PortalProcessesCollection.Name)]
public sealed class KillWhileDispatchingTests(MailDevServer mail) : IDisposable
{
    private const string Password = "Kill-while-sending-2026";
    private const int Submissions = 8;
    private const int AtLeastDue = 320;

    /// <summary>
    /// Jobs:WorkerCount. A dispatcher run records each message as sent before it sends the next,
    /// so it has at most one message sent but not recorded; a process runs at most this many
    /// jobs (runs) at once. That is the most a kill can make go out twice.
    /// </summary>
    private const int WorkerCount = 2;

    private readonly PortalDataFolder data = PortalDataFolder.Create();

    public void Dispose() => data.Dispose();

    private static ITestOutputHelper? Output => TestContext.Current.TestOutputHelper;

    [Fact]
    public async Task KilledWhileSendingFollowUps_AfterARestartEveryOneArrives_RepeatingAtMostTheOnesInFlight()
    {
        var run = Guid.NewGuid().ToString("N")[..8];
        var recipients = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var trigger = $"trigger.{run}@example.org";
        var clock = Stopwatch.StartNew();
        await data.SetUpAsync(async app =>
        {
            await SubmitUntilDueAsync(app, run, recipients);
            await app.CreateUserAsync(trigger, Password, PortalRoles.Owner);
        });
        var ids = await data.QueryAsync(db => db.FollowUps.Where(f => f.Kind == EmailKind.Advice && f.Status == FollowUpStatus.Pending).Select(f => f.Id).ToListAsync());
        var setUp = clock.Elapsed;

        var settings = new Dictionary<string, string>
        {
            ["Email:Smtp:Host"] = "127.0.0.1",
            ["Email:Smtp:Port"] = mail.SmtpPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Email:Smtp:Security"] = "None",
            ["FollowUps:DispatchEveryMinutes"] = "1", // the smallest interval: every minute, on the minute
            ["FollowUps:ClaimSeconds"] = "10", // the shortest claim allowed: how long the killed run's rows wait
            ["Jobs:WorkerCount"] = $"{WorkerCount}",
        };
        await using var first = await PortalServerProcess.StartAsync(data.Path, settings: settings);

        // The schedule's first run is at the next full minute; an account email dispatches the
        // outbox at once (Outbox.DispatchNow), and that run goes on until nothing is due.
        await RequestPasswordResetAsync(first, trigger);
        var started = clock.Elapsed;
        await Eventually.WaitForAsync(
            async () => await data.QueryAsync(db => db.FollowUps.CountAsync(f => f.Kind == EmailKind.Advice && f.Status == FollowUpStatus.Sent)) >= ids.Count / 4 ? "sending" : null,
            TimeSpan.FromSeconds(90), "a quarter of the follow-ups to be sent");
        await first.KillAsync();
        var killedAt = clock.Elapsed;

        // The outbox as the kill left it, read from a copy so the restart finds the files untouched.
        List<(Guid Id, FollowUpStatus Status, Guid? Claim)> atKill;
        using (var image = data.CrashImage())
        {
            atKill = (await image.QueryAsync(db => db.FollowUps.AsNoTracking().Where(f => f.Kind == EmailKind.Advice)
                .Select(f => new { f.Id, f.Status, f.ClaimToken }).ToListAsync()))
                .Select(f => (f.Id, f.Status, f.ClaimToken)).ToList();
        }

        var arrivedAtKill = await mail.OutboxArrivalsAsync(recipients);
        var heldAtKill = atKill.Where(f => f.Status == FollowUpStatus.Pending && f.Claim is not null).ToList();
        var runsAtKill = heldAtKill.Select(f => f.Claim).Distinct().Count();
        var sentAtKill = atKill.Count(f => f.Status == FollowUpStatus.Sent);
        Assert.InRange(arrivedAtKill.Count, 1, ids.Count - 1); // killed when some but not all had gone
        Assert.InRange(runsAtKill, 0, WorkerCount);

        await using var second = await PortalServerProcess.StartAsync(data.Path, settings: settings);

        // The killed run's rows stay claimed until its claim expires; then a run takes them.
        await Eventually.WaitForAsync(async () =>
        {
            var now = DateTime.UtcNow;
            return await data.QueryAsync(db => db.FollowUps.AnyAsync(f => f.Status == FollowUpStatus.Pending && f.ClaimExpiresAt > now)) ? null : "expired";
        }, TimeSpan.FromSeconds(60), "the killed run's claims to expire");
        await RequestPasswordResetAsync(second, trigger);
        await Eventually.WaitForAsync(
            async () => await data.QueryAsync(db => db.FollowUps.AnyAsync(f => f.Kind == EmailKind.Advice && f.Status != FollowUpStatus.Sent)) ? null : "sent",
            TimeSpan.FromSeconds(120), "every follow-up to be recorded as sent");
        var arrivals = await Eventually.WaitForAsync(
            async () => await mail.OutboxArrivalsAsync(recipients) is var counts && ids.All(counts.ContainsKey) ? counts : null,
            TimeSpan.FromSeconds(60), "every follow-up to arrive");
        var done = clock.Elapsed;

        // None lost; the only ones that went twice were held by a run at the kill, at most one per run.
        Assert.Equal(ids.Order(), arrivals.Keys.Order());
        var twice = arrivals.Where(a => a.Value > 1).Select(a => a.Key).ToList();
        Assert.All(arrivals.Values, n => Assert.InRange(n, 1, 2));
        Assert.Subset(heldAtKill.Select(f => f.Id).ToHashSet(), twice.ToHashSet());
        Assert.InRange(twice.Count, 0, runsAtKill);
        Assert.All(await data.QueryAsync(db => db.FollowUps.AsNoTracking().Where(f => f.Kind == EmailKind.Advice).ToListAsync()), f =>
        {
            Assert.Equal(FollowUpStatus.Sent, f.Status);
            Assert.Null(f.ClaimToken);
        });
        Assert.Equal("ok", data.IntegrityCheck());

        Output?.WriteLine(
            $"{ids.Count} follow-ups to {recipients.Count} owners (set up in {setUp.TotalSeconds:0.0} s, first process up in {(started - setUp).TotalSeconds:0.0} s); " +
            $"killed {(killedAt - started).TotalSeconds:0.00} s into dispatch with {sentAtKill} recorded sent and {arrivedAtKill.Count} arrived; " +
            $"{heldAtKill.Count} rows held by {runsAtKill} run(s) at the kill; after the restart all arrived {(done - killedAt).TotalSeconds:0.0} s after the kill; " +
            $"{twice.Count} arrived twice (bound: {runsAtKill} runs in flight, at most {WorkerCount}).");
    }

    /// <summary>
    /// Owners submit case firms' answers, as the product does, and their plans schedule the
    /// follow-ups. Submissions are the slow part of setting up, so the rows of a few are then
    /// repeated, field for field, up to a few hundred; all are made due.
    /// </summary>
    private static async Task SubmitUntilDueAsync(PortalApp app, string run, HashSet<string> recipients)
    {
        var questionnaire = app.Services.GetRequiredService<ContentCatalog>().Current.Questionnaire;
        var personas = Directory.GetFiles(Path.Combine(RepoPaths.Content, "personas"), "*.json").Order(StringComparer.Ordinal).ToList();
        var service = app.Assessments();
        for (var i = 0; i < Submissions; i++)
        {
            var email = $"sender{i}.{run}@example.org";
            var owner = await app.CreateUserAsync(email, Password, PortalRoles.Owner);
            recipients.Add(email);
            var persona = JsonNode.Parse(await File.ReadAllTextAsync(personas[i % personas.Count]))!.AsObject();
            var given = new List<(Question, JsonNode?)>();
            foreach (var group in new[] { "profile", "answers" })
            {
                given.AddRange(persona[group]!.AsObject().Select(a => (questionnaire.Find(a.Key)!, a.Value?.DeepClone())));
            }

            Assert.Null(await service.SaveFirmNameAsync(owner.Id, $"Sender {i} Ltd"));
            var saved = await service.SaveAnswersAsync(owner.Id, given);
            Assert.Empty(saved.Errors);
            var submitted = await service.SubmitAsync(owner.Id);
            Assert.True(submitted.AssessmentId is not null, string.Join("; ", submitted.Missing.Select(m => m.Text)));
        }

        // Planned for days and weeks ahead; as if the portal had been down since they fell due.
        var past = DateTime.UtcNow.AddHours(-1);
        await app.QueryAsync(async db =>
        {
            var planned = await db.FollowUps.AsNoTracking().Where(f => f.Kind == EmailKind.Advice && f.Status == FollowUpStatus.Pending).ToListAsync();
            Assert.NotEmpty(planned);
            for (var i = planned.Count; i < AtLeastDue; i++)
            {
                var row = planned[i % planned.Count];
                db.FollowUps.Add(new FollowUp
                {
                    Kind = row.Kind, Template = row.Template, Topic = row.Topic, FirmId = row.FirmId, AssessmentId = row.AssessmentId,
                    UserId = row.UserId, AdviceId = row.AdviceId, CreatedAt = row.CreatedAt, Status = FollowUpStatus.Pending,
                });
            }

            await db.SaveChangesAsync();
            return await db.FollowUps.Where(f => f.Kind == EmailKind.Advice && f.Status == FollowUpStatus.Pending)
                .ExecuteUpdateAsync(s => s.SetProperty(f => f.DueAt, past).SetProperty(f => f.NextAttemptAt, past));
        });
    }

    private static async Task RequestPasswordResetAsync(PortalServerProcess portal, string email)
    {
        using var client = portal.CreateClient();
        var response = await client.SubmitFormAsync("/Account/ForgotPassword", "forgot-password", new Dictionary<string, string> { ["Input.Email"] = email });
        Assert.Equal(System.Net.HttpStatusCode.Redirect, response.StatusCode);
    }
}
