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
    public static PlanItem[] Build(PortalContent content, Evaluation evaluation, bool[] fired, int[] advicePriority) =>
        Items(content, evaluation, fired, advicePriority, Rank(content, evaluation, fired, advicePriority));

    /// <summary>
    /// The plan's order alone: the advice indexes, first to last. Every assessment needs it (the
    /// plan is compared, stored and emailed), but most callers of the engine never look at the
    /// items' impact and reasons, so <see cref="Items"/> makes the items only when asked.
    /// </summary>
    public static int[] Rank(PortalContent content, Evaluation evaluation, bool[] fired, int[] advicePriority)
    {
        var compiled = content.Compiled;
        var focus = compiled.StageFocus[evaluation.StageRank];
        var count = 0;
        foreach (var priority in advicePriority)
        {
            count += priority > 0 ? 1 : 0;
        }

        // The ranking is done on small value keys before any item is made: a plan is built for
        // every assessment scored, and comparing objects through a delegate (with the rounding
        // redone in every comparison) cost more than building the plan.
        Span<PlanKey> keys = count <= 128 ? stackalloc PlanKey[count] : new PlanKey[count];
        var next = 0;
        for (var a = 0; a < advicePriority.Length; a++)
        {
            if (advicePriority[a] == 0)
            {
                continue;
            }

            var reasons = 0;
            var firstRule = -1;
            foreach (var r in compiled.AdviceRules[a])
            {
                if (fired[r])
                {
                    firstRule = reasons == 0 ? r : firstRule;
                    reasons++;
                }
            }

            var impact = Impact(compiled, evaluation, a);
            keys[next++] = new PlanKey(a, focus[compiled.AdvicePillar[a]], advicePriority[a], Math.Round(impact, 9), reasons, firstRule);
        }

        // About 20 items: an insertion sort beats Array.Sort's set-up. The order is total (the
        // advice index decides last), so any correct sort gives the same plan. Comparing the keys
        // field by field was still most of the plan's time (branchy), so each key is packed into
        // one 128-bit number whose ascending order is the plan's order, when it fits: it does for
        // any content with under 65,536 rules and advice items and an impact that is not negative.
        Span<UInt128> packed = count <= 128 ? stackalloc UInt128[count] : new UInt128[count];
        var canPack = compiled.PlanKeysPack;
        for (var i = 0; canPack && i < count; i++)
        {
            canPack = !double.IsNegative(keys[i].RoundedImpact) && keys[i].FirstRule >= 0;
            packed[i] = Pack(keys[i], i);
        }

        if (canPack)
        {
            InsertionSort(packed);
        }
        else
        {
            for (var i = 1; i < keys.Length; i++)
            {
                var key = keys[i];
                var j = i - 1;
                while (j >= 0 && Compare(key, keys[j]) < 0)
                {
                    keys[j + 1] = keys[j];
                    j--;
                }

                keys[j + 1] = key;
            }

            for (var i = 0; i < count; i++)
            {
                packed[i] = (UInt128)i;
            }
        }

        var ranked = new int[count];
        for (var i = 0; i < count; i++)
        {
            ranked[i] = keys[(int)(packed[i] & 0xFFFF)].Advice;
        }

        return ranked;
    }

    /// <summary>The plan's items in the order <see cref="Rank"/> gave, with the same impact and focus it ranked on.</summary>
    public static PlanItem[] Items(PortalContent content, Evaluation evaluation, bool[] fired, int[] advicePriority, int[] ranked)
    {
        var compiled = content.Compiled;
        var focus = compiled.StageFocus[evaluation.StageRank];
        var plan = new PlanItem[ranked.Length];
        for (var i = 0; i < ranked.Length; i++)
        {
            var a = ranked[i];
            var adviceRules = compiled.AdviceRules[a];
            var reasons = 0;
            foreach (var r in adviceRules)
            {
                reasons += fired[r] ? 1 : 0;
            }

            // Most advice has one rule behind it, or every one of its rules fired: then the
            // reasons are all its rules, an array made at content load and shared (read-only
            // behind IReadOnlyList) instead of a new one per item and assessment.
            var because = reasons == adviceRules.Length ? compiled.AdviceRuleObjects[a] : new Rule[reasons];
            if (reasons != adviceRules.Length)
            {
                var filled = 0;
                foreach (var r in adviceRules)
                {
                    if (fired[r])
                    {
                        because[filled++] = compiled.Rules[r];
                    }
                }
            }

            plan[i] = new PlanItem(compiled.Advice[a], (Priority)advicePriority[a], Impact(compiled, evaluation, a), because, focus[compiled.AdvicePillar[a]]);
        }

        return plan;
    }

    /// <summary>The factor's share of the overall score times its gap (an unscored factor is all gap).</summary>
    private static double Impact(CompiledContent compiled, Evaluation evaluation, int advice)
    {
        var score = evaluation.FactorScores[compiled.AdviceFactor[advice]];
        var gap = double.IsNaN(score) ? 100 : 100 - score;
        return compiled.AdviceOverallWeight[advice] * gap / 100;
    }

    /// <summary>
    /// Focus, priority, impact (rounded, so float noise does not reorder equal impacts), then the
    /// number of rules that advised the item (independent reasons are stronger evidence), then
    /// the first of those rules, then the advice id (its index: advice is ordered by id).
    /// </summary>
    private static int Compare(in PlanKey x, in PlanKey y)
    {
        var order = y.InFocus.CompareTo(x.InFocus);
        order = order != 0 ? order : y.Priority.CompareTo(x.Priority);
        order = order != 0 ? order : y.RoundedImpact.CompareTo(x.RoundedImpact);
        order = order != 0 ? order : y.Reasons.CompareTo(x.Reasons);
        order = order != 0 ? order : x.FirstRule.CompareTo(y.FirstRule);
        return order != 0 ? order : x.Advice.CompareTo(y.Advice);
    }

    /// <summary>
    /// From the most significant bits: not in focus, 15 - priority, the rounded impact's bits
    /// inverted (a non-negative double's bits order as its value), 255 - reasons, first rule,
    /// advice index, and the key's position (to find the key again; advice ids are unique, so
    /// the position never decides the order).
    /// </summary>
    private static UInt128 Pack(in PlanKey key, int position)
    {
        var impact = (ulong)(long.MaxValue - BitConverter.DoubleToInt64Bits(key.RoundedImpact));
        UInt128 high = ((ulong)(key.InFocus ? 0 : 1) << 63) | ((ulong)(15 - key.Priority) << 59) | (impact >> 4);
        UInt128 low = ((impact & 0xF) << 60) | ((ulong)(255 - key.Reasons) << 52) | ((ulong)key.FirstRule << 36) | ((ulong)key.Advice << 20) | (uint)position;
        return (high << 64) | low;
    }

    private static void InsertionSort(Span<UInt128> keys)
    {
        for (var i = 1; i < keys.Length; i++)
        {
            var key = keys[i];
            var j = i - 1;
            while (j >= 0 && key < keys[j])
            {
                keys[j + 1] = keys[j];
                j--;
            }

            keys[j + 1] = key;
        }
    }

    private readonly record struct PlanKey(int Advice, bool InFocus, int Priority, double RoundedImpact, int Reasons, int FirstRule);

    /// <summary>
    /// One email per advice item, at the earliest day any fired rule asked for; advice outside
    /// the stage group's focus is not sent (it would be premature).
    /// </summary>
    public static FollowUpItem[] FollowUps(PortalContent content, Evaluation evaluation, bool[] fired) =>
        FollowUpItems(content, ChooseFollowUps(content, evaluation, fired));

    /// <summary>
    /// The follow-ups as (advice index, day, rule index) triples, in order, one array: every
    /// assessment needs them (they are compared and emailed), the item objects only readers do.
    /// </summary>
    public static int[] ChooseFollowUps(PortalContent content, Evaluation evaluation, bool[] fired)
    {
        var compiled = content.Compiled;
        var focus = compiled.StageFocus[evaluation.StageRank];
        var adviceCount = compiled.Advice.Length;

        // Per advice index: the earliest day asked for and the first rule that asked for it
        // (-1: none), instead of searching the items made so far for each follow-up effect.
        Span<int> days = adviceCount <= 256 ? stackalloc int[adviceCount] : new int[adviceCount];
        Span<int> byRule = adviceCount <= 256 ? stackalloc int[adviceCount] : new int[adviceCount];
        byRule.Fill(-1);
        var count = 0;
        for (var r = 0; r < fired.Length; r++)
        {
            if (!fired[r])
            {
                continue;
            }

            foreach (var (advice, after) in compiled.RuleEffects[r].FollowUps)
            {
                if (!focus[compiled.AdvicePillar[advice]])
                {
                    continue;
                }

                if (byRule[advice] < 0)
                {
                    count++;
                    (days[advice], byRule[advice]) = (after, r);
                }
                else if (after < days[advice])
                {
                    (days[advice], byRule[advice]) = (after, r);
                }
            }
        }

        if (count == 0)
        {
            return [];
        }

        // By day, then by advice id: collected in advice (id) order, so a stable insertion sort
        // on the day alone gives that order.
        Span<int> order = count <= 256 ? stackalloc int[count] : new int[count];
        var next = 0;
        for (var a = 0; a < adviceCount; a++)
        {
            if (byRule[a] >= 0)
            {
                var j = next++;
                while (j > 0 && days[order[j - 1]] > days[a])
                {
                    order[j] = order[j - 1];
                    j--;
                }

                order[j] = a;
            }
        }

        var chosen = new int[3 * count];
        for (var i = 0; i < count; i++)
        {
            var a = order[i];
            (chosen[3 * i], chosen[3 * i + 1], chosen[3 * i + 2]) = (a, days[a], byRule[a]);
        }

        return chosen;
    }

    public static FollowUpItem[] FollowUpItems(PortalContent content, int[] chosen)
    {
        var compiled = content.Compiled;
        var items = new FollowUpItem[chosen.Length / 3];
        for (var i = 0; i < items.Length; i++)
        {
            items[i] = new FollowUpItem(compiled.Advice[chosen[3 * i]], chosen[3 * i + 1], compiled.Rules[chosen[3 * i + 2]]);
        }

        return items;
    }
}
