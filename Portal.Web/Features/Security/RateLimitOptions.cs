using System.ComponentModel.DataAnnotations;

namespace Portal.Web.Features.Security;

/// <summary>
/// Section <c>RateLimits</c>: how many form posts of each kind one network address may send in
/// a window, on the pages anyone can use without signing in. The defaults leave room for an
/// office of several people behind one address (a firm, an advisory agency, a workshop) and
/// still stop a script trying passwords or filling inboxes. The score API's limit is
/// <c>ScoringApi:PermitsPerMinute</c>.
/// </summary>
public sealed class RateLimitOptions
{
    public const string SectionName = "RateLimits";

    /// <summary>Sign-in attempts (right or wrong). Twenty colleagues each mistyping twice fit in one window.</summary>
    public RateLimit SignIn { get; set; } = new() { Permits = 60, WindowMinutes = 5 };

    /// <summary>New accounts: a training session registering together fits in one window.</summary>
    public RateLimit Registration { get; set; } = new() { Permits = 30, WindowMinutes = 60 };

    /// <summary>Requests that email an address: forgotten password and resend confirmation (one count for both).</summary>
    public RateLimit AccountEmails { get; set; } = new() { Permits = 20, WindowMinutes = 60 };
}

public sealed class RateLimit
{
    [Range(1, 1_000_000, ErrorMessage = "must be between 1 and 1000000")]
    public int Permits { get; set; }

    [Range(1, 1440, ErrorMessage = "must be between 1 and 1440 minutes (a day)")]
    public int WindowMinutes { get; set; }

    public TimeSpan Window => TimeSpan.FromMinutes(WindowMinutes);
}
