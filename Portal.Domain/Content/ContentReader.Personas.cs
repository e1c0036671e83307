using System.Collections.Immutable;
using System.Text.Json;
using Portal.Domain.Scoring;

namespace Portal.Domain.Content;

internal sealed partial class ContentReader
{
    private static readonly string[] PersonaFields = ["id", "name", "source", "rationale", "expected", "assessment-year", "profile", "answers"];

    private List<Persona> ReadPersonas(PortalContent content)
    {
        var personas = new List<Persona>();
        var folder = Path.Combine(directory, "personas");
        if (!Directory.Exists(folder))
        {
            return personas;
        }

        foreach (var path in Directory.GetFiles(folder, "*.json").Order(StringComparer.Ordinal))
        {
            var name = current = Relative(path);
            if (ReadText(path, name) is not { } text)
            {
                continue;
            }

            int LineOf(string key)
            {
                var at = text.IndexOf($"\"{key}\"", StringComparison.Ordinal);
                return at < 0 ? 1 : text.AsSpan(0, at).Count('\n') + 1;
            }

            JsonDocument document;
            try
            {
                document = JsonDocument.Parse(text);
            }
            catch (JsonException e)
            {
                problems.Add(name, (int)(e.LineNumber ?? 0) + 1, $"is not valid JSON: {e.Message}");
                continue;
            }

            using (document)
            {
                var root = document.RootElement;
                if (root.ValueKind != JsonValueKind.Object)
                {
                    problems.Add(name, 1, "must be a JSON object with id, name, source, rationale, expected, profile and answers");
                    continue;
                }

                string Text(string key)
                {
                    if (root.TryGetProperty(key, out var value) && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } s)
                    {
                        return s;
                    }

                    problems.Add(name, LineOf(key), $"'{key}' is missing or not a text value");
                    return "";
                }

                foreach (var property in root.EnumerateObject().Where(p => !PersonaFields.Contains(p.Name)))
                {
                    problems.Add(name, LineOf(property.Name), $"unknown field '{property.Name}'");
                }

                var id = Text("id");
                if (id != Path.GetFileNameWithoutExtension(path))
                {
                    problems.Add(name, LineOf("id"), $"the file of persona '{id}' must be named {id}.json");
                }

                var source = new SourceRef("", null);
                if (root.TryGetProperty("source", out var s) && s.ValueKind == JsonValueKind.Object
                    && s.TryGetProperty("id", out var sourceId) && sourceId.ValueKind == JsonValueKind.String && sourceId.GetString() is { } sid)
                {
                    source = new SourceRef(sid, s.TryGetProperty("section", out var section) && section.ValueKind == JsonValueKind.String ? section.GetString() : null);
                    if (!content.Sources.ContainsKey(sid))
                    {
                        problems.Add(name, LineOf("source"), $"source '{sid}' is not listed in sources.yaml");
                    }
                }
                else
                {
                    problems.Add(name, LineOf("source"), "'source' must be { \"id\": ..., \"section\": ... }");
                }

                int? year = null;
                if (root.TryGetProperty("assessment-year", out var y))
                {
                    if (y.ValueKind == JsonValueKind.Number && y.TryGetInt32(out var yv))
                    {
                        year = yv;
                    }
                    else
                    {
                        problems.Add(name, LineOf("assessment-year"), "'assessment-year' must be a whole number, such as 2005");
                    }
                }

                var parsed = AnswerSet.Parse(content.Questionnaire, root, year);
                foreach (var problem in parsed.Problems)
                {
                    var key = problem.Path.Split('.', 2) is [_, var question] ? question.Split('[')[0] : problem.Path;
                    problems.Add(name, LineOf(key), $"{problem.Path}: {problem.Message}");
                }

                string expectedStage = "";
                ImmutableArray<string> expectedFlags = [], expectedAdvice = [];
                if (root.TryGetProperty("expected", out var expected) && expected.ValueKind == JsonValueKind.Object)
                {
                    expectedStage = expected.TryGetProperty("stage", out var st) && st.ValueKind == JsonValueKind.String ? st.GetString() ?? "" : "";
                    expectedFlags = Strings(expected, "flags");
                    expectedAdvice = Strings(expected, "top-advice");
                    if (content.Model.Stages.All(x => x.Id != expectedStage))
                    {
                        problems.Add(name, LineOf("stage"), $"expected stage '{expectedStage}' is not a stage of model.yaml");
                    }

                    foreach (var flag in expectedFlags.Where(f => content.FindFlag(f) is null))
                    {
                        problems.Add(name, LineOf(flag), $"expected flag '{flag}' is not declared");
                    }

                    foreach (var advice in expectedAdvice.Where(a => !content.Advice.ContainsKey(a)))
                    {
                        problems.Add(name, LineOf(advice), $"expected advice '{advice}' does not exist");
                    }
                }
                else
                {
                    problems.Add(name, LineOf("expected"), "'expected' must give the stage, flags and top-advice we expect");
                }

                if (parsed.Answers is { } answers)
                {
                    personas.Add(new Persona(id, Text("name"), source, Text("rationale"), expectedStage, expectedFlags, expectedAdvice, answers, name));
                }
            }
        }

        return personas;

        static ImmutableArray<string> Strings(JsonElement parent, string key) =>
            parent.TryGetProperty(key, out var list) && list.ValueKind == JsonValueKind.Array
                ? [.. list.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()!)]
                : [];
    }
}
