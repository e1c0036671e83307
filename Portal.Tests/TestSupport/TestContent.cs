using Portal.Domain.Content;

namespace Portal.Tests.TestSupport;

/// <summary>The repository's real content/ folder, loaded once per test run.</summary>
public static class TestContent
{
    private static readonly Lazy<PortalContent> RealContent = new(() => ContentCatalog.Load(RepoPaths.Content).Current);

    public static PortalContent Real => RealContent.Value;

    /// <summary>A throw-away copy of content/ to break on purpose.</summary>
    public static ContentCopy Copy() => new();
}

public sealed class ContentCopy : IDisposable
{
    public ContentCopy()
    {
        Directory = System.IO.Directory.CreateTempSubdirectory("portal-content-").FullName;
        foreach (var file in System.IO.Directory.GetFiles(RepoPaths.Content, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(Directory, Path.GetRelativePath(RepoPaths.Content, file));
            System.IO.Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }

    public string Directory { get; }

    public string PathOf(string relative) => Path.Combine(Directory, relative);

    public ContentCopy Write(string relative, string text)
    {
        var path = PathOf(relative);
        System.IO.Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return this;
    }

    public ContentCopy Replace(string relative, string oldText, string newText)
    {
        var path = PathOf(relative);
        var text = File.ReadAllText(path);
        if (!text.Contains(oldText, StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"'{oldText}' not found in {relative}");
        }

        File.WriteAllText(path, text.Replace(oldText, newText, StringComparison.Ordinal));
        return this;
    }

    public ContentCopy Delete(string relative)
    {
        File.Delete(PathOf(relative));
        return this;
    }

    /// <summary>The 1-based line of the first line containing the text.</summary>
    public int LineOf(string relative, string text) =>
        Array.FindIndex(File.ReadAllLines(PathOf(relative)), l => l.Contains(text, StringComparison.Ordinal)) + 1;

    public ContentLoadResult Load() => ContentCatalog.TryLoad(Directory);

    public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);
}
