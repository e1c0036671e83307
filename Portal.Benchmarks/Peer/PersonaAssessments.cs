using System.Text.Json.Nodes;
using Portal.Domain.Content;
using Portal.Domain.Scoring;

namespace Portal.Benchmarks.Peer;

/// <summary>
/// Realistic assessments: the content's personas (case firms of the papers) in turn, each with
/// noise, so that many rules, stages and plans occur, not only those of fourteen firms.
/// </summary>
public static class PersonaAssessments
{
    /// <param name="noise">The chance that each answer is replaced by a random one (or dropped).</param>
    public static AnswerSet[] Generate(PortalContent content, int count, int seed = 9, double noise = 0.25)
    {
        if (content.Personas.Count == 0)
        {
            throw new InvalidOperationException("The content has no personas to start from.");
        }

        var random = new Random(seed);
        var assessments = new AnswerSet[count];
        for (var i = 0; i < count; i++)
        {
            var persona = content.Personas[i % content.Personas.Count];
            var year = persona.Answers.AssessmentYear ?? 2026;
            // A draw that breaks the questionnaire's own checks (a first export before the firm
            // was founded) is drawn again; the persona itself is the last resort.
            assessments[i] = Enumerable.Range(0, 20)
                .Select(_ => AnswerSet.Parse(content.Questionnaire, WithNoise(content, persona, random, noise).ToJsonString(), year).Answers)
                .FirstOrDefault(a => a is not null) ?? persona.Answers;
        }

        return assessments;
    }

    private static JsonObject WithNoise(PortalContent content, Persona persona, Random random, double noise)
    {
        var json = persona.Answers.ToJson();
        var other = SyntheticAnswers.Generate(content, random, answerRate: 0.95, dontKnowRate: 0.15);
        foreach (var q in content.Questionnaire.Questions)
        {
            if (random.NextDouble() >= noise)
            {
                continue;
            }

            var part = q.IsProfile ? "profile" : "answers";
            var section = json[part]!.AsObject();
            section.Remove(q.Id);
            if (other[part]![q.Id] is { } value)
            {
                section[q.Id] = value.DeepClone();
            }
        }

        return json;
    }
}
