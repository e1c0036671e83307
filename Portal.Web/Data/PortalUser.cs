using Microsoft.AspNetCore.Identity;

namespace Portal.Web.Data;

public class PortalUser : IdentityUser
{
    /// <summary>
    /// The person's time zone (IANA id, e.g. "Europe/Berlin"), for dates shown to them and in
    /// their emails. Taken from the browser at registration; changeable in email preferences.
    /// Null: times are shown in UTC.
    /// </summary>
    public string? TimeZoneId { get; set; }
}
