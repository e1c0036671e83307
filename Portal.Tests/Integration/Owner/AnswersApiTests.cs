using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Portal.Tests.TestSupport;
using Portal.Web.Features.Accounts;

namespace Portal.Tests.Integration.Owner;

/// <summary>
/// POST /api/v1/assessment/answers: the owner's answers saved as JSON, with the questionnaire
/// pages' checks; one unfit value refuses the request with a message per problem and stores nothing.
/// </summary>
public sealed class AnswersApiTests : IAsyncLifetime
{
    private const string Password = "Answers-api-2026";
    private readonly PortalApp app = new();
    private HttpClient owner = default!;
    private string ownerId = "";

    public async ValueTask InitializeAsync()
    {
        ownerId = (await app.CreateUserAsync("api-owner@example.test", Password, PortalRoles.Owner)).Id;
        owner = await app.SignedInClientAsync("api-owner@example.test", Password);
    }

    public ValueTask DisposeAsync() => app.DisposeAsync();

    private static async Task<(HttpStatusCode Status, JsonElement Body)> PostAsync(HttpClient client, string body, string contentType = "application/json")
    {
        using var content = new StringContent(body, Encoding.UTF8);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        var response = await client.PostAsync("/api/v1/assessment/answers", content, TestContext.Current.CancellationToken);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        var isJson = response.Content.Headers.ContentType?.MediaType?.EndsWith("json", StringComparison.Ordinal) == true;
        return (response.StatusCode, isJson ? JsonDocument.Parse(text).RootElement.Clone() : default);
    }

    [Fact]
    public async Task SavedAnswers_AreTheOnesTheQuestionnaireShows()
    {
        var (status, body) = await PostAsync(owner, """{"answers": {"cs.activity": "agents", "cs.foreign-contacts": "none"}}""");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(2, body.GetProperty("saved").GetInt32());
        Assert.InRange(body.GetProperty("percentDone").GetInt32(), 1, 99);
        var section = await app.Assessments().GetSectionAsync(ownerId, TestContent.Real.Questionnaire.Find("cs.activity")!.Section.Id);
        Assert.Equal("agents", section!.Values["cs.activity"]!.GetValue<string>());
        Assert.Equal("none", section.Values["cs.foreign-contacts"]!.GetValue<string>());

        // null clears an answer
        (status, _) = await PostAsync(owner, """{"answers": {"cs.activity": null}}""");
        Assert.Equal(HttpStatusCode.OK, status);
        section = await app.Assessments().GetSectionAsync(ownerId, section.Section.Id);
        Assert.Null(section!.Values["cs.activity"]);
        Assert.NotNull(section.Values["cs.foreign-contacts"]);
    }

    [Fact]
    public async Task OneUnfitValue_RefusesTheRequestNamingEachProblem_AndStoresNothing()
    {
        var (status, body) = await PostAsync(owner, """{"answers": {"cs.activity": "agents", "cs.foreign-contacts": "lots", "no.such-question": 1}, "extra": true}""");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        var errors = body.GetProperty("errors");
        Assert.Contains("not a question", errors.GetProperty("answers.no.such-question")[0].GetString(), StringComparison.Ordinal);
        Assert.Contains("not expected", errors.GetProperty("extra")[0].GetString(), StringComparison.Ordinal);
        Assert.Contains("Nothing was saved", body.GetProperty("detail").GetString(), StringComparison.Ordinal);

        (status, body) = await PostAsync(owner, """{"answers": {"cs.activity": "agents", "cs.foreign-contacts": "lots"}}""");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.False(string.IsNullOrWhiteSpace(body.GetProperty("errors").GetProperty("answers.cs.foreign-contacts")[0].GetString()));
        await app.Assessments().GetOverviewAsync(ownerId);
        var section = await app.Assessments().GetSectionAsync(ownerId, TestContent.Real.Questionnaire.Find("cs.activity")!.Section.Id);
        Assert.Null(section!.Values["cs.activity"]);
    }

    [Theory]
    [InlineData("[1, 2]", "application/json", HttpStatusCode.BadRequest)]
    [InlineData("{\"answers\": [", "application/json", HttpStatusCode.BadRequest)]
    [InlineData("{\"answers\": {}}", "text/plain", HttpStatusCode.UnsupportedMediaType)]
    [InlineData("{}", "application/json", HttpStatusCode.BadRequest)]
    public async Task BadBodies_GetAProblemWithAMessage(string body, string contentType, HttpStatusCode expected)
    {
        var (status, problem) = await PostAsync(owner, body, contentType);

        Assert.Equal(expected, status);
        Assert.True(problem.TryGetProperty("detail", out var detail) && detail.GetString()!.Length > 10);
    }

    [Fact]
    public async Task AfterSubmitting_ChangesAreRefusedUntilAReassessment()
    {
        await app.SubmitPersonaAsync(ownerId, "harris-fletcher-a", "Api Firm Ltd");

        var (status, problem) = await PostAsync(owner, """{"answers": {"cs.activity": "agents"}}""");

        Assert.Equal(HttpStatusCode.Conflict, status);
        Assert.Contains("reassessment", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task OnlyOwners_AndAnonymousCallersGet401()
    {
        await app.CreateUserAsync("api-advisor@example.test", Password, PortalRoles.Advisor);
        var advisor = await app.SignedInClientAsync("api-advisor@example.test", Password);

        var refused = await PostAsync(advisor, """{"answers": {}}""");
        Assert.True(refused.Status == HttpStatusCode.Forbidden, refused.Body.ToString());
        var anonymous = await PostAsync(app.CreateBrowserlikeClient(), """{"answers": {}}""");
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.Status);
    }
}
