using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using Portal.Tests.TestSupport;
using Portal.Web.Features.Accounts;

namespace Portal.Tests.Integration.Fuzz;

/// <summary>
/// The inputs the fuzz tests found wrong (seed 20260615), kept as ordinary cases: each failed
/// before its fix. The replay of each is in the comment beside it.
/// </summary>
public sealed class FuzzFindingsTests : IAsyncLifetime
{
    private const string Password = "Fuzz-findings-2026";
    private readonly PortalApp app = new(o =>
    {
        o.Clock = new FakeTimeProvider(new DateTimeOffset(2026, 6, 15, 9, 0, 0, TimeSpan.Zero));
        o.Settings["ScoringApi:PermitsPerMinute"] = "10000";
    });

    private HttpClient owner = default!;
    private string ownerId = "";

    public async ValueTask InitializeAsync()
    {
        ownerId = (await app.CreateUserAsync("fuzz-findings@example.test", Password, PortalRoles.Owner)).Id;
        owner = await app.SignedInClientAsync("fuzz-findings@example.test", Password);
    }

    public ValueTask DisposeAsync() => app.DisposeAsync();

    private static async Task<(HttpStatusCode Status, JsonElement Body)> PostAsync(HttpClient client, string path, string body)
    {
        using var content = new StringContent(body, Encoding.UTF8);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse("application/json");
        var response = await client.PostAsync(path, content, TestContext.Current.CancellationToken);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        return (response.StatusCode, JsonDocument.Parse(text).RootElement.Clone());
    }

    [Theory]
    // input 83: a 500 (InvalidOperationException from StoredAnswers.Check) and an exception in the log
    [InlineData("""{"answers": {"fp.demand-evidence": "repeat", "cs.past-performance": "\ud800"}}""", "answers.cs.past-performance", "not valid Unicode")]
    [InlineData("""{"answers": {"cs.barriers": ["\udc00x"]}}""", "answers.cs.barriers", "not valid Unicode")]
    // input 126: 200 {"saved": 0}: the first "answers" was dropped without a word
    [InlineData("""{"answers": {"home-country": ["LC"]}, "answers": {}}""", "answers", "is given twice")]
    // a founding year in the future was stored, and then the whole assessment read as empty
    [InlineData("""{"answers": {"founded": 2090}}""", "answers.founded", "in the future")]
    public async Task AnswersApi_RefusesWithAMessage(string body, string path, string message)
    {
        var (status, problem) = await PostAsync(owner, "/api/v1/assessment/answers", body);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains(message, problem.GetProperty("errors").GetProperty(path)[0].GetString(), StringComparison.Ordinal);
        Assert.Empty(await FuzzJudge.StoredAnswersAsync(app, ownerId));
        Assert.DoesNotContain(app.Logs.Lines, FuzzJudge.IsFault);
    }

    [Theory]
    // input 16: the null was "not answered", so the second value passed as the only one
    [InlineData("""{"answers": {"nw.involvement": null, "nw.involvement": 1}}""", "answers.nw.involvement", "is given twice")]
    // input 38: two "answers" groups were merged
    [InlineData("""{"answers": {"fp.resources": "one"}, "profile": {}, "answers": {}}""", "answers", "is given twice")]
    // input 369: refused, but as "$" rather than the answer that holds the lone surrogate
    [InlineData("""{"answers": {"cp.language": "\ud800"}}""", "answers.cp.language", "not valid Unicode")]
    public async Task ScoreApi_RefusesNamingTheAnswer(string body, string path, string message)
    {
        var (status, problem) = await PostAsync(app.CreateClient(), "/api/v1/score", body);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains(message, problem.GetProperty("errors").GetProperty(path)[0].GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SaveAnswer_UnknownIdOrUnwritableValue_IsAMessageNotAnException()
    {
        var service = app.Assessments();
        await service.GetOverviewAsync(ownerId);

        // input 10 and others: ArgumentException "No question cs.nope", which would end the owner's circuit
        var unknown = await service.SaveAnswerAsync(ownerId, "cs.nope", JsonValue.Create("x"));
        var nan = await service.SaveAnswerAsync(ownerId, "op.people", JsonValue.Create(double.NaN));
        var surrogate = await service.SaveAnswerAsync(ownerId, "cs.activity", JsonValue.Create("\ud800"));

        Assert.Contains("not part of the questionnaire", unknown.Error, StringComparison.Ordinal);
        Assert.Contains("NaN", nan.Error, StringComparison.Ordinal);
        Assert.False(string.IsNullOrWhiteSpace(surrogate.Error)); // .NET writes a lone surrogate string as U+FFFD: not an option
        Assert.Empty(await FuzzJudge.StoredAnswersAsync(app, ownerId));
    }

    [Fact]
    public async Task SaveAnswer_AYearThatContradictsAnother_IsRefusedAndTheRestStays()
    {
        var service = app.Assessments();
        await service.GetOverviewAsync(ownerId);
        Assert.Null((await service.SaveAnswerAsync(ownerId, "cs.activity", JsonValue.Create("agents"))).Error);
        Assert.Null((await service.SaveAnswerAsync(ownerId, "ti.first-export-year", JsonValue.Create(2010))).Error);

        var founded = await service.SaveAnswerAsync(ownerId, "founded", JsonValue.Create(2020));
        var future = await service.SaveAnswerAsync(ownerId, "founded", JsonValue.Create(2090));

        Assert.Contains("2010 is before the firm was founded (2020)", founded.Error, StringComparison.Ordinal);
        Assert.Contains("in the future", future.Error, StringComparison.Ordinal);
        var section = await service.GetSectionAsync(ownerId, TestContent.Real.Questionnaire.Find("cs.activity")!.Section.Id);
        Assert.Equal("agents", section!.Values["cs.activity"]!.GetValue<string>());
    }

    // Inputs 5, 40 and others kept these as typed; by index, as a lone surrogate cannot travel in a test's name.
    private static readonly string[] BadNames = ["Acme \u0007", "Ltd \r\u00e9AcmeAcme", "\u00e9\u00e9\u0000\u4e2d\u6587", "Acme\udfff"];

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task SaveFirmName_ControlCharactersOrBrokenText_AreRefusedWithAMessage(int index)
    {
        var name = BadNames[index];
        var service = app.Assessments();
        Assert.Null(await service.SaveFirmNameAsync(ownerId, "Acme Ltd"));

        var error = await service.SaveFirmNameAsync(ownerId, name);

        Assert.False(string.IsNullOrWhiteSpace(error));
        Assert.Equal("Acme Ltd", await FuzzJudge.FirmNameAsync(app, ownerId));
    }
}
