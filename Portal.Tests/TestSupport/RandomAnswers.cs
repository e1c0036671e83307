using System.Text.Json.Nodes;
using Portal.Domain.Content;
using Portal.Domain.Questionnaires;

namespace Portal.Tests.TestSupport;

/// <summary>Generates answer sets for property tests: seeded, so a failure names the seed that reproduces it.</summary>
public static class RandomAnswers
{
    public static Answers Generate(PortalContent content, int seed, double answerRate = 0.85, double dontKnowRate = 0.1)
    {
        var random = new Random(seed);
        var answers = Answers.For(content);
        foreach (var q in content.Questionnaire.Questions)
        {
            if (random.NextDouble() > answerRate)
            {
                continue;
            }

            if (q.OffersDontKnow && random.NextDouble() < dontKnowRate)
            {
                answers.DontKnow(q.Id);
                continue;
            }

            answers.Best(q); // a valid value to start from, replaced below
            switch (q.Kind)
            {
                case QuestionKind.Single:
                    answers.Set(q.Id, q.Options[random.Next(q.Options.Count)].Id);
                    break;
                case QuestionKind.Multiple:
                    var exclusive = q.Options.Where(o => o.Exclusive).ToList();
                    if (exclusive.Count > 0 && random.NextDouble() < 0.15)
                    {
                        answers.Choose(q.Id, exclusive[0].Id);
                    }
                    else
                    {
                        var chosen = q.Options.Where(o => !o.Exclusive && random.NextDouble() < 0.4).Select(o => o.Id).ToArray();
                        answers.Choose(q.Id, chosen);
                    }

                    break;
                case QuestionKind.Scale:
                    answers.Set(q.Id, random.Next(1, 6));
                    break;
                case QuestionKind.Number:
                    var range = q.Number!;
                    var value = range.Min + random.NextDouble() * Math.Min(range.Max - range.Min, 300);
                    answers.Set(q.Id, range.Integer ? Math.Floor(value) : Math.Round(value, 2));
                    break;
                case QuestionKind.Countries:
                    var count = random.Next(0, Math.Min(q.MaxCountries ?? 12, 12) + 1);
                    answers.Countries(q.Id, Countries.Names.Keys.OrderBy(_ => random.Next()).Take(count).ToArray());
                    break;
            }
        }

        return answers;
    }

    /// <summary>The JSON values of every answer a question can take that earns a given number of points or more.</summary>
    public static IEnumerable<(JsonNode? Value, double Points)> ScoredValues(Question q) => q.Kind switch
    {
        QuestionKind.Single => q.Options.Select(o => ((JsonNode?)o.Id, o.Points)),
        QuestionKind.Scale => Enumerable.Range(1, 5).Select(v => ((JsonNode?)v, (double)v - 1)),
        _ => [],
    };
}
