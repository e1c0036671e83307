using System.Net;
using Hangfire;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using MimeKit;
using Portal.Tests.TestSupport;
using Portal.Web.Data.Entities;
using Portal.Web.Email;
using Portal.Web.Features.Accounts;
using Portal.Web.Features.FollowUps;
using Portal.Web.Jobs;

namespace Portal.Tests.Integration.FollowUps;

/// <summary>
/// The outbox loses nothing and sends nothing twice: a mail server that is down, a worker
/// that dies after claiming or after sending, two dispatchers at once.
/// </summary>
public sealed class FollowUpDispatchTests
{
    private const string Password = "Follow-up-2026";
    private readonly FakeTimeProvider clock = new(new DateTimeOffset(2026, 12, 1, 9, 0, 0, TimeSpan.Zero));

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private PortalApp NewApp(MailDevServer mail, params (string Key, string Value)[] settings) => new(o =>
    {
        o.Clock = clock;
        o.UseSmtp(mail);
        o.Settings["FollowUps:DispatchEveryMinutes"] = "0";
        foreach (var (key, value) in settings)
        {
            o.Settings[key] = value;
        }
    });

    private static string Unique(string name) => $"{name}.{Guid.NewGuid():N}@example.org";

    /// <summary>An owner who submitted a persona, with every follow-up of the plan now due.</summary>
    private async Task<(string Email, string UserId, List<FollowUp> Rows)> AllDueAsync(PortalApp app, string persona = "lew-a")
    {
        var email = Unique("owner");
        var owner = await app.CreateUserAsync(email, Password, PortalRoles.Owner);
        var assessment = await app.SubmitPersonaAsync(owner.Id, persona, "Dispatch Test Ltd");
        var rows = await app.QueryAsync(db => db.FollowUps.AsNoTracking().Where(f => f.AssessmentId == assessment).ToListAsync(Ct));
        clock.SetUtcNow(new DateTimeOffset(rows.Max(r => r.DueAt), TimeSpan.Zero));
        return (email, owner.Id, rows);
    }

    /// <summary>More due rows for the same owner and firm, so a test has enough messages in flight.</summary>
    private static Task AddCopiesAsync(PortalApp app, IReadOnlyList<FollowUp> template, int count) => app.QueryAsync(async db =>
    {
        for (var i = 0; i < count; i++)
        {
            var source = template[i % template.Count];
            db.FollowUps.Add(new FollowUp
            {
                Kind = source.Kind, Template = source.Template, Topic = source.Topic, FirmId = source.FirmId, AssessmentId = source.AssessmentId,
                UserId = source.UserId, AdviceId = source.AdviceId, CreatedAt = source.CreatedAt, DueAt = source.DueAt, NextAttemptAt = source.DueAt,
            });
        }

        return await db.SaveChangesAsync(Ct);
    });

    private static Task<List<FollowUp>> RowsOfAsync(PortalApp app, string userId) =>
        app.QueryAsync(db => db.FollowUps.AsNoTracking().Where(f => f.UserId == userId).ToListAsync(Ct));

    [Fact]
    public async Task MailServerDownForTenMinutes_AttemptsAreRecorded_ThenEveryEmailArrivesOnce()
    {
        await using var mail = new MailDevServer();
        await mail.StartAsync();
        await using var app = NewApp(mail);
        var (email, userId, rows) = await AllDueAsync(app);
        await mail.StopAsync();

        // Down: every run fails and records why; the dispatcher runs every minute.
        var first = await app.Dispatcher().RunAsync(Ct);
        Assert.Equal((0, rows.Count), (first.Sent, first.Retrying));
        var failed = await RowsOfAsync(app, userId);
        Assert.All(failed, r =>
        {
            Assert.Equal((FollowUpStatus.Pending, 1), (r.Status, r.Attempts));
            Assert.False(string.IsNullOrWhiteSpace(r.LastError));
            Assert.True(r.NextAttemptAt > clock.GetUtcNow().UtcDateTime, "waits before the next attempt");
        });
        for (var minute = 1; minute <= 10; minute++)
        {
            clock.Advance(TimeSpan.FromMinutes(1));
            Assert.Equal(0, (await app.Dispatcher().RunAsync(Ct)).Sent);
        }

        var afterOutage = await RowsOfAsync(app, userId);
        Assert.All(afterOutage, r => Assert.Equal(FollowUpStatus.Pending, r.Status));
        Assert.All(afterOutage, r => Assert.Equal(4, r.Attempts)); // backed off: tried at 0, 1, 3 and 7 minutes

        // Back up: at the next attempt every email goes, once.
        await mail.StartAsync();
        clock.SetUtcNow(new DateTimeOffset(afterOutage.Max(r => r.NextAttemptAt), TimeSpan.Zero));
        Assert.Equal(rows.Count, (await app.Dispatcher().RunAsync(Ct)).Sent);
        var arrivals = await mail.ArrivalsByOutboxIdAsync(email);
        Assert.Equal(rows.Select(r => r.Id.ToString()).Order(), arrivals.Keys.Order());
        Assert.All(arrivals.Values, n => Assert.Equal(1, n));
        Assert.All(await RowsOfAsync(app, userId), r => Assert.Equal(FollowUpStatus.Sent, r.Status));
    }

    [Fact]
    public async Task AfterTheLastAttempt_TheEmailIsFailedWithItsError_AndAnAdminCanSendItAgain()
    {
        await using var mail = new MailDevServer();
        await mail.StartAsync();
        await using var app = NewApp(mail, ("FollowUps:MaxAttempts", "2"));
        var (email, userId, rows) = await AllDueAsync(app);
        await mail.StopAsync();

        await app.Dispatcher().RunAsync(Ct);
        clock.Advance(TimeSpan.FromMinutes(2));
        var second = await app.Dispatcher().RunAsync(Ct);
        Assert.Equal(rows.Count, second.Failed);
        var failed = await RowsOfAsync(app, userId);
        Assert.All(failed, r => Assert.Equal((FollowUpStatus.Failed, 2), (r.Status, r.Attempts)));
        clock.Advance(TimeSpan.FromDays(1));
        Assert.Equal(new DispatchSummary(0, 0, 0, 0), await app.Dispatcher().RunAsync(Ct)); // given up: not tried again by itself

        // The delivery log shows it to Admins, with the error, and sends it again on request.
        await app.CreateUserAsync("admin@example.org", Password, PortalRoles.Admin);
        var admin = await app.SignedInClientAsync("admin@example.org", Password);
        var log = await admin.GetStringAsync($"/admin/emails?status=Failed&q={Uri.EscapeDataString(email)}", Ct);
        Assert.Contains(email, log, StringComparison.Ordinal);
        Assert.Contains(WebUtility.HtmlEncode(failed[0].LastError!), log, StringComparison.Ordinal);

        await mail.StartAsync();
        var target = failed[0];
        var resend = await admin.SubmitFormAsync($"/admin/emails?status=Failed&q={Uri.EscapeDataString(email)}", $"resend-{target.Id}", new Dictionary<string, string>());
        Assert.Contains("The email is queued and will be sent again now.", await resend.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);

        // A job worker dispatches it at once.
        var arrived = await mail.WaitForEmailAsync(email);
        Assert.Equal(target.Id.ToString(), (await mail.MimeAsync(arrived)).Headers[FollowUpMessages.OutboxIdHeader]);
        Assert.Equal(FollowUpStatus.Sent, (await RowsOfAsync(app, userId)).Single(r => r.Id == target.Id).Status);

        // Sending a firm's email again is in the audit log, which the firm's owner can read.
        var adminId = await app.QueryAsync(db => db.Users.Where(u => u.Email == "admin@example.org").Select(u => u.Id).SingleAsync(Ct));
        var audited = await app.QueryAsync(db => db.AuditEntries.AsNoTracking().Where(e => e.ActorId == adminId).ToListAsync(Ct));
        Assert.Equal([(DeliveryLogService.ResentAction, "admin@example.org", target.FirmId)], audited.Select(e => (e.Action, e.ActorEmail, e.FirmId)));
    }

    [Fact]
    public async Task DeliveryLog_IsForAdminsOnly()
    {
        await using var app = new PortalApp();
        await app.CreateUserAsync("owner@example.org", Password, PortalRoles.Owner);
        await app.CreateUserAsync("advisor@example.org", Password, PortalRoles.Advisor);

        var anonymous = await app.CreateBrowserlikeClient().GetAsync("/admin/emails", Ct);
        Assert.Equal(HttpStatusCode.Redirect, anonymous.StatusCode);
        Assert.Contains("/Account/Login", anonymous.Headers.Location!.ToString(), StringComparison.Ordinal);
        foreach (var email in new[] { "owner@example.org", "advisor@example.org" })
        {
            var client = await app.SignedInClientAsync(email, Password);
            Assert.Equal(HttpStatusCode.Forbidden, (await client.GetAsync("/admin/emails", Ct)).StatusCode);
        }
    }

    [Fact]
    public async Task WorkerThatDiesAfterClaiming_LeavesItsRowsToTheNextRunOnceTheClaimExpires()
    {
        await using var mail = new MailDevServer();
        await mail.StartAsync();
        await using var app = NewApp(mail, ("FollowUps:ClaimSeconds", "300"));
        var (email, userId, rows) = await AllDueAsync(app);

        var claimed = (await app.Dispatcher().ClaimAsync(Ct)).Rows; // ... and the worker stops here
        Assert.Equal(rows.Count, claimed.Count);

        Assert.Equal(0, (await app.Dispatcher().RunAsync(Ct)).Sent); // still claimed: no one else takes them
        clock.Advance(TimeSpan.FromSeconds(299));
        Assert.Equal(0, (await app.Dispatcher().RunAsync(Ct)).Sent);
        clock.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(rows.Count, (await app.Dispatcher().RunAsync(Ct)).Sent);

        var arrivals = await mail.ArrivalsByOutboxIdAsync(email);
        Assert.Equal(rows.Count, arrivals.Count);
        Assert.All(arrivals.Values, n => Assert.Equal(1, n));
        Assert.All(await RowsOfAsync(app, userId), r => Assert.Equal(FollowUpStatus.Sent, r.Status));
    }

    [Fact]
    public async Task WorkerThatDiesBetweenSendingAndRecording_RepeatsAtMostTheMessageInFlight()
    {
        await using var mail = new MailDevServer();
        await mail.StartAsync();
        await using var app = NewApp(mail);
        var (email, userId, rows) = await AllDueAsync(app);
        await AddCopiesAsync(app, rows, 6);
        var all = await RowsOfAsync(app, userId);

        // The process dies right after the SMTP server accepted the third message.
        var dying = ActivatorUtilities.CreateInstance<DispatchDueFollowUpsJob>(app.Services,
            new DiesAfterSending(app.Services.GetRequiredService<IEmailDelivery>(), sends: 3));
        await Assert.ThrowsAsync<OperationCanceledException>(() => dying.RunAsync(Ct));

        var afterCrash = await RowsOfAsync(app, userId);
        Assert.Equal(2, afterCrash.Count(r => r.Status == FollowUpStatus.Sent));
        Assert.Equal(3, (await mail.EmailsToAsync(email)).Count);

        clock.Advance(TimeSpan.FromSeconds(app.Services.GetRequiredService<IOptions<FollowUpOptions>>().Value.ClaimSeconds + 1));
        Assert.Equal(all.Count - 2, (await app.Dispatcher().RunAsync(Ct)).Sent);

        var arrivals = await mail.ArrivalsByOutboxIdAsync(email);
        Assert.Equal(all.Select(r => r.Id.ToString()).Order(), arrivals.Keys.Order()); // none lost
        Assert.Equal(1, arrivals.Values.Count(n => n == 2)); // the one in flight, and only it, went twice
        Assert.Equal(all.Count + 1, arrivals.Values.Sum());
        Assert.All(await RowsOfAsync(app, userId), r => Assert.Equal(FollowUpStatus.Sent, r.Status));
    }

    [Fact]
    public async Task TwoDispatchersAtOnce_SendEachEmailOnce()
    {
        await using var mail = new MailDevServer();
        await mail.StartAsync();
        await using var app = NewApp(mail, ("FollowUps:BatchSize", "7"));
        var (email, userId, rows) = await AllDueAsync(app);
        await AddCopiesAsync(app, rows, 120 - rows.Count);

        var runs = await Task.WhenAll(
            Task.Run(() => app.Dispatcher().RunAsync(Ct), Ct),
            Task.Run(() => app.Dispatcher().RunAsync(Ct), Ct));

        Assert.Equal(120, runs.Sum(r => r.Sent));
        var arrivals = await mail.ArrivalsByOutboxIdAsync(email);
        Assert.Equal(120, arrivals.Count);
        Assert.All(arrivals.Values, n => Assert.Equal(1, n));
        Assert.All(await RowsOfAsync(app, userId), r => Assert.Equal((FollowUpStatus.Sent, 1), (r.Status, r.Attempts)));
    }

    [Fact]
    public async Task RecurringDispatch_IsScheduledEveryMinute_AndCanBeTurnedOff()
    {
        await using (var on = new PortalApp())
        {
            _ = on.Server; // start the host
            var job = RecurringJob(on);
            Assert.NotNull(job);
            Assert.Equal(Cron.Minutely(), job.Cron);
            Assert.Equal(typeof(DispatchDueFollowUpsJob), job.Job.Type);
        }

        await using var off = new PortalApp(o => o.Settings["FollowUps:DispatchEveryMinutes"] = "0");
        _ = off.Server;
        Assert.Null(RecurringJob(off));

        static Hangfire.Storage.RecurringJobDto? RecurringJob(PortalApp app) =>
            Hangfire.Storage.StorageConnectionExtensions.GetRecurringJobs(app.Services.GetRequiredService<JobStorage>().GetConnection())
                .SingleOrDefault(j => j.Id == DispatchDueFollowUpsJob.RecurringJobId);
    }

    [Fact]
    public async Task AnEmailThatCannotBeBuilt_FailsAlone_WithItsReason_AndTheRestOfTheBatchGoes()
    {
        await using var mail = new MailDevServer();
        await mail.StartAsync();
        await using var app = NewApp(mail);
        var (email, userId, rows) = await AllDueAsync(app);
        var other = await app.CreateUserAsync(Unique("unparsable"), Password, PortalRoles.Owner);
        var broken = rows[0];
        await app.QueryAsync(async db =>
        {
            // An address Identity let through but MimeKit cannot parse.
            await db.Users.Where(u => u.Id == other.Id).ExecuteUpdateAsync(s => s.SetProperty(u => u.Email, "a\"b@example.org"), Ct);
            await db.FirmMembers.AddAsync(new FirmMember { FirmId = broken.FirmId!.Value, UserId = other.Id }, Ct);
            await db.FollowUps.Where(f => f.Id == broken.Id).ExecuteUpdateAsync(s => s.SetProperty(f => f.UserId, other.Id), Ct);
            return await db.SaveChangesAsync(Ct);
        });

        var summary = await app.Dispatcher().RunAsync(Ct);

        Assert.Equal((rows.Count - 1, 1), (summary.Sent, summary.Failed));
        var failed = await app.QueryAsync(db => db.FollowUps.AsNoTracking().SingleAsync(f => f.Id == broken.Id, Ct));
        Assert.Equal(FollowUpStatus.Failed, failed.Status);
        Assert.StartsWith("The email could not be built", failed.LastError, StringComparison.Ordinal);
        Assert.Equal(rows.Count - 1, (await mail.EmailsToAsync(email)).Count);
    }

    [Fact]
    public async Task UnsubscribingWhileARunIsSending_StopsTheRestOfThatRun()
    {
        await using var mail = new MailDevServer();
        await mail.StartAsync();
        await using var app = NewApp(mail);
        var (email, userId, rows) = await AllDueAsync(app);
        Assert.True(rows.Count > 1);
        var preferences = app.Services.GetRequiredService<EmailPreferencesService>();

        // The owner presses Unsubscribe in the first email while the run goes on.
        var run = ActivatorUtilities.CreateInstance<DispatchDueFollowUpsJob>(app.Services,
            new AfterEachSend(app.Services.GetRequiredService<IEmailDelivery>(), _ => preferences.StopAllAsync(userId, Ct)));
        var summary = await run.RunAsync(Ct);

        Assert.Equal((1, rows.Count - 1), (summary.Sent, summary.Cancelled));
        Assert.Single(await mail.EmailsToAsync(email));
        Assert.All((await RowsOfAsync(app, userId)).Where(r => r.Status != FollowUpStatus.Sent),
            r => Assert.Equal((FollowUpStatus.Cancelled, CancelReasons.Unsubscribed), (r.Status, r.CancelReason)));
    }

    [Fact]
    public async Task AReassessmentDuringAFailedSend_KeepsTheOldPlanCancelled()
    {
        await using var mail = new MailDevServer();
        await mail.StartAsync();
        await using var app = NewApp(mail);
        var (_, userId, rows) = await AllDueAsync(app);

        // The send fails because the server is down; meanwhile the owner submits a reassessment.
        var run = ActivatorUtilities.CreateInstance<DispatchDueFollowUpsJob>(app.Services, new FailsAfter(async () =>
        {
            await app.Assessments().StartReassessmentAsync(userId, Ct);
            Assert.NotNull((await app.Assessments().SubmitAsync(userId, Ct)).AssessmentId);
        }));
        await run.RunAsync(Ct);

        var old = await app.QueryAsync(db => db.FollowUps.AsNoTracking().Where(f => rows.Select(r => r.Id).Contains(f.Id)).ToListAsync(Ct));
        Assert.All(old, r => Assert.Equal((FollowUpStatus.Cancelled, CancelReasons.Reassessed), (r.Status, r.CancelReason)));
        clock.Advance(TimeSpan.FromHours(1));
        await app.Dispatcher().RunAsync(Ct);
        Assert.All(await app.QueryAsync(db => db.FollowUps.AsNoTracking().Where(f => rows.Select(r => r.Id).Contains(f.Id)).ToListAsync(Ct)),
            r => Assert.Equal(FollowUpStatus.Cancelled, r.Status));
    }

    [Fact]
    public async Task APermanentRefusal_FailsAtOnce_ATemporaryOneIsRetried()
    {
        await using var mail = new MailDevServer();
        await mail.StartAsync();
        await using var app = NewApp(mail);
        var (_, userId, rows) = await AllDueAsync(app);
        var refusals = 0;

        var run = ActivatorUtilities.CreateInstance<DispatchDueFollowUpsJob>(app.Services, new Refuses(() => Interlocked.Increment(ref refusals) == 1));
        var summary = await run.RunAsync(Ct);

        Assert.Equal((1, rows.Count - 1), (summary.Failed, summary.Retrying));
        var after = await RowsOfAsync(app, userId);
        Assert.Single(after, r => r.Status == FollowUpStatus.Failed && r.Attempts == 1 && r.LastError!.Contains("550", StringComparison.Ordinal));
        Assert.Equal(rows.Count - 1, after.Count(r => r.Status == FollowUpStatus.Pending && r.Attempts == 1 && r.LastError!.Contains("450", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task ReassessmentAlsoCancelsTheFailedEmailsOfTheOldPlan_SoTheyCannotBeResent()
    {
        await using var mail = new MailDevServer();
        await mail.StartAsync();
        await using var app = NewApp(mail, ("FollowUps:MaxAttempts", "1"));
        var (_, userId, rows) = await AllDueAsync(app);
        await mail.StopAsync();
        Assert.Equal(rows.Count, (await app.Dispatcher().RunAsync(Ct)).Failed);

        await app.Assessments().StartReassessmentAsync(userId, Ct);
        await app.Assessments().SubmitAsync(userId, Ct);

        var old = await app.QueryAsync(db => db.FollowUps.AsNoTracking().Where(f => rows.Select(r => r.Id).Contains(f.Id)).ToListAsync(Ct));
        Assert.All(old, r => Assert.Equal((FollowUpStatus.Cancelled, CancelReasons.Reassessed), (r.Status, r.CancelReason)));
        Assert.False(await app.Services.GetRequiredService<DeliveryLogService>().ResendAsync(rows[0].Id, "an-admin", Ct));
    }

    /// <summary>Delivers through the real server and does something after each message (what a person does meanwhile).</summary>
    private sealed class AfterEachSend(IEmailDelivery inner, Func<MimeMessage, Task> then) : IEmailDelivery
    {
        public IEmailSession OpenSession() => new Session(inner.OpenSession(), then);

        private sealed class Session(IEmailSession inner, Func<MimeMessage, Task> then) : IEmailSession
        {
            public async Task SendAsync(MimeMessage message, CancellationToken cancellationToken)
            {
                await inner.SendAsync(message, cancellationToken);
                await then(message);
            }

            public ValueTask DisposeAsync() => inner.DisposeAsync();
        }
    }

    /// <summary>A server that cannot be reached; something happens while the first attempt hangs.</summary>
    private sealed class FailsAfter(Func<Task> meanwhile) : IEmailDelivery, IEmailSession
    {
        private bool done;

        public IEmailSession OpenSession() => this;

        public async Task SendAsync(MimeMessage message, CancellationToken cancellationToken)
        {
            if (!done)
            {
                done = true;
                await meanwhile();
            }

            throw new EmailServerUnavailableException("Connection refused", new IOException("Connection refused"));
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    /// <summary>A server that refuses every message: permanently (550) when told so, else for now (450).</summary>
    private sealed class Refuses(Func<bool> permanent) : IEmailDelivery, IEmailSession
    {
        public IEmailSession OpenSession() => this;

        public Task SendAsync(MimeMessage message, CancellationToken cancellationToken) => permanent()
            ? throw new EmailRejectedException("The SMTP server refused the message: 550 mailbox unavailable", permanent: true, new InvalidOperationException())
            : throw new EmailRejectedException("The SMTP server refused the message: 450 mailbox busy", permanent: false, new InvalidOperationException());

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    /// <summary>Delivers through the real server, then the process "dies" after the given number of messages.</summary>
    private sealed class DiesAfterSending(IEmailDelivery inner, int sends) : IEmailDelivery
    {
        private readonly int dieAt = sends;
        private int sent;

        public IEmailSession OpenSession() => new Session(this, inner.OpenSession());

        private sealed class Session(DiesAfterSending owner, IEmailSession inner) : IEmailSession
        {
            public async Task SendAsync(MimeMessage message, CancellationToken cancellationToken)
            {
                await inner.SendAsync(message, cancellationToken);
                if (Interlocked.Increment(ref owner.sent) == owner.dieAt)
                {
                    throw new OperationCanceledException("The process was killed.");
                }
            }

            public ValueTask DisposeAsync() => inner.DisposeAsync();
        }
    }
}
