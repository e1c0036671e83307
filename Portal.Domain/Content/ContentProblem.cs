namespace Portal.Domain.Content;

/// <summary>One thing wrong in <c>content/</c>, located by file (relative to the content folder) and line.</summary>
public sealed record ContentProblem(string File, int Line, string Message)
{
    public override string ToString() => Line > 0 ? $"{File}:{Line}: {Message}" : $"{File}: {Message}";
}

/// <summary>Thrown when <c>content/</c> has problems; lists every one of them.</summary>
public sealed class ContentValidationException(IReadOnlyList<ContentProblem> problems)
    : Exception(Describe(problems))
{
    public IReadOnlyList<ContentProblem> Problems { get; } = problems;

    private static string Describe(IReadOnlyList<ContentProblem> problems) =>
        $"The content has {problems.Count} problem{(problems.Count == 1 ? "" : "s")}:{Environment.NewLine}"
        + string.Join(Environment.NewLine, problems.Select(p => "  " + p));
}

/// <summary>Collects problems while content is read, so all are reported together.</summary>
internal sealed class ProblemSink
{
    private readonly List<ContentProblem> problems = [];

    public IReadOnlyList<ContentProblem> Problems => problems;

    public bool HasProblems => problems.Count > 0;

    public void Add(string file, int line, string message) => problems.Add(new ContentProblem(file, line, message));
}
