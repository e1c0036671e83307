using System.ComponentModel.DataAnnotations;

namespace Portal.Web.Features.Content;

/// <summary>Section <c>Content</c>: where the questionnaire, rules and advice are read from.</summary>
public sealed class ContentOptions
{
    public const string SectionName = "Content";

    /// <summary>
    /// The content folder. Relative paths are resolved against the portal's binaries, where the
    /// build copies the repository's content/ folder.
    /// </summary>
    [Required(ErrorMessage = "must name the content folder")]
    public string Directory { get; set; } = "content";

    public string ResolvedDirectory => Path.GetFullPath(Path.IsPathRooted(Directory) ? Directory : Path.Combine(AppContext.BaseDirectory, Directory));
}
