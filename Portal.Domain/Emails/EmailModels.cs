using Portal.Domain.Content;

namespace Portal.Domain.Emails;

/// <summary>Links an email carries; absolute addresses made by the portal.</summary>
public sealed record EmailLinks(string Portal, string? Unsubscribe, string? Preferences);

/// <summary>
/// The templates the portal sends and the variables each one receives. This is the one place
/// that defines the shape of a template's model: the portal builds models with these methods,
/// and content validation renders every template with <see cref="Sample"/> models to catch a
/// misspelt variable before the portal starts.
/// </summary>
public static class EmailModels
{
    public const string Layout = "layout";
    public const string FollowUp = "follow-up";
    public const string AdvisorMessage = "advisor-message";
    public const string ConfirmEmail = "confirm-email";
    public const string ResetPassword = "reset-password";
    public const string ResetCode = "reset-code";
    public const string ProgrammeInvitation = "programme-invitation";

    public const string PortalName = "SME Readiness Portal";

    /// <summary>Every template the portal uses; the layout has no subject of its own.</summary>
    public static IReadOnlyList<string> Names { get; } = [Layout, FollowUp, AdvisorMessage, ConfirmEmail, ResetPassword, ResetCode, ProgrammeInvitation];

    /// <summary>The layout around every email: why the person gets it, and the links to stop it.</summary>
    public static Dictionary<string, object?> LayoutModel(string reason, EmailLinks links) => new()
    {
        ["portal"] = Portal(links),
        ["reason"] = reason,
        ["unsubscribe_url"] = links.Unsubscribe ?? "",
        ["preferences_url"] = links.Preferences ?? "",
    };

    /// <summary>A follow-up advice email: an item of the firm's action plan, some days after it submitted.</summary>
    public static Dictionary<string, object?> FollowUpModel(
        PortalContent content, AdviceItem advice, string firmName, double? factorScore, string? factorBand,
        DateTimeOffset submitted, string resultsUrl, string adviceUrl, EmailLinks links)
    {
        var factor = content.Model.Factors.FirstOrDefault(f => f.Id == advice.FactorId);
        return FollowUpModel(firmName, advice, [.. advice.Sources.Select(content.Cite)], adviceUrl,
            factor?.Name ?? advice.FactorId, factorScore, factor?.Threshold, factorBand, submitted, resultsUrl, links);
    }

    private static Dictionary<string, object?> FollowUpModel(
        string firmName, AdviceItem advice, List<string> sources, string adviceUrl, string factorName, double? factorScore,
        double? threshold, string? factorBand, DateTimeOffset submitted, string resultsUrl, EmailLinks links) => new()
    {
        ["portal"] = Portal(links),
        ["firm"] = new Dictionary<string, object?> { ["name"] = firmName },
        ["advice"] = new Dictionary<string, object?>
        {
            ["title"] = advice.Title,
            ["summary"] = advice.Summary,
            ["body_html"] = advice.BodyHtml,
            // Markdown reads well as plain text, but for its bold markers.
            ["body_text"] = advice.BodyMarkdown.Replace("**", "", StringComparison.Ordinal).Trim(),
            ["sources"] = sources,
            ["url"] = adviceUrl,
        },
        ["factor"] = new Dictionary<string, object?>
        {
            ["name"] = factorName,
            ["score"] = factorScore is { } s ? Math.Round(s) : null,
            ["threshold"] = threshold,
            ["band"] = factorBand,
        },
        ["assessment"] = new Dictionary<string, object?>
        {
            ["submitted"] = submitted.ToString("d MMMM yyyy", System.Globalization.CultureInfo.InvariantCulture),
            ["results_url"] = resultsUrl,
        },
    };

    /// <summary>A message a trade advisor wrote to the firm: paragraphs of plain text, never HTML.</summary>
    public static Dictionary<string, object?> AdvisorMessageModel(
        string firmName, string advisorEmail, string organisationName, string subject, string body, string resultsUrl, EmailLinks links) => new()
    {
        ["portal"] = Portal(links),
        ["firm"] = new Dictionary<string, object?> { ["name"] = firmName },
        ["advisor"] = new Dictionary<string, object?> { ["email"] = advisorEmail, ["organisation"] = organisationName },
        ["message"] = new Dictionary<string, object?>
        {
            ["subject"] = subject,
            // Paragraphs of lines: the template puts the breaks in, so the text itself is always encoded.
            ["paragraphs"] = body.Replace("\r\n", "\n", StringComparison.Ordinal)
                .Split("\n\n", StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(p => p.Split('\n', StringSplitOptions.TrimEntries).ToList()).ToList(),
            ["text"] = body.Trim(),
        },
        ["results_url"] = resultsUrl,
    };

    /// <summary>Confirm an address, or reset a password: an account email with one link.</summary>
    public static Dictionary<string, object?> LinkModel(string link, EmailLinks links) => new()
    {
        ["portal"] = Portal(links),
        ["link"] = link,
    };

    public static Dictionary<string, object?> CodeModel(string code, EmailLinks links) => new()
    {
        ["portal"] = Portal(links),
        ["code"] = code,
    };

    /// <summary>
    /// An invitation to join a cohort of a support programme: the link leads to registration or,
    /// for an owner with an account, to accepting (which shares the firm's results with the organisation).
    /// </summary>
    public static Dictionary<string, object?> ProgrammeInvitationModel(
        string programmeName, string? programmeDescription, string cohortName, string cohortStarts, string cohortEnds,
        string organisationName, string link, string expires, EmailLinks links) => new()
    {
        ["portal"] = Portal(links),
        ["programme"] = new Dictionary<string, object?> { ["name"] = programmeName, ["description"] = programmeDescription ?? "" },
        ["cohort"] = new Dictionary<string, object?> { ["name"] = cohortName, ["starts"] = cohortStarts, ["ends"] = cohortEnds },
        ["organisation"] = new Dictionary<string, object?> { ["name"] = organisationName },
        ["link"] = link,
        ["expires"] = expires,
    };

    /// <summary>A model of the right shape for a template, to check the template against.</summary>
    public static IReadOnlyDictionary<string, object?>? Sample(string name)
    {
        var links = new EmailLinks("https://portal.example.org", "https://portal.example.org/email/unsubscribe?token=t", "https://portal.example.org/settings/emails");
        var sampleAdvice = new AdviceItem("sample", "capacity", "A sample advice item", Audience.Owner, ScoreLevel.Weak,
            "A summary.", [], "A body.", "<p>A body.</p>", "advice/sample.md");
        return name switch
        {
            Layout => new Dictionary<string, object?>(LayoutModel("Why you get this email.", links)) { ["subject"] = "Subject", ["content"] = "Content" },
            FollowUp => FollowUpModel("Sample Ltd", sampleAdvice, ["Bose (2016), Conclusions"], links.Portal + "/advice/sample",
                "Capacity", 42, 40, "Emerging", DateTimeOffset.UnixEpoch, links.Portal + "/results/1", links),
            AdvisorMessage => AdvisorMessageModel("Sample Ltd", "advisor@example.org", "A Trade Agency", "Subject", "One.\n\nTwo.", links.Portal + "/results", links),
            ConfirmEmail or ResetPassword => LinkModel(links.Portal + "/Account/ConfirmEmail?code=x", links),
            ResetCode => CodeModel("123456", links),
            ProgrammeInvitation => ProgrammeInvitationModel("Export Ready", "Twelve weeks of support.", "Spring 2027", "1 March 2027", "31 May 2027",
                "A Trade Agency", links.Portal + "/programmes/join?token=t", "1 January 2027", links),
            _ => null,
        };
    }

    /// <summary>The parts a template must have.</summary>
    internal static IReadOnlyList<string> RequiredParts(string name) =>
        name == Layout ? ["html", "text"] : ["subject", "html", "text"];

    private static Dictionary<string, object?> Portal(EmailLinks links) => new()
    {
        ["name"] = PortalName,
        ["url"] = links.Portal,
        ["preferences_url"] = links.Preferences ?? "",
    };
}
