using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Portal.Domain.Content;

/// <summary>
/// A YAML mapping read field by field, remembering lines for error messages. Fields never
/// read are reported as unknown (a misspelt key must not be silently ignored).
/// </summary>
internal sealed class YamlObject
{
    private readonly YamlMappingNode node;
    private readonly HashSet<string> read = [];
    private readonly int lineOffset;

    public YamlObject(YamlMappingNode node, string file, ProblemSink problems, int lineOffset = 0)
    {
        this.node = node;
        File = file;
        Problems = problems;
        this.lineOffset = lineOffset;
    }

    public string File { get; }

    public ProblemSink Problems { get; }

    public int Line => LineOf(node);

    /// <summary>The line of a node in the file (front matter starts below the first line).</summary>
    public int LineOf(YamlNode at) => (int)at.Start.Line + lineOffset;

    public void Problem(string message) => Problems.Add(File, Line, message);

    public void Problem(YamlNode at, string message) => Problems.Add(File, LineOf(at), message);

    public bool Has(string key) => Find(key) is not null;

    public YamlNode? Node(string key)
    {
        read.Add(key);
        return Find(key);
    }

    /// <summary>The line of the key (not its value, which may start on the next line).</summary>
    public int LineOf(string key) => node.Children.Keys.FirstOrDefault(k => k is YamlScalarNode { Value: var v } && v == key) is { } k ? LineOf(k) : Line;

    public string? String(string key, bool required = false)
    {
        var value = Node(key);
        if (value is null)
        {
            if (required)
            {
                Problem($"'{key}' is missing");
            }

            return null;
        }

        if (value is YamlScalarNode scalar && !string.IsNullOrWhiteSpace(scalar.Value))
        {
            return scalar.Value!.Trim();
        }

        if (required || value is not YamlScalarNode)
        {
            Problem(value, $"'{key}' must be a text value");
        }

        return null;
    }

    public double? Number(string key, bool required = false)
    {
        var value = Node(key);
        if (value is null)
        {
            if (required)
            {
                Problem($"'{key}' is missing");
            }

            return null;
        }

        if (value is YamlScalarNode { Value: { } text } && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number)
            && double.IsFinite(number))
        {
            return number;
        }

        Problem(value, $"'{key}' must be a number (NaN and infinity are not)");
        return null;
    }

    public bool? Bool(string key)
    {
        var value = Node(key);
        if (value is null)
        {
            return null;
        }

        if (value is YamlScalarNode { Value: { } text } && bool.TryParse(text, out var flag))
        {
            return flag;
        }

        Problem(value, $"'{key}' must be true or false");
        return null;
    }

    public YamlObject? Object(string key, bool required = false)
    {
        var value = Node(key);
        if (value is null)
        {
            if (required)
            {
                Problem($"'{key}' is missing");
            }

            return null;
        }

        if (value is YamlMappingNode map)
        {
            return new YamlObject(map, File, Problems, lineOffset);
        }

        Problem(value, $"'{key}' must be a mapping (key: value lines)");
        return null;
    }

    /// <summary>A list of mappings; a single mapping is accepted as a list of one.</summary>
    public IReadOnlyList<YamlObject> Objects(string key, bool required = false)
    {
        var value = Node(key);
        if (value is null)
        {
            if (required)
            {
                Problem($"'{key}' is missing");
            }

            return [];
        }

        return value switch
        {
            YamlMappingNode map => [new YamlObject(map, File, Problems, lineOffset)],
            YamlSequenceNode list => list.Children.Select(child =>
            {
                if (child is YamlMappingNode m)
                {
                    return new YamlObject(m, File, Problems, lineOffset);
                }

                Problem(child, $"each entry of '{key}' must be a mapping (key: value lines)");
                return null;
            }).OfType<YamlObject>().ToList(),
            _ => Fail(value, $"'{key}' must be a list"),
        };

        IReadOnlyList<YamlObject> Fail(YamlNode at, string message)
        {
            Problem(at, message);
            return [];
        }
    }

    /// <summary>A list of text values; a single value is accepted as a list of one.</summary>
    public IReadOnlyList<string> Strings(string key)
    {
        var value = Node(key);
        switch (value)
        {
            case null:
                return [];
            case YamlScalarNode { Value: { } single } when !string.IsNullOrWhiteSpace(single):
                return [single.Trim()];
            case YamlSequenceNode list:
                var items = new List<string>();
                foreach (var child in list.Children)
                {
                    if (child is YamlScalarNode { Value: { } text } && !string.IsNullOrWhiteSpace(text))
                    {
                        items.Add(text.Trim());
                    }
                    else
                    {
                        Problem(child, $"each entry of '{key}' must be a text value");
                    }
                }

                return items;
            default:
                Problem(value, $"'{key}' must be a text value or a list of them");
                return [];
        }
    }

    public IEnumerable<string> Keys => node.Children.Keys.OfType<YamlScalarNode>().Select(k => k.Value ?? "");

    /// <summary>Reports keys that no reader asked for, suggesting the closest known key.</summary>
    public void RejectUnknown(params string[] known)
    {
        foreach (var (key, _) in node.Children)
        {
            var name = (key as YamlScalarNode)?.Value ?? "";
            if (read.Contains(name) || known.Contains(name))
            {
                continue;
            }

            var candidates = read.Concat(known).Distinct().ToList();
            var suggestion = candidates.OrderBy(c => Distance(c, name)).FirstOrDefault();
            var hint = suggestion is not null && Distance(suggestion, name) <= 3 ? $" (did you mean '{suggestion}'?)" : "";
            Problems.Add(File, LineOf(key), $"unknown field '{name}'{hint}");
        }
    }

    /// <summary>Parses a YAML file; syntax errors become problems with their line.</summary>
    public static YamlObject? Load(string path, string relativeName, ProblemSink problems)
    {
        var stream = new YamlStream();
        try
        {
            using var reader = new StreamReader(path);
            stream.Load(reader);
        }
        catch (YamlException e)
        {
            problems.Add(relativeName, (int)e.Start.Line, $"is not valid YAML: {Shorten(e.Message)}");
            return null;
        }
        catch (InvalidOperationException e)
        {
            problems.Add(relativeName, 0, $"is not valid YAML: {e.Message}");
            return null;
        }

        return FromStream(stream, relativeName, problems);
    }

    public static YamlObject? Parse(string text, string relativeName, int lineOffset, ProblemSink problems)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException e)
        {
            problems.Add(relativeName, (int)e.Start.Line + lineOffset, $"is not valid YAML: {Shorten(e.Message)}");
            return null;
        }
        catch (InvalidOperationException)
        {
            // YamlDotNet's own state error carries no position ("Operation is not valid due to
            // the current state of the object"): find where its parser stops making sense.
            problems.Add(relativeName, LineWhereParsingStops(text) + lineOffset, "is not valid YAML: the structure breaks off near here (an unclosed bracket or brace?)");
            return null;
        }

        return FromStream(stream, relativeName, problems, lineOffset);
    }

    private static int LineWhereParsingStops(string text)
    {
        var parser = new Parser(new StringReader(text));
        var line = 1;
        try
        {
            while (parser.MoveNext())
            {
                line = (int)parser.Current!.Start.Line;
            }
        }
        catch (Exception e) when (e is YamlException or InvalidOperationException)
        {
            return e is YamlException y ? (int)y.Start.Line : line;
        }

        return line;
    }

    private static YamlObject? FromStream(YamlStream stream, string relativeName, ProblemSink problems, int lineOffset = 0)
    {
        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            problems.Add(relativeName, 1, "must contain a YAML mapping (key: value lines)");
            return null;
        }

        return new YamlObject(root, relativeName, problems, lineOffset);
    }

    private static string Shorten(string message)
    {
        // YamlDotNet prefixes "(Line: 3, Col: 5, Idx: 20) - (Line: ...): "; the line is reported separately.
        var index = message.IndexOf("): ", StringComparison.Ordinal);
        return index >= 0 ? message[(index + 3)..] : message;
    }

    private static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++) d[i, 0] = i;
        for (var j = 0; j <= b.Length; j++) d[0, j] = j;
        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            }
        }

        return d[a.Length, b.Length];
    }

    private YamlNode? Find(string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var value) ? value : null;
}
