using Portal.Domain.Content;
using Portal.Domain.Scoring;
using Portal.Tests.TestSupport;

namespace Portal.Tests.Content;

/// <summary>
/// The 14 case firms of Harris and Fletcher (A-J) and Lew et al. (A-D): the engine reaches the
/// stage, flags and top advice reasoned from what each paper reports about the firm.
/// </summary>
public sealed class PersonaGoldenTests
{
    public static TheoryData<string> PersonaIds() => [.. TestContent.Real.Personas.Select(p => p.Id)];

    [Fact]
    public void EveryCaseFirmOfThePapers_HasAPersona()
    {
        var expected = Enumerable.Range('a', 10).Select(c => $"harris-fletcher-{(char)c}")
            .Concat(Enumerable.Range('a', 4).Select(c => $"lew-{(char)c}"));

        Assert.Equal(expected.Order(), TestContent.Real.Personas.Select(p => p.Id).Order());
    }

    [Theory]
    [MemberData(nameof(PersonaIds))]
    public void Persona_ReachesTheExpectedStage(string id)
    {
        var (persona, result) = Assess(id);

        Assert.True(persona.ExpectedStage == result.Stage.Id, $"{id}: expected stage {persona.ExpectedStage}, got {result.Stage.Id}. {persona.Rationale}");
    }

    [Theory]
    [MemberData(nameof(PersonaIds))]
    public void Persona_RaisesExactlyTheExpectedFlags(string id)
    {
        var (persona, result) = Assess(id);

        // The exact set: a flag the paper does not support is as wrong as a missing one, since
        // advisors filter and triage on flags.
        var raised = result.Flags.Select(f => f.Id).ToHashSet(StringComparer.Ordinal);
        var missing = persona.ExpectedFlags.Where(f => !raised.Contains(f)).ToList();
        var unexpected = raised.Where(f => !persona.ExpectedFlags.Contains(f)).Order(StringComparer.Ordinal).ToList();
        Assert.True(missing.Count == 0 && unexpected.Count == 0,
            $"{id}: expected flags not raised: [{string.Join(", ", missing)}]; raised but not expected: [{string.Join(", ", unexpected)}]");
        Assert.Equal(persona.ExpectedFlags.Length, persona.ExpectedFlags.Distinct(StringComparer.Ordinal).Count());
    }

    [Theory]
    [MemberData(nameof(PersonaIds))]
    public void Persona_GetsTheExpectedAdviceAmongItsFirstFive(string id)
    {
        var (persona, result) = Assess(id);

        var firstFive = result.ActionPlan.Where(i => i.Audience == Audience.Owner).Take(5).Select(i => i.Advice.Id).ToList();
        var missing = persona.ExpectedTopAdvice.Where(a => !firstFive.Contains(a)).ToList();
        Assert.True(missing.Count == 0, $"{id}: expected {string.Join(", ", missing)} among the first five; got {string.Join(", ", firstFive)}");
    }

    [Theory]
    [MemberData(nameof(PersonaIds))]
    public void Persona_IsAFullAssessment(string id)
    {
        var (_, result) = Assess(id);

        Assert.All(result.Factors, f => Assert.True(f.Score is not null, $"{id}: {f.Factor.Id} has no answers"));
        Assert.NotNull(result.OverallBand);
    }

    private static (Persona Persona, AssessmentResult Result) Assess(string id)
    {
        var persona = TestContent.Real.Personas.Single(p => p.Id == id);
        return (persona, Assessor.Assess(TestContent.Real, persona.Answers));
    }
}
