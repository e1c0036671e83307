using Microsoft.AspNetCore.Identity;

namespace Portal.Web.Data;

public class PortalUser : IdentityUser
{
}
