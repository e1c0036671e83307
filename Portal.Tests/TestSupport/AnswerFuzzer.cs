using System.Globalization;
using System.Text;
using System.Text.Json;
using Portal.Domain.Content;
using Portal.Domain.Questionnaires;

namespace Portal.Tests.TestSupport;

public enum FuzzTarget
{
    /// <summary>POST /api/v1/score: {"profile": {...}, "answers": {...}}; "{}" and a null group are fine.</summary>
    ScoreApi,

    /// <summary>POST /api/v1/assessment/answers: {"answers": {...}} with profile questions among them.</summary>
    AnswersApi,
}

/// <summary>One answer as sent: the id (perhaps no question's), its JSON text, and whether it is a fit value.</summary>
public sealed record FuzzEntry(string Id, string Json, bool Valid, string Why);

/// <summary>
/// One generated request. <see cref="ExpectAccepted"/> is the generator's own judgement, made
/// without the portal's parser: a well-formed body of fit values only, sent as JSON.
/// </summary>
public sealed record FuzzInput(int Seed, int Index, string Kind, byte[] Body, string? ContentType, bool ExpectAccepted, IReadOnlyList<FuzzEntry> Entries)
{
    /// <summary>What to paste into a bug report: the seed and index replay it; the body shown escaped and cut.</summary>
    public string Replay
    {
        get
        {
            var text = Encoding.UTF8.GetString(Body);
            var shown = new StringBuilder();
            foreach (var c in text.Length > 400 ? text[..400] : text)
            {
                shown.Append(c is < ' ' or > '~' ? $"\\u{(int)c:x4}" : c.ToString());
            }

            return $"seed {Seed}, input {Index} ({Kind}, {Body.Length} bytes, Content-Type: {ContentType ?? "none"}, expected {(ExpectAccepted ? "accepted" : "refused")}): {shown}{(text.Length > 400 ? "..." : "")}";
        }
    }
}

/// <summary>
/// Generates bad (and some good) answer bodies from the real questionnaire: wrong types for
/// every kind of question, out-of-range and huge numbers, huge strings, deep nesting, unknown
/// ids, duplicate keys, nulls, invalid UTF-8, lone surrogates, byte-order marks, NaN tokens,
/// empty bodies and wrong content types. Input i of seed s is always the same bytes.
/// </summary>
public sealed class AnswerFuzzer(PortalContent content, FuzzTarget target, int seed, int currentYear)
{
    private readonly IReadOnlyList<Question> questions = content.Questionnaire.Questions;
    private readonly string[] codes = [.. Countries.Names.Keys.Order(StringComparer.Ordinal)];

    public int Seed => seed;

    public FuzzInput Input(int index)
    {
        var random = Rng(index);
        var roll = random.Next(100);
        return roll switch
        {
            < 50 => AnswersBody(random, index),
            < 66 => Structure(random, index),
            < 80 => Bytes(random, index),
            < 88 => ContentTypes(random, index),
            < 95 => Huge(random, index),
            _ => Deep(random, index),
        };
    }

    /// <summary>Answers for the service's one-at-a-time path (the questionnaire pages): an id and a JSON value.</summary>
    public FuzzEntry Entry(int index)
    {
        var random = Rng(index);
        return random.Next(10) switch
        {
            0 => UnknownId(random),
            < 6 => Valid(random, Pick(random, questions)),
            _ => Invalid(random, Pick(random, questions)),
        };
    }

    /// <summary>
    /// A firm name as a browser could send it (the input's maxlength is only a hint) and whether
    /// the portal should keep it: 1 to 200 characters once trimmed, no control characters, and
    /// well-formed text (a lone surrogate would be stored as a replacement character).
    /// </summary>
    public (string Name, bool Valid) FirmName(int index)
    {
        var random = Rng(index);
        string[] pieces = ["Acme", " ", "Ltd", "\u00e9", "\u4e2d\u6587", "\ud83d\ude80", "-", "&", "<b>", "'", "\"", "\\", "{{ x }}", "=cmd|' /C calc'!A0",
            "\u200b", "\u202e", "\u3000", "\t", "\n", "\r", "\u0000", "\u0007", "\u007f", "\u0085", "\ud800", "\udfff", "\ufeff", "\uffff"];
        var name = random.Next(12) switch
        {
            0 => "",
            1 => new string(' ', random.Next(1, 20)),
            2 => new string('n', random.Next(190, 210)),
            3 => new string('w', random.Next(1_000, 40_000)),
            4 => "  " + new string('t', 200) + "  ",
            _ => string.Concat(Enumerable.Range(0, random.Next(1, 12)).Select(_ => random.Next(3) == 0 ? pieces[random.Next(pieces.Length)] : pieces[random.Next(4)])),
        };
        var trimmed = name.Trim();
        var valid = trimmed.Length is > 0 and <= 200 && !trimmed.Any(char.IsControl) && IsWellFormed(trimmed);
        return (name, valid);
    }

    private Random Rng(int index) => new(unchecked((seed * 1_000_003) + index));

    private static bool IsWellFormed(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(text[i]))
            {
                return false;
            }
        }

        return true;
    }

    private FuzzInput Make(int index, string kind, string body, bool accepted, IReadOnlyList<FuzzEntry> entries, string? contentType = "application/json") =>
        new(seed, index, kind, Encoding.UTF8.GetBytes(body), contentType, accepted, entries);

    private FuzzInput AnswersBody(Random random, int index)
    {
        var allValid = random.Next(3) == 0;
        var entries = new List<FuzzEntry>();
        var count = random.Next(1, 9);
        var used = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < count; i++)
        {
            var question = Pick(random, questions);
            if (!used.Add(question.Id))
            {
                continue;
            }

            entries.Add(allValid || random.Next(10) < 7 ? Valid(random, question) : random.Next(8) == 0 ? UnknownId(random) : Invalid(random, question));
        }

        var kind = "answers";
        if (!allValid && random.Next(8) == 0 && entries.Count > 0)
        {
            // The same question twice: a JSON reader keeps one of them, so the client cannot know which.
            var twice = entries[random.Next(entries.Count)];
            var question = content.Questionnaire.Find(twice.Id);
            var again = question is null ? twice : Valid(random, question);
            entries.Add(again with { Valid = false, Why = "given twice" });
            kind = "answers-duplicate";
        }

        var escape = !allValid && random.Next(10) == 0;
        if (escape)
        {
            kind += "-escaped-keys"; // a real id written with \u escapes is the same id
        }

        var body = Body(random, entries, escape);
        return Make(index, kind, body, entries.All(e => e.Valid), entries);
    }

    /// <summary>The body of the target API; with the score API, a profile question in the wrong group is a problem.</summary>
    private string Body(Random random, List<FuzzEntry> entries, bool escapeKeys = false)
    {
        string Key(string id) => escapeKeys && id.Length > 0
            ? "\"" + string.Concat(id.Select(c => random.Next(3) == 0 ? $"\\u{(int)c:x4}" : Escape(c.ToString()))) + "\""
            : Quote(id);
        string Members(IEnumerable<FuzzEntry> group) => string.Join(", ", group.Select(e => $"{Key(e.Id)}: {e.Json}"));

        if (target == FuzzTarget.AnswersApi)
        {
            return $"{{\"answers\": {{{Members(entries)}}}}}";
        }

        var profile = new List<FuzzEntry>();
        var answers = new List<FuzzEntry>();
        for (var i = 0; i < entries.Count; i++)
        {
            var question = content.Questionnaire.Find(entries[i].Id);
            var isProfile = question?.IsProfile ?? random.Next(2) == 0;
            if (question is not null && random.Next(25) == 0)
            {
                entries[i] = entries[i] with { Valid = false, Why = "in the wrong group" };
                isProfile = !isProfile;
            }

            (isProfile ? profile : answers).Add(entries[i]);
        }

        return random.Next(2) == 0
            ? $"{{\"profile\": {{{Members(profile)}}}, \"answers\": {{{Members(answers)}}}}}"
            : $"{{\"answers\": {{{Members(answers)}}}, \"profile\": {{{Members(profile)}}}}}";
    }

    private FuzzEntry Valid(Random random, Question q)
    {
        if (q.OffersDontKnow && random.Next(8) == 0)
        {
            return new(q.Id, Quote(Question.DontKnow), true, "don't know");
        }

        if (random.Next(15) == 0)
        {
            return new(q.Id, "null", true, "null clears");
        }

        switch (q.Kind)
        {
            case QuestionKind.Single:
                return new(q.Id, Quote(Pick(random, q.Options).Id), true, "an option");
            case QuestionKind.Multiple:
                var exclusive = q.Options.Where(o => o.Exclusive).ToList();
                if (exclusive.Count > 0 && random.Next(5) == 0)
                {
                    return new(q.Id, $"[{Quote(Pick(random, exclusive).Id)}]", true, "an exclusive option alone");
                }

                var others = q.Options.Where(o => !o.Exclusive).OrderBy(_ => random.Next()).Take(random.Next(1, q.Options.Count(o => !o.Exclusive) + 1));
                return new(q.Id, $"[{string.Join(", ", others.Select(o => Quote(o.Id)))}]", true, "some options");
            case QuestionKind.Scale:
                var scale = random.Next(1, 6);
                return new(q.Id, random.Next(6) switch { 0 => $"{scale}.0", 1 => $"{scale}e0", _ => scale.ToString(CultureInfo.InvariantCulture) }, true, "1 to 5");
            case QuestionKind.Number:
                return new(q.Id, Number(ValidNumber(random, q)), true, "in range");
            case QuestionKind.Countries:
                var most = Math.Min(q.MaxCountries ?? 6, 6);
                var chosen = codes.OrderBy(_ => random.Next()).Take(random.Next(1, most + 1))
                    .Select(c => random.Next(5) == 0 ? c.ToLowerInvariant() : c);
                return new(q.Id, $"[{string.Join(", ", chosen.Select(Quote))}]", true, "country codes");
            default:
                throw new InvalidOperationException($"No valid value for {q.Kind}");
        }
    }

    /// <summary>
    /// A number the question takes. Years are kept apart (founded up to 1900, other years from
    /// 1950 to this year) so that no two fit answers contradict each other.
    /// </summary>
    private double ValidNumber(Random random, Question q)
    {
        var range = q.Number!;
        if (range.Unit == "year")
        {
            return q.Id == Portal.Domain.Rules.DerivedFields.FoundedQuestion
                ? random.Next((int)range.Min, 1901)
                : random.Next(1950, currentYear + 1);
        }

        var value = random.Next(4) switch
        {
            0 => range.Min,
            1 => range.Max,
            _ => range.Min + (random.NextDouble() * Math.Min(range.Max - range.Min, 1000)),
        };
        return range.Integer ? Math.Floor(value) : Math.Round(value, 2);
    }

    private FuzzEntry Invalid(Random random, Question q)
    {
        var first = q.Options.Count > 0 ? q.Options[0].Id : "";
        (string, string)[] kindSpecific = q.Kind switch
        {
            QuestionKind.Single =>
            [
                ("\"zz-not-an-option\"", "not an option"),
                (Quote(first == first.ToUpperInvariant() ? first + "-x" : first.ToUpperInvariant()), "an option in capitals"),
                (Quote(first + " "), "an option with a space"),
                ($"[{Quote(first)}]", "an option in a list"),
                ("\"\"", "empty text"),
            ],
            QuestionKind.Multiple =>
            [
                (Quote(first), "one option, not a list"),
                ($"[{Quote(first)}, {Quote(first)}]", "an option twice"),
                ("[\"zz-nope\"]", "not an option"),
                ("[1]", "a number in the list"),
                ("[null]", "null in the list"),
                ($"[{string.Join(",", Enumerable.Repeat(Quote(first), 301))}]", "301 entries"),
                .. ExclusiveWithAnother(q),
            ],
            QuestionKind.Scale =>
            [
                ("0", "below 1"), ("6", "above 5"), ("2.5", "not whole"), ("-1", "negative"), ("\"3\"", "a number as text"), ("1e308", "huge"), ("1e400", "beyond double"),
            ],
            QuestionKind.Number => NumberProblems(q),
            QuestionKind.Countries =>
            [
                ("\"DE\"", "a code, not a list"), ("[\"ZZ\"]", "no such country"), ("[\"DE\", \"de\"]", "a country twice"), ("[\"\"]", "empty code"),
                ("[\"D\"]", "one letter"), ("[1]", "a number"), ("[\"DEU\"]", "three letters"),
                .. TooManyCountries(q),
            ],
            _ => throw new InvalidOperationException($"No invalid value for {q.Kind}"),
        };
        var anyKind = new List<(string, string)>
        {
            ("true", "a boolean"), ("{}", "an object"), ("{\"a\": 1}", "an object"), ("\"\\ud800\"", "a lone surrogate"), ("\"\\udc00x\"", "a lone low surrogate"),
            ($"\"{new string('x', random.Next(1000, 5000))}\"", "a long text"),
        };
        if (q.Kind is not (QuestionKind.Multiple or QuestionKind.Countries))
        {
            anyKind.Add(("[]", "an empty list"));
        }

        if (q.Kind is not (QuestionKind.Scale or QuestionKind.Number))
        {
            anyKind.Add(("12", "a number"));
        }

        if (!q.OffersDontKnow)
        {
            anyKind.Add((Quote(Question.DontKnow), "don't know, not offered"));
        }

        var (json, why) = random.Next(3) == 0 ? Pick(random, anyKind) : Pick(random, kindSpecific);
        return new(q.Id, json, false, why);
    }

    private static IEnumerable<(string, string)> ExclusiveWithAnother(Question q) =>
        q.Options.FirstOrDefault(o => o.Exclusive) is { } only && q.Options.FirstOrDefault(o => !o.Exclusive) is { } other
            ? [($"[{Quote(only.Id)}, {Quote(other.Id)}]", "an exclusive option with another")]
            : [];

    private IEnumerable<(string, string)> TooManyCountries(Question q) =>
        q.MaxCountries is { } max ? [($"[{string.Join(", ", codes.Take(max + 1).Select(Quote))}]", "too many countries")] : [];

    private (string, string)[] NumberProblems(Question q)
    {
        var range = q.Number!;
        var list = new List<(string, string)>
        {
            (Number(range.Min - 1), "below the range"), (Number(range.Max + 1), "above the range"), ("\"12\"", "a number as text"),
            ("1e400", "beyond double"), ("-1e308", "hugely negative"), ($"1{new string('0', 400)}", "400 digits"),
        };
        if (range.Integer)
        {
            list.Add((Number(Math.Floor(range.Min) + 0.5), "not whole"));
        }

        if (range.Unit == "year" && currentYear < range.Max)
        {
            list.Add((Number(currentYear + 1), "in the future"));
        }

        return [.. list];
    }

    private FuzzEntry UnknownId(Random random)
    {
        var real = Pick(random, questions).Id;
        var id = random.Next(10) switch
        {
            0 => "",
            1 => " ",
            2 => real.ToUpperInvariant(),
            3 => real + " ",
            4 => "cs.nope",
            5 => new string('q', random.Next(61, 500)),
            6 => "\u00e9\u4e2d\u0000\u202e",
            7 => content.Questionnaire.Sections[random.Next(content.Questionnaire.Sections.Count)].Id,
            8 => "__proto__",
            _ => real + "." + real,
        };
        if (content.Questionnaire.Find(id) is not null)
        {
            id += "-not";
        }

        return new(id, random.Next(2) == 0 ? "1" : "\"x\"", false, "no such question");
    }

    private (string Body, List<FuzzEntry> Entries) One(Random random, Question question)
    {
        var entries = new List<FuzzEntry> { Valid(random, question) };
        return (Body(random, entries), entries);
    }

    private FuzzInput Structure(Random random, int index)
    {
        var (group, one) = One(random, Pick(random, questions));
        var cases = new List<(string Body, bool Accepted, string Kind)>
        {
            ("[]", false, "array root"), ($"[{group}]", false, "array root"), ("1", false, "number root"), ("\"answers\"", false, "string root"),
            ("null", false, "null root"), ("true", false, "boolean root"),
            ("{\"answers\": []}", false, "answers an array"), ("{\"answers\": \"x\"}", false, "answers text"), ("{\"answers\": 1}", false, "answers a number"),
            ("{\"answers\": {}, \"extra\": 1}", false, "an extra key"), ("{\"Answers\": {}}", false, "a key in capitals"),
            ($"{group[..^1]}, \"answers\": {{}}}}", false, "answers twice"),
            ("{\"answers\": {}} {}", false, "two documents"), ("{\"answers\": {},}", false, "a trailing comma"), ("{\"answers\": {}} // note", false, "a comment"),
            ("{'answers': {}}", false, "single quotes"), ("{answers: {}}", false, "an unquoted key"),
            ($"{{\"answers\": {{{Quote(one[0].Id)}: {one[0].Json}}}, \"profile\": {{}}, \"profile\": {{}}}}", false, "profile twice"),
        };
        if (target == FuzzTarget.ScoreApi)
        {
            cases.AddRange([("{}", true, "empty object"), ("{\"answers\": null}", true, "answers null"), ("{\"profile\": null, \"answers\": {}}", true, "profile null"),
                ("{\"profile\": []}", false, "profile an array")]);
        }
        else
        {
            cases.AddRange([("{}", false, "no answers"), ("{\"answers\": null}", false, "answers null"), ("{\"answers\": {}}", true, "no answers given"),
                ("{\"profile\": {}, \"answers\": {}}", false, "a profile group")]);
        }

        var (body, accepted, kind) = Pick(random, cases);
        return Make(index, "structure: " + kind, body, accepted, []);
    }

    private FuzzInput Bytes(Random random, int index)
    {
        var single = Pick(random, questions.Where(q => q.Kind == QuestionKind.Single).ToList());
        var (text, entries) = One(random, single);
        var body = Encoding.UTF8.GetBytes(text);
        var at = Array.IndexOf(body, (byte)'"', body.Length / 2); // inside a string near the middle
        at = at < 0 ? body.Length / 2 : at + 1;
        byte[] Insert(params byte[] bytes) => [.. body[..at], .. bytes, .. body[at..]];
        string[] notNumbers = ["NaN", "-Infinity", "Infinity", "nan", "+1", "01", ".5", "1.", "0x10", "1_000", "undefined", "None"];
        (byte[] Bytes, bool Accepted, string Kind) made = random.Next(17) switch
        {
            0 => ([], false, "empty body"),
            1 => (" \r\n\t "u8.ToArray(), false, "only white space"),
            2 => (Insert(0xFF), false, "byte FF"),
            3 => (Insert(0xC3, 0x28), false, "a broken two-byte sequence"),
            4 => (Insert(0xED, 0xA0, 0x80), false, "a surrogate encoded in UTF-8"),
            5 => (Insert(0xC0, 0xAF), false, "an overlong encoding"),
            6 => (Insert(0xF4, 0x90, 0x80, 0x80), false, "beyond U+10FFFF"),
            7 => (Insert(0xE2, 0x82), false, "a truncated sequence"),
            8 => ([0xEF, 0xBB, 0xBF, .. body], entries.All(e => e.Valid), "a byte-order mark"),
            9 => ([0xEF, 0xBB, 0xBF, 0xEF, 0xBB, 0xBF, .. body], false, "two byte-order marks"),
            10 => ([0xFF, 0xFE, .. Encoding.Unicode.GetBytes(text)], false, "UTF-16 with its mark"),
            11 => (Insert(0x00), false, "a NUL byte"),
            12 => (body[..random.Next(body.Length - 1)], false, "cut short"),
            13 => (RandomBytes(random), false, "random bytes"),
            14 => (Encoding.UTF8.GetBytes($"{{\"answers\": {{\"cs.team-collaboration\": {Pick(random, notNumbers)}}}}}"), false, "a number JSON does not have"),
            15 => ("{\"answers\": {\"\\ud800\": 1}}"u8.ToArray(), false, "a lone surrogate key"),
            _ => (Encoding.UTF8.GetBytes($"{{\"answers\": {{{Quote(single.Id)}: \"\\ud800\\udc00\"}}}}"), false, "a surrogate pair as a value"),
        };
        return new(seed, index, "bytes: " + made.Kind, made.Bytes, "application/json", made.Accepted, made.Accepted ? entries : []);
    }

    private static byte[] RandomBytes(Random random)
    {
        var bytes = new byte[random.Next(1, 200)];
        random.NextBytes(bytes);
        bytes[0] = (byte)'{'; // read as the start of an object, then refused for what follows
        return bytes;
    }

    private FuzzInput ContentTypes(Random random, int index)
    {
        var (body, entries) = One(random, Pick(random, questions));
        var (type, accepted) = Pick(random, new (string?, bool)[]
        {
            (null, false), ("text/plain", false), ("application/x-www-form-urlencoded", false), ("multipart/form-data; boundary=x", false),
            ("application/json-patch+json", false), ("application/problem+json", false), ("text/json", false), ("application/xml", false),
            ("application/json; charset=utf-8", true), ("APPLICATION/JSON", true), ("application/json;charset=utf-16", true), ("application/json ; x=y", true),
        });
        return new(seed, index, "content type: " + (type ?? "none"), Encoding.UTF8.GetBytes(body), type, accepted && entries.All(e => e.Valid), entries);
    }

    private FuzzInput Huge(Random random, int index)
    {
        var q = Pick(random, questions);
        var group = target == FuzzTarget.AnswersApi || !q.IsProfile ? "answers" : "profile";
        return random.Next(6) switch
        {
            0 => Make(index, "huge: 60 KB string", $"{{\"{group}\": {{{Quote(q.Id)}: \"{new string('a', 60_000)}\"}}}}", false, []),
            1 => Make(index, "huge: 70 KB body", $"{{\"{group}\": {{{Quote(q.Id)}: \"{new string('a', 70_000)}\"}}}}", false, []),
            2 => Make(index, "huge: 5,000 digits", $"{{\"{group}\": {{{Quote(q.Id)}: {new string('9', 5000)}}}}}", false, []),
            3 => Make(index, "huge: 3,000 list entries", $"{{\"{group}\": {{{Quote(q.Id)}: [{string.Join(",", Enumerable.Repeat("\"DE\"", 3000))}]}}}}", false, []),
            4 => Make(index, "huge: 2,000 unknown ids", $"{{\"answers\": {{{string.Join(", ", Enumerable.Range(0, 2000).Select(i => $"\"zz.{i}\": 1"))}}}}}", false, []),
            _ => Make(index, "huge: 2,000 extra keys", $"{{{string.Join(", ", Enumerable.Range(0, 2000).Select(i => $"\"k{i}\": 1"))}, \"answers\": {{}}}}", false, []),
        };
    }

    private FuzzInput Deep(Random random, int index)
    {
        var q = Pick(random, questions);
        var depth = random.Next(2, 300);
        var nested = random.Next(2) == 0
            ? new string('[', depth) + new string(']', depth)
            : string.Concat(Enumerable.Repeat("{\"a\": ", depth)) + "1" + new string('}', depth);
        var group = target == FuzzTarget.AnswersApi || !q.IsProfile ? "answers" : "profile";
        return Make(index, $"deep: {depth} levels", $"{{\"{group}\": {{{Quote(q.Id)}: {nested}}}}}", false, []);
    }

    private static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    private static string Quote(string text) => JsonSerializer.Serialize(text);

    private static string Escape(string text) => Quote(text)[1..^1];

    private static T Pick<T>(Random random, IReadOnlyList<T> items) => items[random.Next(items.Count)];
}
