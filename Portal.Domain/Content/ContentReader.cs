using System.Text.RegularExpressions;
using Portal.Domain.Questionnaires;
using Portal.Domain.Rules;

namespace Portal.Domain.Content;

/// <summary>
/// Reads one content folder. Every problem found is collected with its file and line; the
/// content is compiled only when there are none.
/// </summary>
internal sealed partial class ContentReader(string directory)
{
    private readonly ProblemSink problems = new();
    private readonly List<Rule> rules = [];
    private readonly List<FlagDefinition> engineFlags = [];
    private readonly List<FlagDefinition> ruleFlags = [];
    private readonly Dictionary<string, string> flagLines = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> questionLines = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> sourceLines = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> factorLines = new(StringComparer.Ordinal);

    // Where each condition was written, and who owns each condition tree (for messages).
    private readonly Dictionary<Condition, (string File, int Line)> conditionLocations = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<Condition, (string Owner, string File, int Line)> conditionOwners = new(ReferenceEqualityComparer.Instance);

    // References checked once everything is read.
    private readonly List<(string Id, string File, int Line)> sourceReferences = [];
    private readonly List<(string Id, string File, int Line, string Where)> adviceReferences = [];
    private readonly List<(string Id, string File, int Line, string Rule)> followUpReferences = [];
    private readonly List<(string Id, string File, int Line, string Where)> bandReferences = [];
    private readonly List<(string Id, string File, int Line)> flagReferences = [];
    private readonly List<(string Id, string File, int Line)> factorReferences = [];
    private readonly List<(string Target, string File, int Line)> capTargets = [];
    private readonly List<(string Id, string File, int Line)> stageEffects = [];

    public ContentLoadResult Read()
    {
        if (!Directory.Exists(directory))
        {
            problems.Add(directory, 0, "the content folder does not exist");
            return new ContentLoadResult(null, problems.Problems);
        }

        var sources = Guard("sources.yaml", ReadSources) ?? [];
        var model = Guard("model.yaml", ReadModel);
        var sections = Guard("questionnaire/", () => ReadSections(model)) ?? [];
        var advice = Guard("advice/", ReadAdvice) ?? [];
        Guard("rules/", () => { ReadRules(); return true; });
        var emails = Guard("emails/", ReadEmailTemplates) ?? [];
        Guard("emails/", () => { CheckEmailTemplates(emails); return true; });

        if (model is null)
        {
            return new ContentLoadResult(null, problems.Problems);
        }

        var questionnaire = new Questionnaire(sections);
        var flags = engineFlags.Concat(ruleFlags).Select((f, i) => f with { Index = i }).ToList();
        var ordered = Check(model, questionnaire, flags, advice, sources);
        if (problems.HasProblems || ordered is null)
        {
            return new ContentLoadResult(null, problems.Problems);
        }

        var content = new PortalContent(model, questionnaire, ordered, flags, advice, sources, emails);
        content.Personas = Guard("personas/", () => ReadPersonas(content)) ?? [];
        return problems.HasProblems
            ? new ContentLoadResult(null, problems.Problems)
            : new ContentLoadResult(content, []);
    }

    /// <summary>
    /// The readers report what they find as problems; anything they did not foresee still
    /// becomes a problem naming the file (or folder), never a crash of the portal's start.
    /// </summary>
    private T? Guard<T>(string where, Func<T> read)
    {
        try
        {
            return read();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            problems.Add(current ?? where, 0, $"could not be read: {e.Message}");
            return default;
        }
    }

    /// <summary>The file being read, for problems the readers did not foresee.</summary>
    private string? current;

    private YamlObject? Load(string name)
    {
        current = name;
        var path = Path.Combine(directory, name);
        if (!File.Exists(path))
        {
            problems.Add(name, 0, "the file is missing");
            return null;
        }

        return ReadYaml(path, name);
    }

    private YamlObject? ReadYaml(string path, string name) =>
        ReadText(path, name) is { } text ? YamlObject.Parse(text, name, lineOffset: 0, problems) : null;

    /// <summary>
    /// A content file as text. Bytes that are not UTF-8 and control characters mean a damaged
    /// or binary file: read leniently they would become "\uFFFD" or invisible characters in the
    /// portal's pages and emails, which no check after this could tell from the author's text.
    /// </summary>
    private string? ReadText(string path, string name)
    {
        var bytes = File.ReadAllBytes(path);
        var start = bytes.AsSpan().StartsWith("\uFEFF"u8) ? 3 : 0; // a byte-order mark some editors write
        var chars = new char[bytes.Length];
        if (System.Text.Unicode.Utf8.ToUtf16(bytes.AsSpan(start), chars, out var read, out var written, replaceInvalidSequences: false) != System.Buffers.OperationStatus.Done)
        {
            problems.Add(name, bytes.AsSpan(0, start + read).Count((byte)'\n') + 1, "is not UTF-8 text (a damaged or binary file?): save it as UTF-8");
            return null;
        }

        var text = new string(chars, 0, written);
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsControl(text[i]) && text[i] is not ('\n' or '\r' or '\t'))
            {
                problems.Add(name, text.AsSpan(0, i).Count('\n') + 1, $"contains the control character U+{(int)text[i]:X4}, which no content needs (a damaged file?)");
                return null;
            }
        }

        return text;
    }

    /// <summary>The lines of a text, as File.ReadAllLines gives them.</summary>
    private static string[] Lines(string text)
    {
        var lines = text.Split('\n');
        if (lines.Length > 0 && lines[^1].Length == 0)
        {
            lines = lines[..^1];
        }

        return [.. lines.Select(l => l.TrimEnd('\r'))];
    }

    private string Relative(string path) => Path.GetRelativePath(directory, path).Replace('\\', '/');

    private IReadOnlyList<SourceRef> ReadSourceRefs(YamlObject o, bool required)
    {
        var refs = new List<SourceRef>();
        foreach (var key in new[] { "source", "sources" })
        {
            foreach (var s in o.Objects(key))
            {
                var id = s.String("id", required: true) ?? "";
                refs.Add(new SourceRef(id, s.String("section")));
                sourceReferences.Add((id, s.File, s.Line));
                s.RejectUnknown();
            }
        }

        if (required && refs.Count == 0)
        {
            o.Problem("'source' is missing: cite the paper and section this rests on");
        }

        return refs;
    }

    /// <summary>A required id: lower-case words joined by hyphens.</summary>
    private static string? Id(YamlObject o, string key)
    {
        var id = o.String(key, required: true);
        if (id is not null && !IsId(id))
        {
            o.Problem($"'{key}: {id}' must be lower-case letters and digits joined by hyphens");
        }

        return id;
    }

    private static bool IsId(string id) => IdPattern().IsMatch(id);

    [GeneratedRegex("^[a-z0-9]+(-[a-z0-9]+)*$")]
    private static partial Regex IdPattern();
}

/// <summary>The outcome of loading a content folder: the content, or every problem found.</summary>
public sealed record ContentLoadResult(PortalContent? Content, IReadOnlyList<ContentProblem> Problems)
{
    public bool Succeeded => Content is not null;
}
