using System.Diagnostics;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using Portal.Tests.TestSupport;
using Portal.Web.Features.Accounts;

namespace Portal.Tests.Integration.Fuzz;

/// <summary>
/// The questionnaire pages save through AssessmentService from a Blazor circuit, where an
/// exception ends the owner's session: 10,000 generated answers and firm names go straight to
/// SaveAnswerAsync and SaveFirmNameAsync. None may throw; a refusal carries a message and
/// changes nothing; an acceptance is stored exactly.
/// </summary>
public sealed class SavingPathFuzzTests(ITestOutputHelper output)
{
    private static readonly DateTimeOffset Today = new(2026, 6, 15, 9, 0, 0, TimeSpan.Zero);

    private static int Seed => int.TryParse(Environment.GetEnvironmentVariable("PORTAL_FUZZ_SEED"), out var seed) ? seed : 20260615;

    private static int Count => int.TryParse(Environment.GetEnvironmentVariable("PORTAL_FUZZ_COUNT"), out var count) ? count : 10_000;

    /// <summary>Values no JSON text can hold, which only .NET code could hand the service.</summary>
    private static readonly (string Why, Func<JsonNode?> Make)[] DotNetValues =
    [
        ("NaN", () => JsonValue.Create(double.NaN)),
        ("infinity", () => JsonValue.Create(double.PositiveInfinity)),
        ("a lone surrogate string", () => JsonValue.Create("\ud800")),
        ("a list holding a lone surrogate", () => new JsonArray(JsonValue.Create("\udc00"))),
        ("decimal.MaxValue", () => JsonValue.Create(decimal.MaxValue)),
        ("a char", () => JsonValue.Create('x')),
        ("a date", () => JsonValue.Create(new DateTime(2020, 1, 1, 0, 0, 0, DateTimeKind.Utc))),
    ];

    [Fact]
    public async Task SaveAnswerAndFirmName_TenThousandInputs_NeverThrow_RefusalsExplained_AcceptancesStoredExactly()
    {
        await using var app = new PortalApp(o => o.Clock = new FakeTimeProvider(Today));
        var userId = (await app.CreateUserAsync("fuzz-pages@example.test", "Fuzz-owner-2026", PortalRoles.Owner)).Id;
        var service = app.Assessments();
        await service.GetOverviewAsync(userId); // the page opens the first assessment so
        var fuzzer = new AnswerFuzzer(TestContent.Real, FuzzTarget.AnswersApi, Seed, Today.Year);
        var judge = new FuzzJudge(app);
        var expected = new Dictionary<string, string>(StringComparer.Ordinal);
        var expectedName = "";
        var (accepted, refused) = (0, 0);
        var watch = Stopwatch.StartNew();

        for (var i = 0; i < Count; i++)
        {
            var replay = $"seed {Seed}, input {i}";
            if (i % 5 == 0)
            {
                var (name, valid) = fuzzer.FirmName(i);
                string? error;
                try
                {
                    error = await service.SaveFirmNameAsync(userId, name);
                }
                catch (Exception e)
                {
                    judge.Find($"SaveFirmNameAsync threw {e.GetType().Name}: {e.Message}\n    replay: {replay}, name {Show(name)}");
                    continue;
                }

                if (error is null != valid)
                {
                    judge.Find($"SaveFirmNameAsync {(error is null ? "kept" : $"refused ({error})")} the {(valid ? "fit" : "unfit")} name {Show(name)}\n    replay: {replay}");
                }
                else if (error is not null && string.IsNullOrWhiteSpace(error))
                {
                    judge.Find($"SaveFirmNameAsync refused without a message\n    replay: {replay}");
                }

                expectedName = error is null ? name.Trim() : expectedName;
                if (i % 100 == 0 && await FuzzJudge.FirmNameAsync(app, userId) is var stored && stored != expectedName)
                {
                    judge.Find($"the firm is called {Show(stored)}, expected {Show(expectedName)}\n    replay: {replay}");
                }

                (accepted, refused) = error is null ? (accepted + 1, refused) : (accepted, refused + 1);
                continue;
            }

            var entry = fuzzer.Entry(i);
            var value = JsonNode.Parse(entry.Json);
            if (i % 50 == 1)
            {
                var (why, make) = DotNetValues[i / 50 % DotNetValues.Length];
                (entry, value) = (entry with { Valid = false, Why = why, Json = why }, make());
            }

            Portal.Web.Features.Assessments.SaveResult result;
            try
            {
                result = await service.SaveAnswerAsync(userId, entry.Id, value);
            }
            catch (Exception e)
            {
                judge.Find($"SaveAnswerAsync threw {e.GetType().Name}: {e.Message}\n    replay: {replay}, '{entry.Id}' = {FuzzJudge.Cut(entry.Json)} ({entry.Why})");
                continue;
            }

            if (result.Error is null != entry.Valid)
            {
                judge.Find($"SaveAnswerAsync {(result.Error is null ? "kept" : $"refused ({result.Error})")} the {(entry.Valid ? "fit" : "unfit")} value\n    replay: {replay}, '{entry.Id}' = {FuzzJudge.Cut(entry.Json)} ({entry.Why})");
            }
            else if (result.Error is not null && string.IsNullOrWhiteSpace(result.Error))
            {
                judge.Find($"SaveAnswerAsync refused without a message\n    replay: {replay}");
            }

            if (result.Error is null && entry.Valid)
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

            (accepted, refused) = result.Error is null ? (accepted + 1, refused) : (accepted, refused + 1);
            if (i % 100 == 1)
            {
                Compare(judge, expected, await FuzzJudge.StoredAnswersAsync(app, userId), replay);
            }
        }

        var elapsed = watch.Elapsed;
        Compare(judge, expected, await FuzzJudge.StoredAnswersAsync(app, userId), $"seed {Seed}, at the end");
        foreach (var line in app.Logs.Lines.Where(FuzzJudge.IsFault).Take(5))
        {
            judge.Find($"the host logged: {FuzzJudge.Cut(line)}");
        }

        output.WriteLine($"saving path: seed {Seed}, {Count} inputs in {elapsed.TotalSeconds:0.0} s; {accepted} kept, {refused} refused");
        Assert.True(judge.Findings.Count == 0, $"seed {Seed}: {judge.Findings.Count} finding(s)\n" + string.Join("\n", judge.Findings));
    }

    private static void Compare(FuzzJudge judge, Dictionary<string, string> expected, Dictionary<string, string> stored, string when)
    {
        foreach (var id in expected.Keys.Union(stored.Keys).Where(id => expected.GetValueOrDefault(id) != stored.GetValueOrDefault(id)).Take(5))
        {
            judge.Find($"{when}: '{id}' should be {expected.GetValueOrDefault(id) ?? "absent"} but the database has {stored.GetValueOrDefault(id) ?? "nothing"}");
        }
    }

    private static string Show(string text) =>
        "\"" + string.Concat((text.Length > 80 ? text[..80] + "..." : text).Select(c => c is < ' ' or > '~' ? $"\\u{(int)c:x4}" : c.ToString())) + $"\" ({text.Length} chars)";
}
