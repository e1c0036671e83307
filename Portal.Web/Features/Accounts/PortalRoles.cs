namespace Portal.Web.Features.Accounts;

/// <summary>The four roles of the portal. Names are stored in the database: do not rename.</summary>
public static class PortalRoles
{
    public const string Owner = "Owner";
    public const string Advisor = "Advisor";
    public const string ProgrammeStaff = "ProgrammeStaff";
    public const string Admin = "Admin";

    public static readonly IReadOnlyList<string> All = [Owner, Advisor, ProgrammeStaff, Admin];

    public static string DisplayName(string role) => role switch
    {
        Owner => "Firm owner",
        Advisor => "Trade advisor",
        ProgrammeStaff => "Programme staff",
        Admin => "Administrator",
        _ => role,
    };
}

/// <summary>Authorization policy names; each requires the role of the same name.</summary>
public static class PortalPolicies
{
    public const string Admin = "RequireAdmin";
}
