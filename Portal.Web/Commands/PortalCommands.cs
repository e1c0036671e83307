using System.Text.Json;
using Portal.Domain.Content;
using Portal.Domain.Scoring;
using Portal.Web.Features.Content;

namespace Portal.Web.Commands;

/// <summary>
/// Command-line verbs that run instead of the web portal:
/// <c>dotnet run --project Portal.Web -- validate-content [DIR]</c>, <c>-- score FILE.json</c> and
/// <c>-- backup FILE</c> (in PortalCommands.Backup.cs) and <c>-- seed-synthetic --firms N</c>
/// (in PortalCommands.SeedSynthetic.cs).
/// </summary>
public static partial class PortalCommands
{
    public static async Task<int?> TryRunAsync(string[] args, TextWriter output, TextWriter error, TimeProvider clock)
    {
        if (args.Length == 0)
        {
            return null;
        }

        return args[0] switch
        {
            "validate-content" => ValidateContent(args.Length > 1 ? args[1] : null, output, error),
            "score" when args.Length > 1 => await ScoreAsync(args[1], args.Length > 2 ? args[2] : null, output, error, clock),
            "score" => Usage(error, "score needs a file: score FILE.json [CONTENT-DIR]"),
            "backup" when args.Length > 1 && !args[1].StartsWith('-') => await BackupAsync(args[1], args[2..], output, error, clock),
            "backup" => Usage(error, "backup needs the file to write: backup FILE [--Setting=value ...]"),
            "seed-synthetic" => await SeedSyntheticAsync(args[1..], output, error, clock),
            _ => null,
        };
    }

    private static int Usage(TextWriter error, string message)
    {
        error.WriteLine(message);
        return 2;
    }

    private static int ValidateContent(string? directory, TextWriter output, TextWriter error)
    {
        var folder = directory is null ? new ContentOptions().ResolvedDirectory : FromShell(directory);
        var result = ContentCatalog.TryLoad(folder);
        if (result.Content is not { } content)
        {
            error.WriteLine($"{folder}: {result.Problems.Count} problem{(result.Problems.Count == 1 ? "" : "s")}");
            foreach (var problem in result.Problems)
            {
                error.WriteLine($"  {problem}");
            }

            return 1;
        }

        var questions = content.Questionnaire.Questions;
        output.WriteLine($"Content {content.Version} in {folder} is valid:");
        output.WriteLine($"  {content.Questionnaire.Sections.Count} sections, {questions.Count} questions ({questions.Count(q => q.IsProfile)} profile, {questions.Count(q => !q.IsProfile)} scored sections; {questions.Count(q => q.OffersDontKnow)} offer \"don't know\")");
        output.WriteLine($"  {content.Rules.Count} rules, {content.Flags.Count} flags");
        output.WriteLine($"  {content.Advice.Count} advice items ({content.Advice.Values.Count(a => a.Audience == Audience.Owner)} for owners, {content.Advice.Values.Count(a => a.Audience == Audience.Advisor)} for advisors)");
        output.WriteLine($"  {content.Sources.Count} sources, {content.Personas.Count} personas, {content.EmailTemplates.Count} email templates");
        return 0;
    }

    private static async Task<int> ScoreAsync(string file, string? contentDirectory, TextWriter output, TextWriter error, TimeProvider clock)
    {
        var path = FromShell(file);
        if (!File.Exists(path))
        {
            return Usage(error, $"{path}: no such file");
        }

        var loaded = ContentCatalog.TryLoad(contentDirectory is null ? new ContentOptions().ResolvedDirectory : FromShell(contentDirectory));
        if (loaded.Content is not { } content)
        {
            error.WriteLine("The content has problems; run validate-content.");
            return 1;
        }

        var json = await File.ReadAllTextAsync(path);
        int? year = null;
        try
        {
            using var document = JsonDocument.Parse(json);
            year = document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("assessment-year", out var y) && y.ValueKind == JsonValueKind.Number && y.TryGetInt32(out var value)
                ? value
                : clock.GetUtcNow().Year;
        }
        catch (JsonException)
        {
            // AnswerSet.Parse reports it with the position.
        }

        var parsed = AnswerSet.Parse(content.Questionnaire, json, year);
        if (parsed.Answers is not { } answers)
        {
            error.WriteLine($"{path}: the answers have problems:");
            foreach (var problem in parsed.Problems)
            {
                error.WriteLine($"  {problem}");
            }

            return 1;
        }

        var result = Assessor.Assess(content, answers);
        output.WriteLine(ResultJson.From(result).ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }));
        return 0;
    }

    /// <summary>
    /// <c>dotnet run</c> starts the program in the project folder; a relative path typed in the
    /// shell is relative to the shell's folder, which the shell passes on as PWD.
    /// </summary>
    private static string FromShell(string path) => Path.IsPathRooted(path)
        ? path
        : Path.GetFullPath(Path.Combine(Environment.GetEnvironmentVariable("PWD") ?? Directory.GetCurrentDirectory(), path));
}
