using Portal.Domain.Content;
using Portal.Domain.Rules;
using Portal.Domain.Scoring;

namespace Portal.Domain.Plans;

/// <summary>An advice item in the action plan, with the rules that chose it.</summary>
public sealed record PlanItem(AdviceItem Advice, Priority Priority, double Impact, IReadOnlyList<Rule> Because)
{
    public Audience Audience => Advice.Audience;
}

/// <summary>An advice email planned <see cref="AfterDays"/> days after submission.</summary>
public sealed record FollowUpItem(AdviceItem Advice, int AfterDays, Rule Because);

internal static class ActionPlanBuilder
{
    /// <summary>
    /// Each advised item once, ordered by priority (high first), then by impact: the factor's
    /// share of the overall score times its gap (100 - score; an unscored factor is all gap),
    /// so the advice with most room to move the score comes first. Ties keep content order.
    /// </summary>
    public static IReadOnlyList<PlanItem> Build(PortalContent content, Evaluation evaluation, bool[] fired, int[] advicePriority)
    {
        var items = new List<(PlanItem Item, int FirstRule)>();
        for (var a = 0; a < advicePriority.Length; a++)
        {
            if (advicePriority[a] == 0)
            {
                continue;
            }

            var advice = content.AdviceList[a];
            var factor = content.Model.Factors[content.Compiled.AdviceFactor[a]];
            var score = evaluation.FactorScores[factor.Index];
            var gap = double.IsNaN(score) ? 100 : 100 - score;
            var because = new List<Rule>();
            var first = int.MaxValue;
            for (var r = 0; r < fired.Length; r++)
            {
                if (fired[r] && Array.IndexOf(content.Compiled.RuleEffects[r].Advice, a) >= 0)
                {
                    because.Add(content.Rules[r]);
                    first = Math.Min(first, r);
                }
            }

            items.Add((new PlanItem(advice, (Priority)advicePriority[a], factor.OverallWeight * gap / 100, because), first));
        }

        return items
            .OrderByDescending(i => i.Item.Priority)
            .ThenByDescending(i => Math.Round(i.Item.Impact, 9))
            .ThenBy(i => i.FirstRule)
            .ThenBy(i => i.Item.Advice.Id, StringComparer.Ordinal)
            .Select(i => i.Item)
            .ToList();
    }

    /// <summary>One email per advice item, at the earliest day any fired rule asked for.</summary>
    public static IReadOnlyList<FollowUpItem> FollowUps(PortalContent content, bool[] fired)
    {
        var byAdvice = new Dictionary<int, FollowUpItem>();
        for (var r = 0; r < fired.Length; r++)
        {
            if (!fired[r])
            {
                continue;
            }

            foreach (var (advice, days) in content.Compiled.RuleEffects[r].FollowUps)
            {
                if (!byAdvice.TryGetValue(advice, out var existing) || days < existing.AfterDays)
                {
                    byAdvice[advice] = new FollowUpItem(content.AdviceList[advice], days, content.Rules[r]);
                }
            }
        }

        return byAdvice.Values.OrderBy(f => f.AfterDays).ThenBy(f => f.Advice.Id, StringComparer.Ordinal).ToList();
    }
}
