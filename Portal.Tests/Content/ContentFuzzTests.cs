using System.Diagnostics;
using Portal.Domain.Content;
using Portal.Domain.Scoring;
using Portal.Tests.TestSupport;

namespace Portal.Tests.Content;

/// <summary>
/// Hundreds of seeded corruptions of a copy of content/ (see <see cref="ContentCorruptor"/>):
/// the loader never throws, every failure is a problem that names the file (and the line of a
/// syntax error), a corruption validation can see is never accepted, and a byte-order mark
/// changes nothing. PORTAL_FUZZ_SEED and PORTAL_CONTENT_FUZZ_COUNT replay or widen a run.
/// </summary>
public sealed class ContentFuzzTests(ITestOutputHelper output)
{
    private static int Seed => int.TryParse(Environment.GetEnvironmentVariable("PORTAL_FUZZ_SEED"), out var seed) ? seed : 20260615;

    private static int Count => int.TryParse(Environment.GetEnvironmentVariable("PORTAL_CONTENT_FUZZ_COUNT"), out var count) ? count : 400;

    [Fact]
    public void UnclosedBraceAtColumnZero_NamesTheLineNotYamlDotNetsStateError()
    {
        // Found by the fuzz below (seed 20260615, case 369): YamlDotNet threw InvalidOperationException without a position.
        const string file = "questionnaire/operations.yaml";
        var lines = File.ReadAllLines(Path.Combine(RepoPaths.Content, file)).ToList();
        lines.Insert(11, "{");
        using var copy = TestContent.Copy().Write(file, string.Join('\n', lines) + "\n");

        var problem = Assert.Single(copy.Load().Problems, p => p.File == file);

        Assert.InRange(problem.Line, 1, lines.Count);
        Assert.DoesNotContain("current state of the object", problem.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new byte[] { 0xFF }, "is not UTF-8 text")]
    [InlineData(new byte[] { 0xC3, 0x28 }, "is not UTF-8 text")]
    [InlineData(new byte[] { 0x07 }, "contains the control character U+0007")]
    [InlineData(new byte[] { 0x00 }, "contains the control character U+0000")]
    public void DamagedBytesInFreeText_AreAProblemWithTheLine(byte[] junk, string message)
    {
        // Found by the fuzz below: read leniently, a damaged byte in a question's help text became
        // U+FFFD (or an invisible character) on the page and the content loaded without a word.
        const string file = "questionnaire/timing.yaml";
        using var copy = TestContent.Copy();
        var bytes = File.ReadAllBytes(copy.PathOf(file));
        var at = Array.IndexOf(bytes, (byte)'A', bytes.AsSpan().IndexOf("help:"u8));
        File.WriteAllBytes(copy.PathOf(file), [.. bytes[..at], .. junk, .. bytes[at..]]);
        var line = bytes.AsSpan(0, at).Count((byte)'\n') + 1;

        var problems = copy.Load().Problems;

        Assert.Contains(problems, p => p.File == file && p.Line == line && p.Message.Contains(message, StringComparison.Ordinal));
    }

    [Fact]
    public void CorruptedContent_EveryFailureNamesTheFile_AndNoVisibleCorruptionIsAccepted()
    {
        using var copy = TestContent.Copy();
        var corruptor = new ContentCorruptor(copy);
        var baseline = Fingerprint(copy.Load().Content ?? throw new InvalidOperationException("content/ itself does not load"));
        var findings = new List<string>();
        var outcomes = new Dictionary<string, (int Refused, int Same, int Changed)>(StringComparer.Ordinal);
        var changedSamples = new List<string>();
        var watch = Stopwatch.StartNew();

        for (var i = 0; i < Count; i++)
        {
            var random = new Random(unchecked((Seed * 1_000_003) + i));
            var corruption = corruptor.Apply(random);
            var replay = $"seed {Seed}, case {i}: {corruption.Kind} of {corruption.File}: {corruption.What}";
            try
            {
                ContentLoadResult result;
                try
                {
                    result = copy.Load();
                }
                catch (Exception e)
                {
                    findings.Add($"the loader threw {e.GetType().Name}: {e.Message}\n    replay: {replay}");
                    continue;
                }

                var (refused, same, changed) = outcomes.GetValueOrDefault(corruption.Kind);
                if (!result.Succeeded)
                {
                    outcomes[corruption.Kind] = (refused + 1, same, changed);
                    findings.AddRange(JudgeProblems(corruption, result.Problems).Select(f => $"{f}\n    replay: {replay}"));
                    if (corruption.Expect == CorruptionVerdict.MustLoadSame)
                    {
                        findings.Add($"refused content that only gained a byte-order mark: {string.Join("; ", result.Problems.Take(3))}\n    replay: {replay}");
                    }

                    continue;
                }

                var unchanged = Fingerprint(result.Content!) == baseline;
                outcomes[corruption.Kind] = unchanged ? (refused, same + 1, changed) : (refused, same, changed + 1);
                if (corruption.Expect == CorruptionVerdict.MustFail)
                {
                    findings.Add($"accepted silently ({(unchanged ? "same content" : "content changed")})\n    replay: {replay}");
                }
                else if (corruption.Expect == CorruptionVerdict.MustLoadSame && !unchanged)
                {
                    findings.Add($"a byte-order mark changed the content\n    replay: {replay}");
                }
                else if (!unchanged && changedSamples.Count < 15)
                {
                    changedSamples.Add(replay);
                }
            }
            finally
            {
                corruptor.Restore();
            }
        }

        var elapsed = watch.Elapsed;
        output.WriteLine($"content loader: seed {Seed}, {Count} corruptions in {elapsed.TotalSeconds:0.0} s");
        foreach (var (kind, (refused, same, changed)) in outcomes.OrderBy(o => o.Key, StringComparer.Ordinal))
        {
            output.WriteLine($"  {kind}: {refused} refused, {same} accepted unchanged, {changed} accepted with a change");
        }

        output.WriteLine("Accepted with a change (reviewed by hand: valid content, such as a deleted option or a changed letter in free text):");
        changedSamples.ForEach(s => output.WriteLine("  " + s));
        Assert.True(findings.Count == 0, $"seed {Seed}: {findings.Count} finding(s)\n" + string.Join("\n", findings.Take(30)));
    }

    /// <summary>Every problem has a file; one names the corrupted file (or the id it held); syntax errors have a line; none is an unforeseen exception.</summary>
    private static IEnumerable<string> JudgeProblems(Corruption corruption, IReadOnlyList<ContentProblem> problems)
    {
        foreach (var problem in problems)
        {
            if (string.IsNullOrWhiteSpace(problem.File) || string.IsNullOrWhiteSpace(problem.Message))
            {
                yield return $"a problem without a file or a message: {problem}";
            }

            if (problem.Message.StartsWith("could not be read:", StringComparison.Ordinal))
            {
                yield return $"an exception the loader did not foresee: {problem}";
            }

            if (problem.Message.Contains("not valid YAML", StringComparison.Ordinal) || problem.Message.Contains("not valid JSON", StringComparison.Ordinal)
                || problem.Message.Contains("not valid Liquid", StringComparison.Ordinal) || problem.Message.Contains("not UTF-8", StringComparison.Ordinal))
            {
                if (problem.Line <= 0)
                {
                    yield return $"a syntax error without its line: {problem}";
                }
            }
        }

        // A deleted rules file cannot be named (the loader reads what is there): its absence
        // shows as advice no rule reaches, or a flag no file declares, each naming its file.
        if (corruption.Kind == "delete file" && corruption.File.StartsWith("rules/", StringComparison.Ordinal))
        {
            yield break;
        }

        var stem = Path.GetFileNameWithoutExtension(corruption.File);
        if (!problems.Any(p => p.File == corruption.File || p.Message.Contains(corruption.File, StringComparison.Ordinal)
            || (p.File.EndsWith('/') && p.Message.Contains(stem, StringComparison.Ordinal))
            || (corruption.Id is { } id && p.Message.Contains(id, StringComparison.Ordinal))))
        {
            yield return $"no problem names {corruption.File}: {string.Join("; ", problems.Take(3))}";
        }
    }

    /// <summary>What the portal reads from content, without where it was written (a byte-order mark moves nothing).</summary>
    private static string Fingerprint(PortalContent content) => string.Join("\n",
        [
            ResultJson.Questionnaire(content).ToJsonString(),
            .. content.Model.Factors.Select(f => $"{f.Id} {f.Weight} {f.Threshold} {f.Knockout}"),
            .. content.Rules.Select(r => $"{r.Id} {r.Explain} {r.When} {r.Then}"),
            .. content.AdviceList.Select(a => $"{a.Id} {a.Title} {a.Summary} {a.BodyMarkdown}"),
            .. content.Sources.Values.OrderBy(s => s.Id, StringComparer.Ordinal).Select(s => $"{s.Id} {s.Short} {s.Citation}"),
            .. content.EmailTemplates.Keys.Order(StringComparer.Ordinal),
            .. content.Personas.Select(p => $"{p.Id} {p.Answers.ToJsonString()}"),
        ]);
}
