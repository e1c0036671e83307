using Portal.Domain.Content;
using Portal.Domain.Rules;
using Portal.Domain.Scoring;

namespace Portal.Domain.Plans;

/// <summary>
/// An advice item in the action plan, with the rules that chose it. <see cref="InFocus"/> is false
/// for advice on a pillar the firm's stage group does not focus on yet (listed later, not emailed).
/// </summary>
public sealed record PlanItem(AdviceItem Advice, Priority Priority, double Impact, IReadOnlyList<Rule> Because, bool InFocus)
{
    public Audience Audience => Advice.Audience;
}

/// <summary>An advice email planned <see cref="AfterDays"/> days after submission.</summary>
public sealed record FollowUpItem(AdviceItem Advice, int AfterDays, Rule Because);

internal static class ActionPlanBuilder
{
    /// <summary>
    /// Each advised item once: advice in the stage group's focus first, then by priority (high first), then by impact: the factor's
    /// share of the overall score times its gap (100 - score; an unscored factor is all gap),
    /// so the advice with most room to move the score comes first. Ties keep content order.
    /// </summary>
    public static IReadOnlyList<PlanItem> Build(PortalContent content, Evaluation evaluation, bool[] fired, int[] advicePriority)
    {
        var compiled = content.Compiled;
        var focus = compiled.GroupFocus[compiled.StageGroupIndex[evaluation.StageRank]];
        var count = 0;
        foreach (var priority in advicePriority)
        {
            count += priority > 0 ? 1 : 0;
        }

        var items = new (PlanItem Item, int FirstRule)[count];
        var next = 0;
        for (var a = 0; a < advicePriority.Length; a++)
        {
            if (advicePriority[a] == 0)
            {
                continue;
            }

            var factor = content.Model.Factors[compiled.AdviceFactor[a]];
            var score = evaluation.FactorScores[factor.Index];
            var gap = double.IsNaN(score) ? 100 : 100 - score;

            var reasons = 0;
            foreach (var r in compiled.AdviceRules[a])
            {
                reasons += fired[r] ? 1 : 0;
            }

            var because = new Rule[reasons];
            var filled = 0;
            var firstRule = -1;
            foreach (var r in compiled.AdviceRules[a])
            {
                if (fired[r])
                {
                    firstRule = filled == 0 ? r : firstRule;
                    because[filled++] = content.Rules[r];
                }
            }

            var inFocus = focus[factor.Pillar.Index];
            items[next++] = (new PlanItem(content.AdviceList[a], (Priority)advicePriority[a], factor.OverallWeight * gap / 100, because, inFocus), firstRule);
        }

        // A total order (the sort is not stable): focus, priority, impact, then the number of
        // rules that advised the item (independent reasons are stronger evidence), then content order.
        Array.Sort(items, static (x, y) =>
        {
            var order = y.Item.InFocus.CompareTo(x.Item.InFocus);
            // Compared as ints: Enum.CompareTo(object) would box both values on every comparison.
            order = order != 0 ? order : ((int)y.Item.Priority).CompareTo((int)x.Item.Priority);
            order = order != 0 ? order : Math.Round(y.Item.Impact, 9).CompareTo(Math.Round(x.Item.Impact, 9));
            order = order != 0 ? order : y.Item.Because.Count.CompareTo(x.Item.Because.Count);
            order = order != 0 ? order : x.FirstRule.CompareTo(y.FirstRule);
            return order != 0 ? order : string.CompareOrdinal(x.Item.Advice.Id, y.Item.Advice.Id);
        });
        var plan = new PlanItem[count];
        for (var i = 0; i < count; i++)
        {
            plan[i] = items[i].Item;
        }

        return plan;
    }

    /// <summary>
    /// One email per advice item, at the earliest day any fired rule asked for; advice outside
    /// the stage group's focus is not sent (it would be premature).
    /// </summary>
    public static IReadOnlyList<FollowUpItem> FollowUps(PortalContent content, Evaluation evaluation, bool[] fired)
    {
        var compiled = content.Compiled;
        var focus = compiled.GroupFocus[compiled.StageGroupIndex[evaluation.StageRank]];
        List<FollowUpItem>? items = null;
        for (var r = 0; r < fired.Length; r++)
        {
            if (!fired[r])
            {
                continue;
            }

            foreach (var (advice, days) in compiled.RuleEffects[r].FollowUps)
            {
                if (!focus[content.Model.Factors[compiled.AdviceFactor[advice]].Pillar.Index])
                {
                    continue;
                }

                var item = content.AdviceList[advice];
                var existing = -1;
                for (var i = 0; items is not null && i < items.Count; i++)
                {
                    existing = items[i].Advice == item ? i : existing;
                }

                if (existing < 0)
                {
                    (items ??= []).Add(new FollowUpItem(item, days, content.Rules[r]));
                }
                else if (days < items![existing].AfterDays)
                {
                    items[existing] = new FollowUpItem(item, days, content.Rules[r]);
                }
            }
        }

        if (items is null)
        {
            return [];
        }

        items.Sort(static (x, y) => x.AfterDays != y.AfterDays ? x.AfterDays.CompareTo(y.AfterDays) : string.CompareOrdinal(x.Advice.Id, y.Advice.Id));
        return items;
    }
}
