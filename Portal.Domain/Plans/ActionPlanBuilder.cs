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
    /// The plan's order: each advised item once, advice in the stage group's focus first, then by
    /// priority (high first), then by impact: the factor's share of the overall score times its
    /// gap (100 - score; an unscored factor is all gap), so the advice with most room to move the
    /// score comes first; ties as <see cref="Compare"/> says.
    /// The advice indexes alone, first to last. Every assessment needs it (the
    /// plan is compared, stored and emailed), but most callers of the engine never look at the
    /// items' impact and reasons, so <see cref="Items"/> makes the items only when asked.
    /// </summary>
    public static int[] Rank(PortalContent content, Evaluation evaluation, int[] advicePriority) =>
        Rank(content, evaluation, advicePriority, content.Compiled.PlanKeys);

    /// <summary><see cref="Rank(PortalContent, Evaluation, int[])"/> with the keys packed by <paramref name="layout"/>, or compared field by field without one (the same order).</summary>
    internal static int[] Rank(PortalContent content, Evaluation evaluation, int[] advicePriority, PlanKeyLayout? layout)
    {
        var compiled = content.Compiled;
        var focus = compiled.StageFocus[evaluation.StageRank];
        var reasons = evaluation.AdviceReasons;
        var firstRule = evaluation.AdviceFirstRule;
        var count = 0;
        foreach (var priority in advicePriority)
        {
            count += priority > 0 ? 1 : 0;
        }

        var ranked = new int[count];

        // About 20 items: an insertion sort beats Array.Sort's set-up. Comparing keys field by
        // field was most of the plan's time (branchy), so each key is packed into one 64-bit
        // number whose ascending order is the plan's order and whose last bits are the advice
        // index; the layout is worked out at content load and fits any realistic content.
        if (layout is not null)
        {
            Span<ulong> packed = count <= 128 ? stackalloc ulong[count] : new ulong[count];
            var fits = true;
            for (int a = 0, next = 0; a < advicePriority.Length; a++)
            {
                if (advicePriority[a] > 0)
                {
                    var impact = RoundedImpact(compiled, evaluation, a);
                    fits &= layout.Fits(impact);
                    packed[next++] = layout.Pack(focus[compiled.AdvicePillar[a]], advicePriority[a], impact, reasons[a], firstRule[a] - 1, a);
                }
            }

            if (fits)
            {
                InsertionSort(packed);
                for (var i = 0; i < count; i++)
                {
                    ranked[i] = layout.Advice(packed[i]);
                }

                return ranked;
            }
        }

        // Content too large to pack, or an impact out of range: the same order, field by field.
        var keys = new PlanKey[count];
        for (int a = 0, next = 0; a < advicePriority.Length; a++)
        {
            if (advicePriority[a] > 0)
            {
                keys[next++] = new PlanKey(a, focus[compiled.AdvicePillar[a]], advicePriority[a], RoundedImpact(compiled, evaluation, a), reasons[a], firstRule[a] - 1);
            }
        }

        Array.Sort(keys, Compare);
        for (var i = 0; i < count; i++)
        {
            ranked[i] = keys[i].Advice;
        }

        return ranked;
    }

    /// <summary>The plan's items in the order <see cref="Rank(PortalContent, Evaluation, int[])"/> gave, with the same impact and focus it ranked on.</summary>
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
    /// Focus, priority, impact (rounded: <see cref="RoundedImpact"/>), then the
    /// number of rules that advised the item (independent reasons are stronger evidence), then
    /// the first of those rules, then the advice id (its index: advice is ordered by id).
    /// </summary>
    private static int Compare(PlanKey x, PlanKey y)
    {
        var order = y.InFocus.CompareTo(x.InFocus);
        order = order != 0 ? order : y.Priority.CompareTo(x.Priority);
        order = order != 0 ? order : y.RoundedImpact.CompareTo(x.RoundedImpact);
        order = order != 0 ? order : y.Reasons.CompareTo(x.Reasons);
        order = order != 0 ? order : x.FirstRule.CompareTo(y.FirstRule);
        return order != 0 ? order : x.Advice.CompareTo(y.Advice);
    }

    /// <summary>
    /// The impact in billionths, rounded to a whole number: so float noise does not reorder
    /// equal impacts (as <c>Math.Round(impact, 9)</c>, without the division back).
    /// </summary>
    private static double RoundedImpact(CompiledContent compiled, Evaluation evaluation, int advice) =>
        Math.Round(Impact(compiled, evaluation, advice) * 1e9);

    private static void InsertionSort(Span<ulong> keys)
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
    /// The follow-ups as (advice index, day, rule index) triples, in order, one array: every
    /// assessment needs them (they are compared and emailed), the item objects only readers do.
    /// </summary>
    public static int[] ChooseFollowUps(PortalContent content, Evaluation evaluation)
    {
        var compiled = content.Compiled;
        var focus = compiled.StageFocus[evaluation.StageRank];
        var days = evaluation.FollowUpDay;
        var byRule = evaluation.FollowUpRule; // the earliest day's first rule + 1, kept as the rules fired
        var adviceCount = compiled.Advice.Length;

        // By day, then by advice id: collected in advice (id) order, so a stable insertion sort
        // on the day alone gives that order.
        Span<int> order = adviceCount <= 256 ? stackalloc int[adviceCount] : new int[adviceCount];
        var count = 0;
        for (var a = 0; a < adviceCount; a++)
        {
            if (byRule[a] > 0 && focus[compiled.AdvicePillar[a]])
            {
                var j = count++;
                while (j > 0 && days[order[j - 1]] > days[a])
                {
                    order[j] = order[j - 1];
                    j--;
                }

                order[j] = a;
            }
        }

        if (count == 0)
        {
            return [];
        }

        var chosen = new int[3 * count];
        for (var i = 0; i < count; i++)
        {
            var a = order[i];
            (chosen[3 * i], chosen[3 * i + 1], chosen[3 * i + 2]) = (a, days[a], byRule[a] - 1);
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

/// <summary>
/// The action plan's sort key in 64 bits, from the most significant: not in focus, the priority
/// inverted, the rounded impact inverted, the number of reasons inverted, the first rule, the
/// advice index. Ascending order of the numbers is the plan's order, and the advice index is
/// read back from the last bits. Widths come from the content's sizes, so no field can overflow
/// into the next; <see cref="For"/> gives null when they do not fit in 64 bits.
/// </summary>
internal sealed class PlanKeyLayout
{
    private readonly int priorityBits, impactBits, reasonsBits, ruleBits, adviceBits;
    private readonly int maxPriority, maxReasons;
    private readonly double maxImpact;

    private PlanKeyLayout(int maxPriority, double maxImpact, int maxReasons, int rules, int advice)
    {
        (this.maxPriority, this.maxImpact, this.maxReasons) = (maxPriority, maxImpact, maxReasons);
        priorityBits = Bits((ulong)maxPriority);
        impactBits = Bits((ulong)maxImpact);
        reasonsBits = Bits((ulong)maxReasons);
        ruleBits = Bits((ulong)Math.Max(rules - 1, 0));
        adviceBits = Bits((ulong)Math.Max(advice - 1, 0));
        TotalBits = 1 + priorityBits + impactBits + reasonsBits + ruleBits + adviceBits;
    }

    public int TotalBits { get; }

    /// <summary>
    /// The layout for content with these many rules and advice items, at most
    /// <paramref name="maxReasons"/> rules behind one advice item, priorities up to
    /// <paramref name="maxPriority"/>, and <paramref name="maxOverallWeight"/> the largest factor
    /// share of the overall score (percent), which no impact exceeds.
    /// </summary>
    public static PlanKeyLayout? For(int rules, int advice, int maxReasons, double maxOverallWeight, int maxPriority)
    {
        if (!(maxOverallWeight >= 0) || maxOverallWeight > 1e6)
        {
            return null;
        }

        // One billionth more than the largest impact, in case the multiplication rounds up.
        var layout = new PlanKeyLayout(maxPriority, Math.Ceiling(maxOverallWeight * 1e9) + 1, maxReasons, rules, advice);
        return layout.TotalBits <= 64 ? layout : null;
    }

    /// <summary>An impact (in rounded billionths) the layout can hold.</summary>
    public bool Fits(double roundedImpact) => roundedImpact >= 0 && roundedImpact <= maxImpact;

    public ulong Pack(bool inFocus, int priority, double roundedImpact, int reasons, int firstRule, int advice)
    {
        var key = inFocus ? 0UL : 1UL;
        key = (key << priorityBits) | (uint)(maxPriority - priority);
        key = (key << impactBits) | ((ulong)maxImpact - (ulong)roundedImpact);
        key = (key << reasonsBits) | (uint)(maxReasons - reasons);
        key = (key << ruleBits) | (uint)firstRule;
        return (key << adviceBits) | (uint)advice;
    }

    public int Advice(ulong key) => (int)(key & ((1UL << adviceBits) - 1));

    private static int Bits(ulong value) => 64 - System.Numerics.BitOperations.LeadingZeroCount(value);
}
