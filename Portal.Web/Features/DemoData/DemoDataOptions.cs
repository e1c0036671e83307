using System.ComponentModel.DataAnnotations;
using Portal.Web.Features.Accounts;

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
    [Required(ErrorMessage = "must be the demo user's email address")]
    [EmailAddress(ErrorMessage = "must be an email address, such as owner@demo.test")]
    public string Email { get; set; } = "";

    [PortalRole]
    public string Role { get; set; } = "";

    [Required(ErrorMessage = "must be the demo user's password")]
    public string Password { get; set; } = "";

    /// <summary>
    /// For an owner: the id of a case firm in content/personas whose firm this owner gets,
    /// submitted and shared with the demo organisation like the case firms (a load test signs
    /// in as many such owners). Empty: the owner starts with no firm.
    /// </summary>
    public string? Persona { get; set; }
}

/// <summary>
/// Checked with the settings rather than by the seeder: Identity would create the user first
/// and only then refuse the role, leaving an account without one.
/// </summary>
internal sealed class PortalRoleAttribute : ValidationAttribute
{
    public PortalRoleAttribute()
        : base($"must be one of {string.Join(", ", PortalRoles.All)}")
    {
    }

    public override bool IsValid(object? value) => value is string role && PortalRoles.All.Contains(role, StringComparer.Ordinal);
}
