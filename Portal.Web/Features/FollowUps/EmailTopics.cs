using Portal.Domain.Content;

namespace Portal.Web.Features.FollowUps;

/// <summary>A kind of email a person can turn off.</summary>
public sealed record EmailTopic(string Id, string Name, string Description);

/// <summary>
/// The kinds of email people choose between: follow-up advice, one kind per pillar of the
/// model, so an owner can keep the advice on strategy and stop the rest. Account emails
/// (confirm an address, reset a password) are not a topic: nobody can turn them off.
/// </summary>
public static class EmailTopics
{
    public const string AdvicePrefix = "advice:";
    public const string AdvisorMessages = "advisor";

    public static IReadOnlyList<EmailTopic> All(PortalContent content) =>
    [
        .. content.Model.Pillars.Select(p => new EmailTopic(AdvicePrefix + p.Id, $"Advice on {p.Name.ToLowerInvariant()}",
            $"Follow-up advice from your action plan on {string.Join(", ", p.Factors.Select(f => f.Name.ToLowerInvariant()))}.")),
        new EmailTopic(AdvisorMessages, "Messages from trade advisors",
            "Messages that advisors of the organisations you share your results with write to you."),
    ];

    /// <summary>The topics of follow-up advice (what an advice email's unsubscribe link stops).</summary>
    public static IReadOnlyList<string> Advice(PortalContent content) => [.. content.Model.Pillars.Select(p => AdvicePrefix + p.Id)];

    /// <summary>The topic of a follow-up about an advice item: the pillar of its factor.</summary>
    public static string ForAdvice(PortalContent content, AdviceItem advice) =>
        AdvicePrefix + (content.Model.FindFactor(advice.FactorId)?.Pillar.Id ?? advice.FactorId);
}
