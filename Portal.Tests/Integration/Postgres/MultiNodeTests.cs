using System.Diagnostics;
using System.Net;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Portal.Tests.TestSupport;
using Portal.Web.Data.Entities;
using Portal.Web.Features.Accounts;
using Portal.Web.Features.FollowUps;

namespace Portal.Tests.Integration.Postgres;

/// <summary>
/// Two portal processes on one PostgreSQL database, as two nodes behind a load balancer: each
/// with a data folder of its own, so they share only the database (Data Protection keys,
/// Hangfire's queue, the outbox) and the SMTP server. Skipped unless <c>PORTAL_TEST_POSTGRES</c>
/// names a server (<c>scripts/postgres-test.sh start</c>).
/// </summary>
[Collection(PortalProcessesCollection.Name)]
public sealed partial class MultiNodeTests(MailDevServer mail)
{
    private const string Password = "Two-nodes-one-database-2026";
    private const int Due = 1000;

    /// <summary>
    /// Jobs:WorkerCount on each node. A dispatcher run records each message as sent before it
    /// sends the next, so a run has at most one message sent but not recorded: a node that dies
    /// can make at most this many go out twice.
    /// </summary>
    private const int WorkerCount = 2;

    private static readonly Dictionary<string, string> DispatchSettings = new()
    {
        ["Jobs:WorkerCount"] = $"{WorkerCount}",
        ["FollowUps:BatchSize"] = "50", // smaller claims, so the nodes' runs interleave over the 1,000
        ["FollowUps:ClaimSeconds"] = "10", // the shortest allowed: how long a dead node's rows wait
    };

    /// <summary>
    /// No node dies here: claims long enough that a run slowed down on a loaded machine (between
    /// two renewals of its claim) never loses its rows to another run, which would send them twice.
    /// </summary>
    private static readonly Dictionary<string, string> LongClaimSettings = new(DispatchSettings) { ["FollowUps:ClaimSeconds"] = "300" };

    private static ITestOutputHelper? Output => TestContext.Current.TestOutputHelper;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AnOwnerSignedInOnOneNode_IsRecognisedOnTheOther_AndItsUnsubscribeLinkWorksThere()
    {
        PostgresTestDatabase.SkipUnlessAvailable();
        var run = Guid.NewGuid().ToString("N")[..8];
        var email = $"owner.{run}@example.org";
        await using var nodes = PostgresNodes.Create(mail);
        var a = await nodes.StartNodeAsync();
        var (userId, firmId) = await nodes.AddOwnerAsync(email, Password);
        var message = (await nodes.AddDueMessagesAsync(userId, firmId, 1)).Single();

        // Signed in on A; A alone renders the advisor's message, so its unsubscribe token is A's.
        var cookies = new CookieContainer();
        using var onA = Client(a.BaseAddress, cookies);
        var signIn = await onA.SubmitFormAsync("/Account/Login", "login", new() { ["Input.Email"] = email, ["Input.Password"] = Password });
        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
        Assert.Contains(email, await onA.GetStringAsync("/Account/Manage", Ct), StringComparison.Ordinal);
        await PostgresNodes.RequestDispatchAsync(a, email);
        var arrived = await Eventually.WaitForAsync(async () =>
            (await mail.EmailsToAsync(email)).FirstOrDefault(e => e.Subject.Contains("Message 1", StringComparison.Ordinal)),
            TimeSpan.FromSeconds(60), "the advisor's message sent by node A");
        var oneClick = new Uri(OneClickLink().Match((await mail.MimeAsync(arrived)).Headers["List-Unsubscribe"] ?? "").Groups[1].Value);
        Assert.Equal(a.BaseAddress.Port, oneClick.Port);

        // B starts after A made the key ring; A's cookie (the same host, another port) goes to B.
        var b = await nodes.StartNodeAsync();
        using var onB = Client(b.BaseAddress, cookies);
        var manage = await onB.GetAsync("/Account/Manage", Ct);
        Assert.Equal(HttpStatusCode.OK, manage.StatusCode); // not a redirect to sign in
        Assert.Contains(email, await manage.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);

        using var unsubscribe = await onB.PostAsync($"/email/unsubscribe/one-click{oneClick.Query}",
            new FormUrlEncodedContent([new("List-Unsubscribe", "One-Click")]), Ct);
        Assert.Equal(HttpStatusCode.OK, unsubscribe.StatusCode);
        Assert.True(await nodes.QueryAsync(db => db.EmailOptOuts.AnyAsync(o => o.UserId == userId && o.Topic == EmailTopics.AdvisorMessages, Ct)));

        // One key for the cluster: B found A's instead of making its own.
        Assert.Equal(1, await nodes.QueryAsync(db => db.DataProtectionKeys.CountAsync(Ct)));
        Assert.Equal(FollowUpStatus.Sent, await nodes.QueryAsync(db => db.FollowUps.Where(f => f.Id == message).Select(f => f.Status).SingleAsync(Ct)));
    }

    [Fact]
    public async Task AThousandDueFollowUps_DispatchedByBothNodesAtOnce_EachArrivesExactlyOnce()
    {
        PostgresTestDatabase.SkipUnlessAvailable();
        var run = Guid.NewGuid().ToString("N")[..8];
        var recipient = $"many.{run}@example.org";
        var trigger = $"trigger.{run}@example.org";
        var clock = Stopwatch.StartNew();
        await using var nodes = PostgresNodes.Create(mail, LongClaimSettings);

        // Both start at once on the empty database: one does the once-only work (migrations,
        // roles, Hangfire's schema, the first key), the other waits for it and finds it done.
        var started = await Task.WhenAll(nodes.StartNodeAsync(), nodes.StartNodeAsync());
        var (a, b) = (started[0], started[1]);
        var up = clock.Elapsed;
        Assert.Empty(ErrorLines().Matches(a.Log));
        Assert.Empty(ErrorLines().Matches(b.Log));
        Assert.Equal(1, await nodes.QueryAsync(db => db.DataProtectionKeys.CountAsync(Ct)));
        Assert.Equal(PortalRoles.All.Order(), await nodes.QueryAsync(db => db.Roles.Select(r => r.Name!).OrderBy(n => n).ToListAsync(Ct)));
        var (userId, firmId) = await nodes.AddOwnerAsync(recipient, Password);
        await nodes.AddOwnerAsync(trigger, Password);
        var ids = await nodes.AddDueMessagesAsync(userId, firmId, Due);

        // Two runs asked for on each node: four jobs for four workers in all (Hangfire's queue is shared).
        await Task.WhenAll(
            PostgresNodes.RequestDispatchAsync(a, trigger), PostgresNodes.RequestDispatchAsync(a, trigger),
            PostgresNodes.RequestDispatchAsync(b, trigger), PostgresNodes.RequestDispatchAsync(b, trigger));
        await WaitUntilAllSentAsync(nodes, TimeSpan.FromSeconds(240));
        var sent = clock.Elapsed;
        var arrivals = await WaitForArrivalsAsync(ids, recipient);

        Assert.Equal(ids.Order(), arrivals.Keys.Order());
        Assert.All(arrivals, a => Assert.Equal(1, a.Value));
        Assert.All(await nodes.QueryAsync(db => db.FollowUps.AsNoTracking().Where(f => f.Kind == EmailKind.AdvisorMessage).ToListAsync(Ct)), f =>
        {
            Assert.Equal(FollowUpStatus.Sent, f.Status);
            Assert.Null(f.ClaimToken);
        });

        // Both nodes sent some of the thousand (each logs what its runs sent, the four reset
        // emails that asked for the runs among them: more than four is some of the thousand).
        const int triggers = 4;
        var byA = await Eventually.WaitForAsync(() => Task.FromResult(SentBy(a) is > triggers and var n ? (object)n : null), TimeSpan.FromSeconds(30), "node A's runs to report");
        var byB = await Eventually.WaitForAsync(() => Task.FromResult(SentBy(b) is > triggers and var n ? (object)n : null), TimeSpan.FromSeconds(30), "node B's runs to report");
        Output?.WriteLine($"{Due} follow-ups: both nodes up in {up.TotalSeconds:0.0} s; all sent {(sent - up).TotalSeconds:0.0} s after set-up; " +
            $"node A's runs sent {byA}, node B's {byB} (with the trigger's reset emails); each arrived once.");
    }

    [Fact]
    public async Task OneNodeKilledMidDispatch_TheOtherSendsTheRest_NoneLost_RepeatsAtMostTheKilledNodesMessagesInFlight()
    {
        PostgresTestDatabase.SkipUnlessAvailable();
        var run = Guid.NewGuid().ToString("N")[..8];
        var recipient = $"killed.{run}@example.org";
        var trigger = $"trigger.{run}@example.org";
        var clock = Stopwatch.StartNew();
        await using var nodes = PostgresNodes.Create(mail, DispatchSettings);
        var a = await nodes.StartNodeAsync();
        var b = await nodes.StartNodeAsync();
        var (userId, firmId) = await nodes.AddOwnerAsync(recipient, Password);
        await nodes.AddOwnerAsync(trigger, Password);
        var ids = await nodes.AddDueMessagesAsync(userId, firmId, Due);

        await Task.WhenAll(
            PostgresNodes.RequestDispatchAsync(a, trigger), PostgresNodes.RequestDispatchAsync(a, trigger),
            PostgresNodes.RequestDispatchAsync(b, trigger), PostgresNodes.RequestDispatchAsync(b, trigger));
        await Eventually.WaitForAsync(
            async () => await SentCountAsync(nodes) >= Due / 4 && await nodes.RunningDispatchesAsync(a) > 0 ? "sending" : null,
            TimeSpan.FromSeconds(120), "a quarter sent while node A runs a dispatcher");
        await a.KillAsync();
        var killedAt = clock.Elapsed;

        // As the kill left it (A's rows are frozen; B carries on with its own).
        var heldAtKill = (await nodes.QueryAsync(db => db.FollowUps.AsNoTracking()
            .Where(f => f.Kind == EmailKind.AdvisorMessage && f.Status == FollowUpStatus.Pending && f.ClaimToken != null)
            .Select(f => f.Id).ToListAsync(Ct))).ToHashSet();
        var arrivedAtKill = await mail.OutboxArrivalsAsync(new HashSet<string> { recipient });
        Assert.InRange(arrivedAtKill.Count, 1, Due - 1);

        // A's claims run out; then B's next run (asked for here; else the minutely schedule) takes them.
        await Eventually.WaitForAsync(async () =>
        {
            var now = DateTime.UtcNow;
            return await nodes.QueryAsync(db => db.FollowUps.AnyAsync(f => f.Status == FollowUpStatus.Pending && f.ClaimExpiresAt > now, Ct)) ? null : "expired";
        }, TimeSpan.FromSeconds(120), "node A's claims to expire");
        await PostgresNodes.RequestDispatchAsync(b, trigger);
        await WaitUntilAllSentAsync(nodes, TimeSpan.FromSeconds(240));
        var arrivals = await WaitForArrivalsAsync(ids, recipient);
        var done = clock.Elapsed;

        // None lost. At-least-once: only a message A had sent but not yet recorded can come
        // twice, and A had at most one such per run.
        Assert.Equal(ids.Order(), arrivals.Keys.Order());
        var twice = arrivals.Where(x => x.Value > 1).Select(x => x.Key).ToHashSet();
        Assert.All(arrivals.Values, n => Assert.InRange(n, 1, 2));
        Assert.Subset(heldAtKill, twice);
        Assert.InRange(twice.Count, 0, WorkerCount);
        Assert.All(await nodes.QueryAsync(db => db.FollowUps.AsNoTracking().Where(f => f.Kind == EmailKind.AdvisorMessage).ToListAsync(Ct)), f =>
        {
            Assert.Equal(FollowUpStatus.Sent, f.Status);
            Assert.Null(f.ClaimToken);
        });
        Output?.WriteLine($"{Due} follow-ups on two nodes; A killed {killedAt.TotalSeconds:0.0} s in with {arrivedAtKill.Count} arrived and {heldAtKill.Count} rows claimed; " +
            $"all arrived {(done - killedAt).TotalSeconds:0.0} s after the kill; {twice.Count} arrived twice (bound {WorkerCount}).");
    }

    private static HttpClient Client(Uri baseAddress, CookieContainer cookies) =>
        new(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = true, CookieContainer = cookies })
        {
            BaseAddress = baseAddress,
            Timeout = TimeSpan.FromSeconds(100),
        };

    private static Task<int> SentCountAsync(PostgresNodes nodes) =>
        nodes.QueryAsync(db => db.FollowUps.CountAsync(f => f.Kind == EmailKind.AdvisorMessage && f.Status == FollowUpStatus.Sent));

    private static Task WaitUntilAllSentAsync(PostgresNodes nodes, TimeSpan timeout) =>
        Eventually.WaitForAsync(async () => await SentCountAsync(nodes) == Due ? "sent" : null, timeout, $"all {Due} to be recorded as sent");

    private async Task<Dictionary<Guid, int>> WaitForArrivalsAsync(List<Guid> ids, string recipient) =>
        await Eventually.WaitForAsync(
            async () => await mail.OutboxArrivalsAsync(new HashSet<string> { recipient }) is var counts && ids.All(counts.ContainsKey) ? counts : null,
            TimeSpan.FromSeconds(60), $"all {Due} to arrive");

    /// <summary>What a node's finished dispatcher runs say they sent (DispatchDueFollowUpsJob's summary line).</summary>
    private static int SentBy(PortalServerProcess node) => DispatchedLine().Matches(node.Log).Sum(m => int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>The console log's errors and critical failures.</summary>
    [GeneratedRegex(@"^(fail|crit): .*$", RegexOptions.Multiline)]
    private static partial Regex ErrorLines();

    [GeneratedRegex(@"Dispatched emails: (\d+) sent")]
    private static partial Regex DispatchedLine();

    [GeneratedRegex("<([^>]+)>")]
    private static partial Regex OneClickLink();
}
