using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Portal.Tests.TestSupport;

namespace Portal.Tests.Integration.ScoringApi;

/// <summary>The questionnaire and what-if scoring API: results for good input, a 400 naming the problem for bad input, never a 500.</summary>
public sealed class ScoringApiTests : IAsyncLifetime
{
    private readonly PortalApp app = new(o => o.Settings["ScoringApi:PermitsPerMinute"] = "10000");

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => app.DisposeAsync();

    private async Task<(HttpStatusCode Status, JsonElement Body)> PostAsync(string body, string contentType = "application/json")
    {
        using var content = new StringContent(body, Encoding.UTF8);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        var response = await app.CreateClient().PostAsync("/api/v1/score", content, TestContext.Current.CancellationToken);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        return (response.StatusCode, JsonDocument.Parse(text).RootElement.Clone());
    }

    [Fact]
    public async Task Questionnaire_ListsSectionsQuestionsOptionsAndShowIf()
    {
        var json = await app.CreateClient().GetStringAsync("/api/v1/questionnaire", TestContext.Current.CancellationToken);
        var root = JsonDocument.Parse(json).RootElement;

        Assert.Equal(TestContent.Real.Version, root.GetProperty("version").GetString());
        var sections = root.GetProperty("sections").EnumerateArray().ToList();
        Assert.Equal("profile", sections[0].GetProperty("id").GetString());
        Assert.Equal(TestContent.Real.Questionnaire.Questions.Count, sections.Sum(s => s.GetProperty("questions").GetArrayLength()));
        var activity = sections.SelectMany(s => s.GetProperty("questions").EnumerateArray()).Single(q => q.GetProperty("id").GetString() == "cs.past-performance");
        Assert.Equal("single", activity.GetProperty("kind").GetString());
        Assert.Equal("cs.activity", activity.GetProperty("showIf").GetProperty("answer").GetString());
        Assert.True(activity.GetProperty("dontKnow").GetBoolean());
        Assert.Contains(activity.GetProperty("options").EnumerateArray(), o => o.GetProperty("id").GetString() == "grew");
    }

    [Fact]
    public async Task Score_ReturnsTheResultWithItsReasons()
    {
        var body = Answers.For(TestContent.Real).Set("cs.activity", "agents").Set("cs.foreign-contacts", "none").ToJson().ToJsonString();

        var (status, result) = await PostAsync(body);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("export-via-agents", result.GetProperty("stage").GetProperty("id").GetString());
        Assert.Contains(result.GetProperty("flags").EnumerateArray(), f => f.GetProperty("id").GetString() == "lonely-international");
        var plan = result.GetProperty("actionPlan").EnumerateArray().ToList();
        var item = plan.Single(p => p.GetProperty("advice").GetString() == "build-foreign-contacts");
        Assert.Contains("Lew et al. (2016)", item.GetProperty("sources")[0].GetProperty("citation").GetString(), StringComparison.Ordinal);
        Assert.Equal("lonely-international", item.GetProperty("because")[0].GetProperty("rule").GetString());
        Assert.Equal(TestContent.Real.Rules.Count, result.GetProperty("trace").GetArrayLength());
    }

    [Fact]
    public async Task Score_StoresNothing()
    {
        var body = Answers.For(TestContent.Real).AllBest().ToJson().ToJsonString();
        _ = app.Services; // starts the host, which creates the database
        // Data Protection writes its first key in the background after start; have it written
        // now, so the snapshot does not race it (the key is not the API's doing).
        app.Services.GetRequiredService<Microsoft.AspNetCore.DataProtection.IDataProtectionProvider>().CreateProtector("test").Protect("warm-up"u8.ToArray());
        var rowsBefore = await TableContentsAsync();
        var filesBefore = DataFiles();

        var (status, _) = await PostAsync(body);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(rowsBefore, await TableContentsAsync());
        Assert.Equal(filesBefore, DataFiles());
        Assert.Contains(rowsBefore.Keys, t => t == "Assessments");
    }

    /// <summary>Every table of the database, by name: its row count and a hash of all its rows.</summary>
    private async Task<SortedDictionary<string, string>> TableContentsAsync()
    {
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<Portal.Web.Data.PortalDbContext>();
        var connection = db.Database.GetDbConnection();
        var postgres = connection is Npgsql.NpgsqlConnection;
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        var tables = new List<string>();
        await using (var list = connection.CreateCommand())
        {
            list.CommandText = postgres
                ? "SELECT table_name::text FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'"
                : "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'";
            await using var reader = await list.ExecuteReaderAsync(TestContext.Current.CancellationToken);
            while (await reader.ReadAsync(TestContext.Current.CancellationToken))
            {
                tables.Add(reader.GetString(0));
            }
        }

        var contents = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var table in tables)
        {
            await using var select = connection.CreateCommand();
            // PostgreSQL has no rowid: the whole row as text orders the rows as well.
            select.CommandText = $"SELECT * FROM \"{table.Replace("\"", "\"\"", StringComparison.Ordinal)}\" AS t ORDER BY {(postgres ? "t::text COLLATE \"C\"" : "rowid")}";
            await using var reader = await select.ExecuteReaderAsync(TestContext.Current.CancellationToken);
            var rows = new System.Text.StringBuilder();
            var count = 0;
            while (await reader.ReadAsync(TestContext.Current.CancellationToken))
            {
                count++;
                for (var i = 0; i < reader.FieldCount; i++)
                {
                    rows.Append(reader.IsDBNull(i) ? "\u2400" : Convert.ToString(reader.GetValue(i), System.Globalization.CultureInfo.InvariantCulture)).Append('\u241f');
                }

                rows.Append('\n');
            }

            contents[table] = $"{count} rows {Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(rows.ToString())))}";
        }

        return contents;
    }

    /// <summary>
    /// Every file of the data folder but the database's own, with its length and a hash of its
    /// content. The database is compared by its rows above: its files change without any write
    /// (SQLite moves pages from the -wal file into the main file when connections close, and
    /// other tests' hosts close pooled connections process-wide), and readers touch the -shm file.
    /// </summary>
    private List<string> DataFiles() =>
        [.. Directory.GetFiles(app.DataDirectory, "*", SearchOption.AllDirectories)
            .Where(f => !Path.GetFileName(f).StartsWith("portal.db", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .Select(f => $"{Path.GetRelativePath(app.DataDirectory, f)} {new FileInfo(f).Length} {Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(ReadShared(f)))}")];

    // The portal holds the database open; read it without asking for exclusive access.
    private static byte[] ReadShared(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    [Theory]
    [InlineData("""{"answers": {"cs.nope": "x"}}""", "answers.cs.nope", "there is no question 'cs.nope'")]
    [InlineData("""{"answers": {"cs.activity": "sometimes"}}""", "answers.cs.activity", "'sometimes' is not an option")]
    [InlineData("""{"answers": {"cs.activity": ["none"]}}""", "answers.cs.activity", "expects one option id as a string")]
    [InlineData("""{"answers": {"cs.team-collaboration": 9}}""", "answers.cs.team-collaboration", "expects a whole number from 1 to 5")]
    [InlineData("""{"profile": {"founded": 99999}}""", "profile.founded", "out of range")]
    [InlineData("""{"answers": {}, "extra": 1}""", "extra", "is not expected")]
    [InlineData("""{"profile": {"home-country": ["ZZ"]}}""", "profile.home-country[0]", "is not an ISO 3166 country code")]
    public async Task BadAnswers_Get400NamingTheAnswer(string body, string path, string message)
    {
        var (status, problem) = await PostAsync(body);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("Some answers cannot be scored", problem.GetProperty("title").GetString());
        var errors = problem.GetProperty("errors").GetProperty(path).EnumerateArray().Select(e => e.GetString()).ToList();
        Assert.Contains(errors, e => e!.Contains(message, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("{\"answers\": ")]
    [InlineData("not json at all")]
    [InlineData("")]
    public async Task MalformedJson_Gets400(string body)
    {
        var (status, problem) = await PostAsync(body);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("The body is not valid JSON", problem.GetProperty("title").GetString());
    }

    [Fact]
    public async Task DeeplyNestedJson_Gets400()
    {
        var (status, _) = await PostAsync("{\"answers\": {\"cs.activity\": " + new string('[', 100) + new string(']', 100) + "}}");

        Assert.Equal(HttpStatusCode.BadRequest, status);
    }

    [Fact]
    public async Task OversizedBody_Gets400()
    {
        var huge = "{\"answers\": {\"cs.activity\": \"" + new string('x', 200_000) + "\"}}";

        var (status, problem) = await PostAsync(huge);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("The body is too large", problem.GetProperty("title").GetString());
    }

    [Fact]
    public async Task InvalidUnicode_Gets400NotA500()
    {
        var (status, problem) = await PostAsync("{\"answers\": {\"\\ud800\": 1}}");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("not valid Unicode", problem.GetProperty("errors").GetProperty("$")[0].GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ByteOrderMark_IsAccepted()
    {
        var (status, _) = await PostAsync("\uFEFF{\"answers\": {\"cs.activity\": \"none\"}}");

        Assert.Equal(HttpStatusCode.OK, status);
    }

    [Fact]
    public async Task NotJson_Gets415()
    {
        var (status, problem) = await PostAsync("answers=1", "application/x-www-form-urlencoded");

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, status);
        Assert.Equal("Send JSON", problem.GetProperty("title").GetString());
    }
}

public sealed class ScoringApiRateLimitTests
{
    [Fact]
    public async Task TooManyRequests_Get429WithRetryAfter()
    {
        await using var app = new PortalApp(o => o.Settings["ScoringApi:PermitsPerMinute"] = "3");
        var client = app.CreateClient();
        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage? last = null;
        for (var i = 0; i < 5; i++)
        {
            last = await client.PostAsync("/api/v1/score", new StringContent("{}", Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);
            statuses.Add(last.StatusCode);
        }

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests], statuses);
        Assert.Equal("60", last!.Headers.RetryAfter!.ToString());
        Assert.Contains("Too many requests", await last.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }
}
