namespace Portal.Domain.Content;

/// <summary>
/// The content the portal runs on. Loaded and validated once at start-up: bad content fails
/// the start (or the deploy), never a user.
/// </summary>
public sealed class ContentCatalog(PortalContent current, string directory)
{
    public PortalContent Current { get; } = current;

    /// <summary>The folder the content was read from.</summary>
    public string Directory { get; } = directory;

    /// <summary>Loads and validates a content folder; throws with every problem found.</summary>
    public static ContentCatalog Load(string directory)
    {
        var result = TryLoad(directory);
        return result.Content is { } content
            ? new ContentCatalog(content, Path.GetFullPath(directory))
            : throw new ContentValidationException(result.Problems);
    }

    /// <summary>Loads and validates a content folder; returns the content or every problem.</summary>
    public static ContentLoadResult TryLoad(string directory) => new ContentReader(Path.GetFullPath(directory)).Read();
}
