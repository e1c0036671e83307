using System.Text.Json.Nodes;
using Bunit;
using Portal.Domain.Questionnaires;
using Portal.Tests.TestSupport;
using Portal.Web.Features.Assessments;

namespace Portal.Tests.Components.Assessments;

/// <summary>One question of each kind renders as a labelled GOV.UK-style field and reports changes as canonical JSON.</summary>
public sealed class QuestionFieldTests : BunitContext
{
    private static Question Q(string id) => TestContent.Real.Questionnaire.Find(id)!;

    private static Question FirstOfKind(QuestionKind kind, bool dontKnow = false) =>
        TestContent.Real.Questionnaire.Questions.First(q => q.Kind == kind && !q.IsProfile && (!dontKnow || q.OffersDontKnow));

    private (IRenderedComponent<QuestionField> Field, List<JsonNode?> Saved, List<string> Invalid) Render(Question question, JsonNode? value = null, string? error = null)
    {
        var saved = new List<JsonNode?>();
        var invalid = new List<string>();
        var field = Render<QuestionField>(p => p
            .Add(c => c.Question, question)
            .Add(c => c.Value, value)
            .Add(c => c.Error, error)
            .Add(c => c.Sources, ["Bose, Results"])
            .Add(c => c.OnChange, v => saved.Add(v))
            .Add(c => c.OnInvalid, m => invalid.Add(m)));
        return (field, saved, invalid);
    }

    [Fact]
    public void Single_IsARadioPerOption_UnderALegend_WithHintAndSource()
    {
        var question = Q("cs.activity");
        var (field, saved, _) = Render(question, JsonValue.Create("agents"));

        Assert.Equal(question.Text, field.Find("legend").TextContent);
        Assert.Equal(question.Help, field.Find($"[id='hint-{question.Id}']").TextContent);
        Assert.Contains("Bose, Results", field.Find("details.field__why").TextContent, StringComparison.Ordinal);
        var radios = field.FindAll("input[type=radio]");
        Assert.Equal(question.Options.Count, radios.Count);
        Assert.True(field.Find("[id='q-cs.activity-agents']").HasAttribute("checked"));
        Assert.All(radios, r => Assert.NotNull(field.Find($"label[for='{r.Id}']")));

        field.Find("[id='q-cs.activity-production']").Change(true);
        Assert.Equal("\"production\"", Assert.Single(saved)!.ToJsonString());
    }

    [Fact]
    public void DontKnow_IsOfferedAfterAnOr_AndSavesDontKnow()
    {
        var question = FirstOfKind(QuestionKind.Single, dontKnow: true);
        var (field, saved, _) = Render(question);

        Assert.Contains(field.FindAll(".choices__or"), e => e.TextContent == "or");
        field.Find($"[id='q-{question.Id}-dont-know']").Change(true);

        Assert.Equal("\"dont-know\"", Assert.Single(saved)!.ToJsonString());
    }

    [Fact]
    public void Multiple_AddsAndRemovesOptions_AndNoneOfTheseStandsAlone()
    {
        var question = Q("cs.barriers");
        var (field, saved, _) = Render(question, new JsonArray("resources"));

        field.Find("[id='q-cs.barriers-culture']").Change(true);
        Assert.Equal("[\"resources\",\"culture\"]", saved[^1]!.ToJsonString());

        field.Find("[id='q-cs.barriers-none']").Change(true);
        Assert.Equal("[\"none\"]", saved[^1]!.ToJsonString());

        field.Find("[id='q-cs.barriers-resources']").Change(false);
        Assert.Null(saved[^1]);
    }

    [Fact]
    public void Scale_IsFiveRadios_WithTheEndsLabelled()
    {
        var question = FirstOfKind(QuestionKind.Scale);
        var (field, saved, _) = Render(question, JsonValue.Create(3));

        Assert.Equal(5, field.FindAll($"input[name='answer-{question.Id}']").Count);
        Assert.True(field.Find($"[id='q-{question.Id}-3']").HasAttribute("checked"));
        Assert.Contains(question.Scale!.MinLabel, field.Find(".scale__ends").TextContent, StringComparison.Ordinal);
        Assert.Contains(question.Scale.MaxLabel, field.Find(".scale__ends").TextContent, StringComparison.Ordinal);

        field.Find($"[id='q-{question.Id}-5']").Change(true);
        Assert.Equal("5", Assert.Single(saved)!.ToJsonString());
    }

    [Fact]
    public void Number_SavesANumber_AndRefusesTextWithAMessageBesideTheField()
    {
        var question = Q("founded");
        var (field, saved, invalid) = Render(question, JsonValue.Create(1997));

        Assert.Equal("1997", field.Find("[id='q-founded-value']").GetAttribute("value"));
        field.Find("[id='q-founded-value']").Change("2001");
        Assert.Equal("2001", Assert.Single(saved)!.ToJsonString());

        field.Find("[id='q-founded-value']").Change("two thousand");
        Assert.Single(saved); // nothing saved
        Assert.Equal("Enter a number without decimals, like 2010", Assert.Single(invalid));
        Assert.Contains("Enter a number", field.Find(".field__error").TextContent, StringComparison.Ordinal);
        Assert.Equal("two thousand", field.Find("[id='q-founded-value']").GetAttribute("value"));
        Assert.Contains("error-founded", field.Find("fieldset").GetAttribute("aria-describedby"), StringComparison.Ordinal);
    }

    [Fact]
    public void Countries_AddsByNameAndRemoves()
    {
        var question = Q("target-markets");
        var (field, saved, _) = Render(question, new JsonArray("DE"));

        Assert.Contains("Germany", field.Find(".countries__chosen").TextContent, StringComparison.Ordinal);
        field.Find("[id='q-target-markets-country']").Change("france");
        Assert.Equal("[\"DE\",\"FR\"]", saved[^1]!.ToJsonString());

        field.Find("[data-country='DE'] button").Click();
        Assert.Equal("[]", saved[^1]!.ToJsonString());
    }

    [Fact]
    public void ACountryThatDoesNotExist_IsExplainedAndNotSaved()
    {
        var (field, saved, _) = Render(Q("target-markets"));

        field.Find("[id='q-target-markets-country']").Change("Atlantis");
        field.Find(".countries__add button").Click();

        Assert.Empty(saved);
        Assert.Contains("“Atlantis” is not a country we know", field.Find(".countries [role=alert]").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void AnErrorFromSaving_IsShownBesideTheField()
    {
        var (field, _, _) = Render(Q("founded"), error: "1700 is out of range");

        Assert.Contains("field--error", field.Find("[data-question='founded']").ClassName, StringComparison.Ordinal);
        Assert.Equal("Error: 1700 is out of range", field.Find(".field__error").TextContent.Trim());
    }
}
