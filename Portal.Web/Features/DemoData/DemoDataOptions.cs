using System.ComponentModel.DataAnnotations;

namespace Portal.Web.Features.DemoData;

/// <summary>
/// Section <c>DemoData</c>, set only in appsettings.Development.json (which is never
/// published). The seeder also refuses to run outside the Development environment.
/// </summary>
public sealed class DemoDataOptions
{
    public const string SectionName = "DemoData";

    public bool Enabled { get; set; }

    public List<DemoUser> Users { get; set; } = [];
}

public sealed class DemoUser
{
    [Required, EmailAddress]
    public string Email { get; set; } = "";

    [Required]
    public string Role { get; set; } = "";

    [Required]
    public string Password { get; set; } = "";
}
