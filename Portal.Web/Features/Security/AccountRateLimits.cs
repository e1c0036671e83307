namespace Portal.Web.Features.Security;

/// <summary>
/// Names of the rate-limit policies of the pages anyone can post to without signing in. A page
/// takes its policy with <c>@attribute [EnableRateLimiting(AccountRateLimits.SignIn)]</c>.
/// </summary>
/// <remarks>
/// Endpoint metadata rather than a global limiter matching method and path: routing matches
/// paths without regard to case or a trailing slash, so a list of paths in the limiter would
/// have to repeat the router's rules to be sure nothing slips past, and would drift when a page
/// moves. The attribute sits on the page and goes where the page goes. The policy counts POSTs
/// only (the form being sent); opening or reloading the page costs nothing and is never refused.
/// </remarks>
public static class AccountRateLimits
{
    public const string SignIn = "sign-in";
    public const string Registration = "registration";
    public const string AccountEmails = "account-emails";
}
