using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Portal.Tests.TestSupport;
using Portal.Web.Data;
using Portal.Web.Data.Entities;
using Portal.Web.Features.Accounts;
using Portal.Web.Features.FollowUps;

namespace Portal.Tests.Integration.Reliability;

/// <summary>
/// SQLite (one writer at a time, WAL) under many writers at once, through a real server on a
/// socket: owners saving answers through the API, submitting and reassessing from two clients
/// each (a browser tab and a records tool, or a double click), advisors adding case notes and
/// opening firm files (each view is audited, so a write), and dispatcher runs sending due
/// emails. No request may fail, none may wait its way into "database is locked", and
/// everything a response acknowledged must be in the database afterwards.
/// </summary>
public sealed class ConcurrentWritersTests : IAsyncDisposable
{
    private const string Password = "Concurrent-writers-2026";
    private const int Owners = 20;
    private const int Rounds = 5;
    private const string Marker = "cp.language"; // a scale of 1 to 5 that every assessment shows

    private static readonly string[] Personas = ["harris-fletcher-a", "harris-fletcher-c", "lew-a", "lew-c", "harris-fletcher-h"];

    private readonly PortalApp app = new(o =>
    {
        o.RealServer = true;
        o.Settings["FollowUps:DispatchEveryMinutes"] = "0"; // the test starts the dispatcher runs itself, during the rounds
    });

    private readonly ConcurrentQueue<string> failures = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public ValueTask DisposeAsync() => app.DisposeAsync();

    [Fact]
    public async Task TwentyOwnersSubmitting_WhileAdvisorsAndTheDispatcherWrite_NoRequestFails_AndNothingAcknowledgedIsLost()
    {
        var server = app.BaseAddress;
        var organisation = await FirmFileSetup.OrganisationAsync(app, "Concurrent Trade Agency");
        var advisorUsers = new List<PortalUser>();
        var sharing = new List<SharingFirm>();
        for (var i = 0; i < 2; i++)
        {
            advisorUsers.Add(await FirmFileSetup.AdvisorAsync(app, $"advisor-{i}@concurrent.test", organisation));
            sharing.Add(await FirmFileSetup.SharingFirmAsync(app, $"shared-{i}@concurrent.test", Personas[i], $"Shared Firm {i}", organisation));
        }

        var advisors = await Task.WhenAll(advisorUsers.Select(a => RealClients.SignedInAsync(server, a.Email!, FirmFileSetup.Password)));
        var owners = await Task.WhenAll(Enumerable.Range(0, Owners).Select(i => OwnerAsync(server, i)));
        var notes = new ConcurrentQueue<string>();
        var emails = new List<Guid>();

        for (var round = 1; round <= Rounds; round++)
        {
            emails.AddRange(await EnqueueDueEmailsAsync(sharing, advisorUsers[0].Id, round));
            var ownersDone = false;
            var ownerWork = Task.WhenAll(owners.Select(o => OwnerRoundAsync(o, round)));
            var r = round;
            var otherWork = advisors.Select((client, a) => AdvisorAsync(client, a, r, sharing, notes, () => Volatile.Read(ref ownersDone)))
                .Concat(Enumerable.Range(0, 2).Select(_ => DispatchAsync()))
                .ToList();
            await ownerWork;
            Volatile.Write(ref ownersDone, true);
            await Task.WhenAll(otherWork);
            if (!failures.IsEmpty)
            {
                break; // the first round's failures say what went wrong; later rounds would repeat them
            }
        }

        Assert.True(failures.IsEmpty, $"{failures.Count} requests failed:\n{string.Join("\n", failures.Take(30))}");
        Assert.DoesNotContain(app.Logs.Lines, l => l.Contains("database is locked", StringComparison.OrdinalIgnoreCase) || l.Contains("SQLITE_BUSY", StringComparison.Ordinal));
        Assert.DoesNotContain(app.Logs.Lines, l => l.StartsWith("Error ", StringComparison.Ordinal) || l.StartsWith("Critical ", StringComparison.Ordinal));

        // Every owner: one firm, one assessment per round with that round's answers, and the reassessment open.
        foreach (var owner in owners)
        {
            var firms = await app.QueryAsync(db => db.FirmMembers.Where(m => m.UserId == owner.UserId).Select(m => m.FirmId).ToListAsync(Ct));
            var firm = Assert.Single(firms);
            var assessments = await app.QueryAsync(db => db.Assessments.Where(a => a.FirmId == firm).OrderBy(a => a.Number)
                .Select(a => new { a.Number, a.Status, a.AnswersJson }).ToListAsync(Ct));
            Assert.Equal(Enumerable.Range(1, Rounds + 1), assessments.Select(a => a.Number));
            Assert.Equal(AssessmentStatus.Draft, assessments[^1].Status);
            foreach (var submitted in assessments.SkipLast(1))
            {
                Assert.Equal(AssessmentStatus.Submitted, submitted.Status);
                Assert.Equal(MarkerValue(submitted.Number), JsonNode.Parse(submitted.AnswersJson!)!["answers"]![Marker]!.GetValue<int>());
            }
        }

        var acknowledged = notes.ToList();
        Assert.True(acknowledged.Count >= Rounds * advisors.Length);
        var stored = await app.QueryAsync(db => db.CaseNotes.Where(n => n.Text.StartsWith("Concurrent note")).Select(n => n.Text).ToListAsync(Ct));
        Assert.Equal(acknowledged.Order(StringComparer.Ordinal), stored.Order(StringComparer.Ordinal));
        var statuses = await app.QueryAsync(db => db.FollowUps.Where(f => emails.Contains(f.Id)).Select(f => f.Status).ToListAsync(Ct));
        Assert.Equal(emails.Count, statuses.Count);
        Assert.All(statuses, s => Assert.Equal(FollowUpStatus.Sent, s));
    }

    [Fact]
    public async Task FirstRequestsOfNewOwners_AllAtOnce_MakeOneFirmAndOneAssessmentEach()
    {
        var server = app.BaseAddress;
        var owners = await Task.WhenAll(Enumerable.Range(0, Owners).Select(async i =>
        {
            var user = await app.CreateUserAsync($"new-owner-{i}@concurrent.test", Password, PortalRoles.Owner);
            var clients = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => RealClients.SignedInAsync(server, user.Email!, Password)));
            return (user.Id, Clients: clients);
        }));

        // Nothing exists for these owners yet: their first requests, all at once, each create the firm and its first assessment if missing.
        var start = new TaskCompletionSource();
        var work = owners.SelectMany(o => new[]
        {
            FirstAsync(start.Task, o.Clients[0], c => c.GetAsync("/assessment", Ct), HttpStatusCode.OK, "overview"),
            FirstAsync(start.Task, o.Clients[1], c => c.PostAsync("/api/v1/assessment/answers", Json("""{"answers": {"cp.language": 3}}"""), Ct), HttpStatusCode.OK, "answers"),
            FirstAsync(start.Task, o.Clients[2], c => c.PostAsync("/api/v1/assessment/answers", Json("""{"answers": {"cp.culture": 4}}"""), Ct), HttpStatusCode.OK, "answers"),
        }).ToList();
        start.SetResult();
        await Task.WhenAll(work);

        Assert.True(failures.IsEmpty, $"{failures.Count} requests failed:\n{string.Join("\n", failures.Take(30))}");
        foreach (var (userId, _) in owners)
        {
            var firms = await app.QueryAsync(db => db.FirmMembers.Where(m => m.UserId == userId).Select(m => m.FirmId).ToListAsync(Ct));
            var firm = Assert.Single(firms);
            var drafts = await app.QueryAsync(db => db.Assessments.Where(a => a.FirmId == firm).Select(a => a.Status).ToListAsync(Ct));
            Assert.Equal(AssessmentStatus.Draft, Assert.Single(drafts));
        }
    }

    private async Task FirstAsync(Task start, HttpClient client, Func<HttpClient, Task<HttpResponseMessage>> send, HttpStatusCode expected, string what)
    {
        await start;
        await ExpectAsync(await send(client), expected, what);
    }

    private sealed record Owner(int Index, string UserId, HttpClient Tab, HttpClient Tool, JsonObject Answers);

    private async Task<Owner> OwnerAsync(Uri server, int index)
    {
        var user = await app.CreateUserAsync($"owner-{index}@concurrent.test", Password, PortalRoles.Owner);
        Assert.Null(await app.Assessments().SaveFirmNameAsync(user.Id, $"Concurrent Firm {index}", Ct));
        var persona = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(RepoPaths.Content, "personas", $"{Personas[index % Personas.Length]}.json"), Ct))!;
        var answers = new JsonObject();
        foreach (var group in new[] { "profile", "answers" })
        {
            foreach (var (questionId, value) in persona[group]!.AsObject())
            {
                answers[questionId] = value?.DeepClone();
            }
        }

        return new Owner(index, user.Id,
            await RealClients.SignedInAsync(server, user.Email!, Password),
            await RealClients.SignedInAsync(server, user.Email!, Password),
            answers);
    }

    private static int MarkerValue(int round) => (round % 5) + 1;

    /// <summary>
    /// One round of an owner working from two clients at once: both save the same answers,
    /// both submit (a double click), both start the reassessment. Each pair must be answered
    /// as one request would be, not with a 500 from the second.
    /// </summary>
    private async Task OwnerRoundAsync(Owner owner, int round)
    {
        try
        {
            await OwnerStepsAsync(owner, round);
        }
        catch (InvalidOperationException e)
        {
            failures.Enqueue($"owner {owner.Index}, round {round}: {e.Message}"); // a page without the form the step needs
        }
    }

    private async Task OwnerStepsAsync(Owner owner, int round)
    {
        var what = $"owner {owner.Index}, round {round}";
        var answers = (JsonObject)owner.Answers.DeepClone();
        answers[Marker] = MarkerValue(round);
        var body = new JsonObject { ["answers"] = answers }.ToJsonString();
        var saves = await Task.WhenAll(
            owner.Tab.PostAsync("/api/v1/assessment/answers", Json(body), Ct),
            owner.Tool.PostAsync("/api/v1/assessment/answers", Json(body), Ct));
        foreach (var save in saves)
        {
            await ExpectAsync(save, HttpStatusCode.OK, $"{what}: save answers");
        }

        var submitForms = await Task.WhenAll(owner.Tab.OpenFormAsync("/assessment/check", "submit"), owner.Tool.OpenFormAsync("/assessment/check", "submit"));
        var submits = await Task.WhenAll(
            owner.Tab.PostAsync("/assessment/check", submitForms[0], Ct),
            owner.Tool.PostAsync("/assessment/check", submitForms[1], Ct));
        foreach (var submit in submits)
        {
            if (await ExpectAsync(submit, HttpStatusCode.Redirect, $"{what}: submit") && !Location(submit).StartsWith("results/", StringComparison.Ordinal))
            {
                failures.Enqueue($"{what}: submit led to {Location(submit)}, not the results");
            }
        }

        if (submits.Select(Location).Distinct().Count() != 1)
        {
            failures.Enqueue($"{what}: one double-clicked submit led to two results: {string.Join(", ", submits.Select(Location))}");
        }

        var reassessForms = await Task.WhenAll(owner.Tab.OpenFormAsync("/assessment", "reassess"), owner.Tool.OpenFormAsync("/assessment", "reassess"));
        var reassessments = await Task.WhenAll(
            owner.Tab.PostAsync("/assessment", reassessForms[0], Ct),
            owner.Tool.PostAsync("/assessment", reassessForms[1], Ct));
        foreach (var reassessment in reassessments)
        {
            await ExpectAsync(reassessment, HttpStatusCode.Redirect, $"{what}: reassess");
        }
    }

    /// <summary>An advisor adding notes to the sharing firms' files until the owners' round is over (at least one).</summary>
    private async Task AdvisorAsync(HttpClient client, int advisor, int round, List<SharingFirm> firms, ConcurrentQueue<string> notes, Func<bool> ownersDone)
    {
        var n = 0;
        do
        {
            var url = $"/advisor/firms/{firms[n % firms.Count].FirmId}";
            var text = $"Concurrent note {n} of advisor {advisor} in round {round}";
            var form = await client.OpenFormAsync(url, "note", new() { ["Note.Text"] = text });
            if (await ExpectAsync(await client.PostAsync(url, form, Ct), HttpStatusCode.Redirect, $"advisor {advisor}, round {round}: note {n}"))
            {
                notes.Enqueue(text);
            }

            n++;
        }
        while (!ownersDone());
    }

    private async Task DispatchAsync()
    {
        try
        {
            await app.Dispatcher().RunAsync(Ct);
        }
        catch (Exception e)
        {
            failures.Enqueue($"dispatcher run: {e}");
        }
    }

    /// <summary>Advisor messages due now, as the message form would schedule them, for the round's dispatcher runs.</summary>
    private Task<List<Guid>> EnqueueDueEmailsAsync(List<SharingFirm> firms, string advisorId, int round) =>
        app.QueryAsync(async db =>
        {
            var now = DateTime.UtcNow;
            for (var i = 0; i < 10; i++)
            {
                await Outbox.AddAdvisorMessageAsync(db, firms[i % firms.Count].FirmId, advisorId, $"Round {round} message {i}", "A message sent during the concurrency test.", now.AddSeconds(-1), now, Ct);
            }

            await db.SaveChangesAsync(Ct);
            return await db.FollowUps.Where(f => f.Subject!.StartsWith($"Round {round} message ")).Select(f => f.Id).ToListAsync(Ct);
        });

    private async Task<bool> ExpectAsync(HttpResponseMessage response, HttpStatusCode expected, string what)
    {
        if (response.StatusCode == expected)
        {
            return true;
        }

        var body = await response.Content.ReadAsStringAsync(Ct);
        var cause = body.IndexOf("SQLite Error", StringComparison.Ordinal) is var at and >= 0 ? body[at..] : body; // the developer page's inner exception
        failures.Enqueue($"{what}: {(int)response.StatusCode} (expected {(int)expected}) after {RealClients.Elapsed(response)}: {cause[..Math.Min(300, cause.Length)]}");
        return false;
    }

    private static string Location(HttpResponseMessage response) =>
        response.Headers.Location is not { } location ? "" : (location.IsAbsoluteUri ? location.AbsolutePath : location.OriginalString).TrimStart('/');

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");
}
