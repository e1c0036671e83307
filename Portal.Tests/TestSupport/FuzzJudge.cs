using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Web.Data;
using Portal.Web.Data.Entities;

namespace Portal.Tests.TestSupport;

/// <summary>
/// Judges the portal's answer to one fuzz input: no 500, a refusal is a 4xx problem+json with
/// a message (and names an unfit answer when the body was well-formed), an acceptance only of
/// an input the generator built from fit values. Each finding is one line with the replay.
/// </summary>
public sealed class FuzzJudge(PortalApp app)
{
    private readonly List<string> findings = [];
    private int logLinesSeen;

    public IReadOnlyList<string> Findings => findings;

    public Dictionary<int, int> Statuses { get; } = [];

    public static async Task<HttpResponseMessage> SendAsync(HttpClient client, string path, FuzzInput input)
    {
        using var content = new ByteArrayContent(input.Body);
        if (input.ContentType is { } type)
        {
            content.Headers.TryAddWithoutValidation("Content-Type", type);
        }

        return await client.PostAsync(path, content, TestContext.Current.CancellationToken);
    }

    /// <summary>Judges the response; returns the parsed body of a 200, or null.</summary>
    public async Task<JsonNode?> JudgeAsync(FuzzInput input, HttpResponseMessage response)
    {
        var status = (int)response.StatusCode;
        Statuses[status] = Statuses.GetValueOrDefault(status) + 1;
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        NewLogLines(input);
        if (status >= 500)
        {
            Find(input, $"{status}: {Cut(text)}");
            return null;
        }

        if (status == 200)
        {
            if (!input.ExpectAccepted)
            {
                Find(input, $"accepted an unfit input: {Cut(text)}");
                return null;
            }

            // A score is tens of kilobytes: parsing each would cost more than the request.
            if (text.Length > 4096)
            {
                return text.StartsWith("{\"contentVersion\":", StringComparison.Ordinal) ? new JsonObject() : Fail("a 200 that is not a result");
            }

            try
            {
                return JsonNode.Parse(text);
            }
            catch (JsonException e)
            {
                Find(input, $"200 whose body is not JSON ({e.Message})");
                return null;
            }
        }

        if (input.ExpectAccepted)
        {
            Find(input, $"refused a fit input with {status}: {Cut(text)}");
            return null;
        }

        if (status is < 400 or > 499)
        {
            Find(input, $"refused with {status}, not a 4xx");
            return null;
        }

        if (input.Kind.StartsWith("content type", StringComparison.Ordinal) && input.ContentType?.Split(';')[0].Trim().Equals("application/json", StringComparison.OrdinalIgnoreCase) != true && status != 415)
        {
            Find(input, $"a body that is not JSON got {status}, not 415");
        }

        if (response.Content.Headers.ContentType?.MediaType != "application/problem+json")
        {
            Find(input, $"refused with {status} as {response.Content.Headers.ContentType?.MediaType ?? "no content type"}, not problem details: {Cut(text)}");
            return null;
        }

        JsonNode? problem;
        try
        {
            problem = JsonNode.Parse(text);
        }
        catch (JsonException e)
        {
            Find(input, $"problem details that are not JSON ({e.Message})");
            return null;
        }

        var title = problem?["title"]?.GetValue<string>();
        var detail = problem?["detail"]?.GetValue<string>();
        var errors = problem?["errors"] as JsonObject;
        if (string.IsNullOrWhiteSpace(title) || (string.IsNullOrWhiteSpace(detail) && errors is not { Count: > 0 }))
        {
            Find(input, $"a refusal without a message: {Cut(text)}");
        }

        foreach (var (key, messages) in errors ?? [])
        {
            if (messages is not JsonArray { Count: > 0 } list || list.Any(m => string.IsNullOrWhiteSpace(m?.GetValue<string>())))
            {
                Find(input, $"error '{key}' without a message: {Cut(text)}");
            }
        }

        if (status != 415 && input.Entries.Any(e => !e.Valid))
        {
            JudgeNamedAnswers(input, errors, text);
        }

        return null;
    }

    private JsonNode? Fail(string what)
    {
        findings.Add(what);
        return null;
    }

    /// <summary>A refused body of answers names at least one unfit answer, and no fit one (unless the same id is also unfit).</summary>
    private void JudgeNamedAnswers(FuzzInput input, JsonObject? errors, string text)
    {
        var named = (errors ?? []).Select(e => e.Key).ToList();
        bool Names(string key, string id)
        {
            var path = key.Split('.', 2) is [("answers" or "profile"), var rest] ? rest : null;
            if (path is null)
            {
                return false;
            }

            path = path.EndsWith(']') && path.LastIndexOf('[') is var at and > 0 ? path[..at] : path;
            return path == id || (path.EndsWith("...", StringComparison.Ordinal) && id.StartsWith(path[..^3], StringComparison.Ordinal));
        }

        if (!named.Any(key => input.Entries.Any(e => !e.Valid && Names(key, e.Id))))
        {
            Find(input, $"refused without naming an unfit answer: {Cut(text)}");
        }

        var unfitIds = input.Entries.Where(e => !e.Valid).Select(e => e.Id).ToHashSet(StringComparer.Ordinal);
        foreach (var fit in input.Entries.Where(e => e.Valid && !unfitIds.Contains(e.Id)))
        {
            if (named.FirstOrDefault(key => Names(key, fit.Id)) is { } wrong)
            {
                Find(input, $"named the fit answer '{wrong}' as a problem: {Cut(text)}");
            }
        }
    }

    /// <summary>The host logs nothing at Warning for ordinary requests; an error or exception is a finding of this input.</summary>
    private void NewLogLines(FuzzInput input)
    {
        var count = app.Logs.Lines.Count;
        if (count == logLinesSeen)
        {
            return;
        }

        foreach (var line in app.Logs.Lines.Skip(logLinesSeen))
        {
            if (IsFault(line))
            {
                Find(input, $"the host logged: {Cut(line)}");
            }
        }

        logLinesSeen = count;
    }

    public static bool IsFault(string line) =>
        line.StartsWith("Error ", StringComparison.Ordinal) || line.StartsWith("Critical ", StringComparison.Ordinal)
        || line.Contains("Exception", StringComparison.Ordinal);

    public void Find(FuzzInput input, string what)
    {
        if (findings.Count < 30)
        {
            findings.Add($"{what}\n    replay: {input.Replay}");
        }
    }

    public void Find(string what)
    {
        if (findings.Count < 30)
        {
            findings.Add(what);
        }
    }

    /// <summary>Every answer stored for the owner's firm (profile and the draft), by question id, as stored.</summary>
    public static async Task<Dictionary<string, string>> StoredAnswersAsync(PortalApp app, string userId)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        var firmId = await db.FirmMembers.Where(m => m.UserId == userId).Select(m => (Guid?)m.FirmId).SingleOrDefaultAsync();
        if (firmId is null)
        {
            return new Dictionary<string, string>(StringComparer.Ordinal); // no firm yet: nothing was ever stored
        }

        var stored = await db.FirmProfileAnswers.Where(a => a.FirmId == firmId).Select(a => new { a.QuestionId, a.ValueJson }).ToListAsync();
        stored.AddRange(await db.AssessmentAnswers
            .Where(a => db.Assessments.Any(x => x.Id == a.AssessmentId && x.FirmId == firmId && x.Status == AssessmentStatus.Draft))
            .Select(a => new { a.QuestionId, a.ValueJson }).ToListAsync());
        return stored.ToDictionary(a => a.QuestionId, a => a.ValueJson, StringComparer.Ordinal);
    }

    public static async Task<string> FirmNameAsync(PortalApp app, string userId)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        return await db.FirmMembers.Where(m => m.UserId == userId).Select(m => m.Firm.Name).SingleAsync();
    }

    /// <summary>An answer as the portal stores it: the JSON value re-written without spacing.</summary>
    public static string? Canonical(string json) => JsonNode.Parse(json)?.ToJsonString();

    /// <summary>Compares what is stored with what was sent; returns what differs, or null.</summary>
    public static string? Differences(IReadOnlyList<FuzzEntry> sent, IReadOnlyDictionary<string, string> stored)
    {
        var problems = new List<string>();
        foreach (var entry in sent)
        {
            var expected = Canonical(entry.Json);
            var actual = stored.GetValueOrDefault(entry.Id);
            if (expected != actual)
            {
                problems.Add($"{entry.Id}: sent {Cut(entry.Json)}, stored {(actual is null ? "nothing" : Cut(actual))}");
            }
        }

        return problems.Count == 0 ? null : string.Join("; ", problems);
    }

    public static string Cut(string text) => text.Length <= 300 ? text : text[..300] + "...";
}
