using System.Text;
using System.Text.RegularExpressions;

namespace Portal.Tests.TestSupport;

public enum CorruptionVerdict
{
    /// <summary>The corruption changes what the content means in a way validation can see: loading must fail.</summary>
    MustFail,

    /// <summary>The corruption changes nothing the portal reads (a byte-order mark): loading must give the same content.</summary>
    MustLoadSame,

    /// <summary>May be valid content (a deleted option line, a flipped letter in free text): either outcome, but never a crash.</summary>
    Either,
}

/// <summary>One corruption of one file: what was done, and what the loader must make of it.</summary>
public sealed record Corruption(string Kind, string File, CorruptionVerdict Expect, string What, string? Id = null);

/// <summary>
/// Corrupts a copy of content/ in seeded ways, one file per case, and puts it back after:
/// truncation, flipped bits, deleted lines, values of the wrong type, duplicated ids, renamed
/// ids that other files refer to, invalid YAML and Liquid, byte-order marks, empty files,
/// binary junk and deleted files.
/// </summary>
public sealed partial class ContentCorruptor(ContentCopy copy)
{
    private readonly Dictionary<string, byte[]> originals = System.IO.Directory.GetFiles(copy.Directory, "*", SearchOption.AllDirectories)
        .ToDictionary(f => Path.GetRelativePath(copy.Directory, f).Replace('\\', '/'), File.ReadAllBytes, StringComparer.Ordinal);

    private readonly HashSet<string> touched = new(StringComparer.Ordinal);

    private IEnumerable<string> Files => originals.Keys.Where(f => f != "README.md").Order(StringComparer.Ordinal);

    public Corruption Apply(Random random)
    {
        var files = Files.ToList();
        var yaml = files.Where(f => f.EndsWith(".yaml", StringComparison.Ordinal)).ToList();
        return random.Next(15) switch
        {
            0 => Truncate(random, Pick(random, files)),
            1 or 2 => Flip(random, Pick(random, files)),
            3 => DeleteLines(random, Pick(random, files)),
            4 => SwapType(random, Pick(random, yaml)),
            5 => DuplicateId(random, Pick(random, yaml)),
            6 => RenameReferencedId(random),
            7 => InvalidYaml(random, Pick(random, yaml)),
            8 => InvalidLiquid(random, Pick(random, files.Where(f => f.EndsWith(".liquid", StringComparison.Ordinal)).ToList())),
            9 => ByteOrderMark(Pick(random, files)),
            10 => Write(Pick(random, files), [], "empty", CorruptionVerdict.MustFail, "emptied"),
            11 => BinaryInsert(random, Pick(random, files)),
            12 => BinaryReplace(random, Pick(random, files)),
            _ => Delete(random, Pick(random, files)),
        };
    }

    /// <summary>Puts every file corrupted since the last call back as it was.</summary>
    public void Restore()
    {
        foreach (var file in touched)
        {
            var path = copy.PathOf(file);
            if (originals.TryGetValue(file, out var bytes))
            {
                System.IO.Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                File.WriteAllBytes(path, bytes);
            }
            else
            {
                File.Delete(path);
            }
        }

        touched.Clear();
    }

    private Corruption Write(string file, byte[] bytes, string kind, CorruptionVerdict expect, string what, string? id = null)
    {
        touched.Add(file);
        File.WriteAllBytes(copy.PathOf(file), bytes);
        return new Corruption(kind, file, expect, what, id);
    }

    private Corruption WriteText(string file, string text, string kind, CorruptionVerdict expect, string what, string? id = null) =>
        Write(file, Encoding.UTF8.GetBytes(text), kind, expect, what, id);

    private string Text(string file) => Encoding.UTF8.GetString(originals[file]);

    private Corruption Truncate(Random random, string file)
    {
        var bytes = originals[file];
        var at = random.Next(bytes.Length);
        // A JSON file cut before its closing brace cannot be valid.
        var expect = file.EndsWith(".json", StringComparison.Ordinal) && bytes.AsSpan(at).IndexOfAnyExcept(" \r\n\t"u8) >= 0 ? CorruptionVerdict.MustFail : CorruptionVerdict.Either;
        return Write(file, bytes[..at], "truncate", expect, $"cut at byte {at} of {bytes.Length}");
    }

    private Corruption Flip(Random random, string file)
    {
        var bytes = (byte[])originals[file].Clone();
        var at = random.Next(bytes.Length);
        var bit = 1 << random.Next(8);
        bytes[at] ^= (byte)bit;
        // Bytes that are not UTF-8, or a control character, cannot be anyone's content.
        var damaged = !IsUtf8(bytes) || Encoding.UTF8.GetString(bytes).Any(c => char.IsControl(c) && c is not ('\n' or '\r' or '\t'));
        return Write(file, bytes, "flip", damaged ? CorruptionVerdict.MustFail : CorruptionVerdict.Either, $"byte {at} xor 0x{bit:x2} ({(char)originals[file][at]} to {(char)bytes[at]})");
    }

    private Corruption DeleteLines(Random random, string file)
    {
        var lines = Text(file).Split('\n').ToList();
        var at = random.Next(lines.Count);
        var count = Math.Min(random.Next(1, 4), lines.Count - at);
        lines.RemoveRange(at, count);
        return WriteText(file, string.Join('\n', lines), "delete lines", CorruptionVerdict.Either, $"deleted lines {at + 1} to {at + count}");
    }

    /// <summary>A text, number or true/false where the reader expects it, replaced with a list or a mapping.</summary>
    private Corruption SwapType(Random random, string file)
    {
        var lines = Text(file).Split('\n');
        var candidates = Enumerable.Range(0, lines.Length).Where(i => ScalarLine().IsMatch(lines[i])).ToList();
        if (candidates.Count == 0)
        {
            return DeleteLines(random, file);
        }

        var at = Pick(random, candidates);
        var match = ScalarLine().Match(lines[at]);
        var replacement = random.Next(3) switch { 0 => "[x, y]", 1 => "{ x: 1 }", _ => "[]" };
        lines[at] = match.Groups["head"].Value + replacement;
        return WriteText(file, string.Join('\n', lines), "swap type", CorruptionVerdict.MustFail, $"line {at + 1}: '{match.Groups["key"].Value}' made {replacement}");
    }

    /// <summary>A list entry with an id written twice, one after the other.</summary>
    private Corruption DuplicateId(Random random, string file)
    {
        var lines = Text(file).Split('\n').ToList();
        var candidates = Enumerable.Range(0, lines.Count).Where(i => IdEntry().IsMatch(lines[i])).ToList();
        if (candidates.Count == 0)
        {
            return DeleteLines(random, file);
        }

        var at = Pick(random, candidates);
        var indent = lines[at].IndexOf('-', StringComparison.Ordinal);
        var end = at + 1;
        while (end < lines.Count && (lines[end].Trim().Length == 0 || Indent(lines[end]) > indent) && !lines[end].TrimStart().StartsWith('#'))
        {
            end++;
        }

        var block = lines.GetRange(at, end - at);
        lines.InsertRange(end, block);
        return WriteText(file, string.Join('\n', lines), "duplicate id", CorruptionVerdict.MustFail, $"lines {at + 1} to {end} written twice", IdEntry().Match(lines[at]).Groups["id"].Value);
    }

    /// <summary>A source or question id that another file refers to, renamed where it is defined.</summary>
    private Corruption RenameReferencedId(Random random)
    {
        var definitions = Files.Where(f => f == "sources.yaml" || f.StartsWith("questionnaire/", StringComparison.Ordinal))
            .SelectMany(f => Text(f).Split('\n').Select((line, i) => (File: f, Line: i, Match: IdEntry().Match(line))))
            .Where(d => d.Match.Success && (d.File == "sources.yaml" || d.Match.Groups["id"].Value.Contains('.', StringComparison.Ordinal)))
            .ToList();
        var (file, line, match) = Pick(random, definitions);
        var id = match.Groups["id"].Value;
        var referenced = Files.Where(f => f != file).Any(f => Text(f).Split('\n').Any(l => !l.TrimStart().StartsWith('#') && Regex.IsMatch(l, $@"(?<![\w.-]){Regex.Escape(id)}(?![\w-])")));
        var lines = Text(file).Split('\n');
        lines[line] = lines[line].Replace(id, id + "-gone", StringComparison.Ordinal);
        return WriteText(file, string.Join('\n', lines), "rename referenced id", referenced ? CorruptionVerdict.MustFail : CorruptionVerdict.Either,
            $"line {line + 1}: '{id}' renamed{(referenced ? "" : " (referred to nowhere else)")}", id);
    }

    /// <summary>A broken line at column 0, where no block scalar can swallow it as text.</summary>
    private Corruption InvalidYaml(Random random, string file)
    {
        var lines = Text(file).TrimEnd('\n').Split('\n').ToList();
        var at = random.Next(1, lines.Count + 1);
        var junk = Pick(random, ["key: [unclosed", "- : :", "{", "key: 'unterminated", "*undefined-alias", ": no key", "\t- tab", "key: \"unterminated", "]", lines.First(l => l.Length > 0 && char.IsAsciiLetterLower(l[0]))]);
        lines.Insert(at, junk);
        return WriteText(file, string.Join('\n', lines) + "\n", "invalid YAML", CorruptionVerdict.MustFail, $"inserted at line {at + 1}: {junk.Replace("\t", "\\t", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal)}");
    }

    private Corruption InvalidLiquid(Random random, string file)
    {
        var lines = Text(file).Split('\n').ToList();
        var parts = Enumerable.Range(0, lines.Count).Where(i => lines[i].StartsWith("===", StringComparison.Ordinal)).ToList();
        var at = Pick(random, parts) + 1;
        var junk = Pick(random, ["{% if x %}", "{{ unclosed", "{% endfor %}", "{{ 'a' | no_such_filter }}", "{% for %}", "{{ 'a' | }}", "{% raw %}", "{{ no_such_variable }}", "{% unknown_tag %}", "{{ }}", "{% assign %}"]);
        lines.Insert(at, junk);
        return WriteText(file, string.Join('\n', lines), "invalid Liquid", CorruptionVerdict.MustFail, $"inserted at line {at + 1}: {junk}");
    }

    private Corruption ByteOrderMark(string file)
    {
        var bytes = originals[file];
        return bytes.AsSpan().StartsWith("\uFEFF"u8)
            ? Write(file, [0xEF, 0xBB, 0xBF, .. bytes], "two byte-order marks", CorruptionVerdict.Either, "a second mark")
            : Write(file, [0xEF, 0xBB, 0xBF, .. bytes], "byte-order mark", CorruptionVerdict.MustLoadSame, "a UTF-8 byte-order mark in front");
    }

    private Corruption BinaryInsert(Random random, string file)
    {
        var bytes = originals[file];
        var junk = new byte[random.Next(1, 32)];
        random.NextBytes(junk);
        junk[0] = 0xFF; // never part of UTF-8
        var at = random.Next(bytes.Length + 1);
        return Write(file, [.. bytes[..at], .. junk, .. bytes[at..]], "binary junk", CorruptionVerdict.MustFail, $"{junk.Length} random bytes at {at}");
    }

    private Corruption BinaryReplace(Random random, string file)
    {
        var junk = new byte[random.Next(1, 2048)];
        random.NextBytes(junk);
        junk[0] = 0xFF;
        return Write(file, junk, "binary file", CorruptionVerdict.MustFail, $"replaced by {junk.Length} random bytes");
    }

    /// <summary>
    /// The model, sources, a questionnaire section and every email template are required; an
    /// advice file another file refers to is too. A rules file or a persona may go.
    /// </summary>
    private Corruption Delete(Random random, string file)
    {
        touched.Add(file);
        File.Delete(copy.PathOf(file));
        var id = Path.GetFileNameWithoutExtension(file);
        var required = file is "model.yaml" or "sources.yaml" || file.StartsWith("questionnaire/", StringComparison.Ordinal) || file.StartsWith("emails/", StringComparison.Ordinal)
            || (file.StartsWith("advice/", StringComparison.Ordinal) && Files.Where(f => f != file).Any(f => Text(f).Contains(id, StringComparison.Ordinal)));
        return new Corruption("delete file", file, required ? CorruptionVerdict.MustFail : CorruptionVerdict.Either, "deleted", id);
    }

    private static bool IsUtf8(byte[] bytes) => System.Text.Unicode.Utf8.IsValid(bytes);

    private static int Indent(string line) => line.Length - line.TrimStart(' ').Length;

    private static T Pick<T>(Random random, IReadOnlyList<T> items) => items[random.Next(items.Count)];

    // "  key: value" with a plain value (not a list, mapping, block scalar, alias or quoted text).
    [GeneratedRegex(@"^(?<head>\s*(?:-\s+)?(?<key>[a-z][a-z-]*):\s+)(?<value>[A-Za-z0-9][^#\[\]{}]*)$")]
    private static partial Regex ScalarLine();

    // "  - id: some-id" or "- { id: some-id, ... }": an entry of a list that has an id.
    [GeneratedRegex(@"^\s*-\s+(?:\{\s*)?id:\s+(?<id>[a-z0-9][a-z0-9.-]*)")]
    private static partial Regex IdEntry();
}
