using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using Portal.Tests.TestSupport;
using Portal.Web.Features.Accounts;

namespace Portal.Tests.Integration.Fuzz;

/// <summary>
/// 10,000 generated inputs each for the score API, the answers API and the questionnaire
/// pages' saving path (AssessmentService, as the Blazor page calls it): never a 500 or an
/// exception in the host's log, every refusal a 4xx problem with a message, every acceptance
/// stored exactly as sent. PORTAL_FUZZ_SEED and PORTAL_FUZZ_COUNT replay or widen a run; a
/// finding prints the seed and the input.
/// </summary>
public sealed class AnswerFuzzTests(ITestOutputHelper output)
{
    private const string Password = "Fuzz-owner-2026";

    /// <summary>A fixed day, so "in the future" means the same year whenever the run is replayed.</summary>
    private static readonly DateTimeOffset Today = new(2026, 6, 15, 9, 0, 0, TimeSpan.Zero);

    private static int Seed => int.TryParse(Environment.GetEnvironmentVariable("PORTAL_FUZZ_SEED"), out var seed) ? seed : 20260615;

    private static int Count => int.TryParse(Environment.GetEnvironmentVariable("PORTAL_FUZZ_COUNT"), out var count) ? count : 10_000;

    private static PortalApp NewApp() => new(o =>
    {
        o.Clock = new FakeTimeProvider(Today);
        o.Settings["ScoringApi:PermitsPerMinute"] = "100000";
    });

    [Fact]
    public async Task ScoreApi_TenThousandBadInputs_NoServerErrorEveryRefusalExplained()
    {
        await using var app = NewApp();
        var client = app.CreateClient();
        var fuzzer = new AnswerFuzzer(TestContent.Real, FuzzTarget.ScoreApi, Seed, Today.Year);
        var judge = new FuzzJudge(app);
        var watch = Stopwatch.StartNew();

        for (var i = 0; i < Count; i++)
        {
            var input = fuzzer.Input(i);
            using var response = await FuzzJudge.SendAsync(client, "/api/v1/score", input);
            if (await judge.JudgeAsync(input, response) is { } result && result is not JsonObject)
            {
                judge.Find(input, "a 200 without a stage");
            }
        }

        var elapsed = watch.Elapsed;
        await StillServesAsync(app, client, judge, "/api/v1/score", """{"answers": {"cs.activity": "agents"}}""");
        Report("score API", judge, elapsed);
    }

    [Fact]
    public async Task AnswersApi_TenThousandBadInputs_NoServerErrorAndOnlyFitValuesStored()
    {
        await using var app = NewApp();
        var userId = (await app.CreateUserAsync("fuzz-answers@example.test", Password, PortalRoles.Owner)).Id;
        var client = await app.SignedInClientAsync("fuzz-answers@example.test", Password);
        var fuzzer = new AnswerFuzzer(TestContent.Real, FuzzTarget.AnswersApi, Seed, Today.Year);
        var judge = new FuzzJudge(app);
        var expected = new Dictionary<string, string>(StringComparer.Ordinal); // what the database should hold
        var checkedAgainstDatabase = 0;
        var watch = Stopwatch.StartNew();

        for (var i = 0; i < Count; i++)
        {
            var input = fuzzer.Input(i);
            using var response = await FuzzJudge.SendAsync(client, "/api/v1/assessment/answers", input);
            if (await judge.JudgeAsync(input, response) is not { } saved)
            {
                continue;
            }

            if (saved["saved"]?.GetValue<int>() != input.Entries.Count)
            {
                judge.Find(input, $"saved {saved["saved"]}, sent {input.Entries.Count}");
            }

            foreach (var entry in input.Entries)
            {
                if (FuzzJudge.Canonical(entry.Json) is { } json)
                {
                    expected[entry.Id] = json;
                }
                else
                {
                    expected.Remove(entry.Id);
                }
            }

            // Every 20th acceptance against the database: what this request sent is there, and
            // nothing a refused request sent since the last check.
            if (checkedAgainstDatabase++ % 20 == 0)
            {
                var stored = await FuzzJudge.StoredAnswersAsync(app, userId);
                if (FuzzJudge.Differences(input.Entries, stored) is { } differs)
                {
                    judge.Find(input, $"stored other values than sent: {differs}");
                }

                CompareAll(judge, expected, stored, $"after input {i} (seed {Seed})");
            }
        }

        var elapsed = watch.Elapsed;
        CompareAll(judge, expected, await FuzzJudge.StoredAnswersAsync(app, userId), $"at the end (seed {Seed})");
        await StillServesAsync(app, client, judge, "/api/v1/assessment/answers", """{"answers": {"cs.activity": "agents"}}""");
        var page = await client.GetAsync("/assessment", TestContext.Current.CancellationToken);
        if (page.StatusCode != HttpStatusCode.OK)
        {
            judge.Find($"after the run the owner's assessment page answers {(int)page.StatusCode}");
        }

        output.WriteLine($"{checkedAgainstDatabase} acceptances, {(checkedAgainstDatabase + 19) / 20} checked against the database, {expected.Count} answers stored at the end");
        Report("answers API", judge, elapsed);
    }

    private static void CompareAll(FuzzJudge judge, Dictionary<string, string> expected, Dictionary<string, string> stored, string when)
    {
        foreach (var id in expected.Keys.Union(stored.Keys))
        {
            if (expected.GetValueOrDefault(id) != stored.GetValueOrDefault(id))
            {
                judge.Find($"{when}: '{id}' should be {expected.GetValueOrDefault(id) ?? "absent"} but the database has {stored.GetValueOrDefault(id) ?? "nothing"}");
            }
        }
    }

    /// <summary>After the run, the host still does its ordinary work.</summary>
    private static async Task StillServesAsync(PortalApp app, HttpClient client, FuzzJudge judge, string path, string body)
    {
        var health = await client.GetAsync("/health", TestContext.Current.CancellationToken);
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        var response = await client.PostAsync(path, content, TestContext.Current.CancellationToken);
        if (health.StatusCode != HttpStatusCode.OK || response.StatusCode != HttpStatusCode.OK)
        {
            judge.Find($"after the run: /health {(int)health.StatusCode}, a fit POST {path} {(int)response.StatusCode}");
        }

        foreach (var line in app.Logs.Lines.Where(FuzzJudge.IsFault).Take(5))
        {
            judge.Find($"the host logged: {FuzzJudge.Cut(line)}");
        }
    }

    private void Report(string what, FuzzJudge judge, TimeSpan elapsed)
    {
        output.WriteLine($"{what}: seed {Seed}, {Count} inputs in {elapsed.TotalSeconds:0.0} s; statuses {string.Join(", ", judge.Statuses.OrderBy(s => s.Key).Select(s => $"{s.Key}: {s.Value}"))}");
        Assert.True(judge.Findings.Count == 0, $"{what}, seed {Seed}: {judge.Findings.Count} finding(s)\n" + string.Join("\n", judge.Findings));
    }
}
