using Portal.Domain.Scoring;
using Portal.Tests.TestSupport;

namespace Portal.Tests.Domain.Scoring;

/// <summary>Every kind of bad answer is refused with its JSON path and a message naming what is wrong.</summary>
public sealed class AnswerParserTests
{
    private static AnswerParseResult Parse(string json) => AnswerSet.Parse(TestContent.Real.Questionnaire, json, 2026);

    private static AnswerProblem OnlyProblem(string json)
    {
        var result = Parse(json);
        Assert.False(result.Succeeded);
        return Assert.Single(result.Problems);
    }

    [Theory]
    [InlineData("""{"answers": {"cs.nope": "x"}}""", "answers.cs.nope", "there is no question 'cs.nope'")]
    [InlineData("""{"answers": {"cs.activity": "sometimes"}}""", "answers.cs.activity", "'sometimes' is not an option; expected one of: none, irregular, agents, subsidiary, production")]
    [InlineData("""{"answers": {"cs.activity": 3}}""", "answers.cs.activity", "expects one option id as a string")]
    [InlineData("""{"answers": {"cs.barriers": "resources"}}""", "answers.cs.barriers", "expects a list of option ids")]
    [InlineData("""{"answers": {"cs.barriers": ["resources", "none"]}}""", "answers.cs.barriers", "'none' (\"None of these\") cannot be combined with other options")]
    [InlineData("""{"answers": {"cs.barriers": ["resources", "resources"]}}""", "answers.cs.barriers[1]", "'resources' is chosen twice")]
    [InlineData("""{"answers": {"cs.team-collaboration": 6}}""", "answers.cs.team-collaboration", "expects a whole number from 1 to 5")]
    [InlineData("""{"answers": {"cs.team-collaboration": 2.5}}""", "answers.cs.team-collaboration", "expects a whole number from 1 to 5")]
    [InlineData("""{"answers": {"cs.team-collaboration": "4"}}""", "answers.cs.team-collaboration", "expects a whole number from 1 to 5")]
    [InlineData("""{"answers": {"cs.intent": "dont-know"}}""", "answers.cs.intent", "'cs.intent' does not offer \"don't know\"")]
    [InlineData("""{"profile": {"founded": 1700}}""", "profile.founded", "1700 is out of range: expected a number from 1800 to 2100")]
    [InlineData("""{"profile": {"founded": 1999.5}}""", "profile.founded", "expects a whole number from 1800 to 2100")]
    [InlineData("""{"profile": {"founded": "1999"}}""", "profile.founded", "expects a number from 1800 to 2100")]
    [InlineData("""{"profile": {"home-country": ["XX"]}}""", "profile.home-country[0]", "'XX' is not an ISO 3166 country code")]
    [InlineData("""{"profile": {"home-country": ["DE", "FR"]}}""", "profile.home-country", "lists 2 countries; at most 1 may be chosen")]
    [InlineData("""{"answers": {"sector": "manufacturing"}}""", "answers.sector", "'sector' is a profile field: put it under \"profile\"")]
    [InlineData("""{"profile": {"cs.activity": "none"}}""", "profile.cs.activity", "'cs.activity' is a question of the questionnaire: put it under \"answers\"")]
    [InlineData("""{"answers": ["cs.activity"]}""", "answers", "must be a JSON object of question id: answer")]
    [InlineData("""[1, 2]""", "$", "must be a JSON object with \"profile\" and \"answers\"")]
    [InlineData("""{"answers": {"\ud800": 1}}""", "$", "contains text that is not valid Unicode")]
    [InlineData("""{"profile": {"sector": "\ud800"}}""", "profile.sector", "contains text that is not valid Unicode")]
    [InlineData("""{"profile": {"founded": 2090}}""", "profile.founded", "2090 is in the future: enter 2026 or earlier")]
    [InlineData("""{"profile": {"founded": 2001}, "answers": {"cs.activity": "agents", "ti.first-export-year": 1999}}""", "answers.ti.first-export-year", "1999 is before the firm was founded (2001)")]
    [InlineData("""{"profile": {"founded": 1e308}}""", "profile.founded", "1E+308 is out of range")]
    [InlineData("""{"answers": {"cs.activity": "none",}}""", "$", "is not valid JSON")]
    public void BadAnswer_IsRefusedWithPathAndReason(string json, string path, string message)
    {
        var problem = OnlyProblem(json);

        Assert.Equal(path, problem.Path);
        Assert.Contains(message, problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void HugeUnknownId_IsClippedInTheMessage()
    {
        var id = new string('x', 100_000);

        var problem = OnlyProblem("{\"answers\": {\"" + id + "\": \"a\"}}");

        Assert.True(problem.Path.Length < 100);
        Assert.True(problem.Message.Length < 200);
    }

    [Fact]
    public void ManyBadAnswers_AreCappedAndListTheOptionsOnce()
    {
        var junk = string.Join(",", Enumerable.Range(0, 299).Select(_ => "0"));
        var result = Parse("{\"answers\": {\"cs.barriers\": [" + junk + "]}}");

        Assert.True(result.Problems.Count <= 51, $"{result.Problems.Count} problems");
        Assert.Equal(1, result.Problems.Count(p => p.Message.Contains("expected some of", StringComparison.Ordinal)));
        Assert.Contains("more problems not listed", result.Problems[^1].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ByteOrderMark_IsIgnored()
    {
        Assert.True(Parse("\uFEFF{\"answers\": {\"cs.activity\": \"none\"}}").Succeeded);
    }

    [Fact]
    public void DeeplyNestedJunk_IsRefused()
    {
        var json = "{\"answers\": {\"cs.activity\": " + new string('[', 200) + new string(']', 200) + "}}";

        Assert.False(Parse(json).Succeeded);
    }

    [Fact]
    public void AllProblems_AreReportedTogether()
    {
        var result = Parse("""{"profile": {"founded": 1}, "answers": {"cs.nope": 1, "cs.activity": "x"}}""");

        Assert.Equal(3, result.Problems.Count);
    }

    [Fact]
    public void NullMeansUnanswered_AndCountryCodesAreCaseInsensitive()
    {
        var result = Parse("""{"profile": {"home-country": ["de"], "sector": null}, "answers": {"cs.activity": null}}""");

        Assert.True(result.Succeeded, string.Join("; ", result.Problems));
        var answers = result.Answers!;
        Assert.Equal("Germany", answers.Describe(TestContent.Real.Questionnaire.Find("home-country")!));
        Assert.False(answers[TestContent.Real.Questionnaire.Find("cs.activity")!].HasValue);
    }

    [Fact]
    public void ToJson_RoundTrips()
    {
        var original = Answers.For(TestContent.Real).AllBest().Build();

        var again = AnswerSet.Parse(TestContent.Real.Questionnaire, original.ToJsonString(), 2026).Answers!;

        Assert.Equal(original.ToJsonString(), again.ToJsonString());
    }
}
