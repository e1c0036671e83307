using Markdig;

namespace Portal.Domain.Content;

internal sealed partial class ContentReader
{
    private static readonly MarkdownPipeline Markdown = new MarkdownPipelineBuilder().UseAdvancedExtensions().DisableHtml().Build();

    private Dictionary<string, AdviceItem> ReadAdvice()
    {
        var advice = new Dictionary<string, AdviceItem>(StringComparer.Ordinal);
        var folder = Path.Combine(directory, "advice");
        if (!Directory.Exists(folder))
        {
            problems.Add("advice/", 0, "the folder is missing");
            return advice;
        }

        foreach (var path in Directory.GetFiles(folder, "*.md").Order(StringComparer.Ordinal))
        {
            var name = current = Relative(path);
            if (ReadText(path, name) is not { } text)
            {
                continue;
            }

            var lines = Lines(text);
            var end = lines.Length > 1 ? Array.IndexOf(lines, "---", 1) : -1;
            if (lines.Length == 0 || lines[0] != "---" || end < 0)
            {
                problems.Add(name, 1, "must start with front matter between two '---' lines");
                continue;
            }

            var front = YamlObject.Parse(string.Join('\n', lines[1..end]), name, lineOffset: 1, problems);
            if (front is null)
            {
                continue;
            }

            var id = Id(front, "id") ?? "";
            if (id.Length > 0 && Path.GetFileNameWithoutExtension(path) != id)
            {
                problems.Add(name, front.LineOf("id"), $"the file of advice '{id}' must be named {id}.md");
            }

            var factor = front.String("factor", required: true) ?? "";
            factorReferences.Add((factor, name, front.LineOf("factor")));
            var audience = front.String("audience", required: true) switch
            {
                "owner" => Audience.Owner,
                "advisor" => Audience.Advisor,
                null => Audience.Owner,
                var other => Bad(other, "audience", "owner, advisor", Audience.Owner),
            };
            var level = front.String("for-score", required: true) switch
            {
                "weak" => ScoreLevel.Weak,
                "middling" => ScoreLevel.Middling,
                "any" => ScoreLevel.Any,
                null => ScoreLevel.Any,
                var other => Bad(other, "for-score", "weak, middling, any", ScoreLevel.Any),
            };

            T Bad<T>(string value, string key, string allowed, T fallback)
            {
                problems.Add(name, front.LineOf(key), $"{key} '{value}' is not one of {allowed}");
                return fallback;
            }

            var sources = ReadSourceRefs(front, required: true);
            var title = front.String("title", required: true) ?? "";
            var summary = front.String("summary", required: true) ?? "";
            front.RejectUnknown();
            var body = string.Join('\n', lines[(end + 1)..]).Trim();
            if (body.Length == 0)
            {
                problems.Add(name, end + 2, "the advice has no body text below the front matter");
            }

            var item = new AdviceItem(id, factor, title, audience, level, summary, [.. sources], body, Markdig.Markdown.ToHtml(body, Markdown), name);
            if (!advice.TryAdd(id, item))
            {
                problems.Add(name, front.LineOf("id"), $"advice '{id}' is defined twice (also in {advice[id].File})");
            }
        }

        return advice;
    }
}
