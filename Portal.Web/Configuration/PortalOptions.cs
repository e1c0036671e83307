using System.ComponentModel.DataAnnotations;

namespace Portal.Web.Configuration;

/// <summary>Settings that belong to the portal as a whole (section <c>Portal</c>).</summary>
public sealed class PortalOptions : IValidatableObject
{
    public const string SectionName = "Portal";

    /// <summary>
    /// Folder for the SQLite file, the email pickup folder and data-protection keys.
    /// Relative paths are resolved against the content root (Portal.Web/ under dotnet run).
    /// </summary>
    [Required(ErrorMessage = "must name a folder for the portal's data")]
    public string DataDirectory { get; set; } = "data";

    /// <summary>Set by the host: the folder relative paths are resolved against.</summary>
    public string ContentRoot { get; set; } = "";

    /// <summary>
    /// The address people reach the portal at, used for every link in an email. Required
    /// outside Development; in Development, empty means the address the portal listens on.
    /// </summary>
    public string? PublicBaseUrl { get; set; }

    public string ResolvePath(string path) =>
        Path.GetFullPath(Path.IsPathRooted(path) ? path : Path.Combine(ContentRoot, path));

    public string DataPath(params string[] parts) => Path.Combine([ResolvePath(DataDirectory), .. parts]);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!string.IsNullOrWhiteSpace(PublicBaseUrl)
            && !(Uri.TryCreate(PublicBaseUrl, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"))
        {
            yield return new ValidationResult("must be an absolute http or https address, such as https://portal.example.org", [nameof(PublicBaseUrl)]);
        }
    }
}
