using Portal.Domain.Questionnaires;
using Portal.Domain.Scoring;

namespace Portal.Domain.Rules;

/// <summary>A condition with its ids resolved to indexes and masks, ready to evaluate.</summary>
internal abstract record Resolved(Condition Source);

internal sealed record ResolvedAll(Condition Source, Resolved[] Items) : Resolved(Source);

internal sealed record ResolvedAny(Condition Source, Resolved[] Items) : Resolved(Source);

internal sealed record ResolvedNot(Condition Source, Resolved Inner) : Resolved(Source);

/// <summary>is / in: the answer is (or includes) one of the options in <see cref="Mask"/>, or is "don't know".</summary>
internal sealed record ResolvedMatch(Condition Source, int Question, QuestionKind Kind, ulong Mask, bool DontKnow) : Resolved(Source);

internal sealed record ResolvedCompare(Condition Source, int Question, QuestionKind Kind, double Value, bool AtLeast) : Resolved(Source);

internal sealed record ResolvedGiven(Condition Source, int Question, bool Answered) : Resolved(Source);

internal sealed record ResolvedDerived(Condition Source, DerivedField Field, double Value, bool AtLeast) : Resolved(Source);

internal enum ScoreScope
{
    Factor,
    Pillar,
    Overall,
}

internal sealed record ResolvedScore(Condition Source, ScoreScope Scope, int Index, double Value, bool Below) : Resolved(Source);

internal sealed record ResolvedFlag(Condition Source, int Flag) : Resolved(Source);

/// <summary>Bit i set: stage rank i matches.</summary>
internal sealed record ResolvedStage(Condition Source, ulong Ranks) : Resolved(Source);

/// <summary>What conditions read while they are evaluated.</summary>
internal interface IConditionState
{
    /// <summary>The answer, or None when the question is hidden or unanswered.</summary>
    AnswerValue Answer(int question);

    double? Derived(DerivedField field);

    /// <summary>NaN when not assessed.</summary>
    double Score(ScoreScope scope, int index);

    bool Flag(int flag);

    int StageRank { get; }
}

/// <summary>The meaning of each leaf, shared by the compiled and the interpreted evaluation.</summary>
internal static class Leaf
{
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public static bool Match(in AnswerValue answer, QuestionKind kind, ulong mask, bool dontKnow) => answer.Kind switch
    {
        AnswerKind.DontKnow => dontKnow,
        AnswerKind.Option => ((mask >> answer.Option) & 1UL) != 0,
        AnswerKind.Options => (answer.Options & mask) != 0,
        _ => false,
    };

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public static bool Compare(in AnswerValue answer, QuestionKind kind, double value, bool atLeast)
    {
        double actual;
        switch (answer.Kind)
        {
            case AnswerKind.Number:
                actual = answer.Number;
                break;
            case AnswerKind.Options:
            case AnswerKind.Countries:
                actual = answer.Count;
                break;
            default:
                return false;
        }

        return atLeast ? actual >= value : actual <= value;
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public static bool Derived(double? actual, double value, bool atLeast) =>
        actual is { } a && (atLeast ? a >= value : a <= value);

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public static bool Score(double score, double value, bool below) =>
        !double.IsNaN(score) && (below ? score < value : score >= value);

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public static bool Stage(int rank, ulong ranks) => rank >= 0 && ((ranks >> rank) & 1UL) != 0;
}

internal static class ConditionInterpreter
{
    public static bool Evaluate(Resolved condition, IConditionState state) => condition switch
    {
        ResolvedAll all => all.Items.All(i => Evaluate(i, state)),
        ResolvedAny any => any.Items.Any(i => Evaluate(i, state)),
        ResolvedNot not => !Evaluate(not.Inner, state),
        ResolvedMatch m => Leaf.Match(state.Answer(m.Question), m.Kind, m.Mask, m.DontKnow),
        ResolvedCompare c => Leaf.Compare(state.Answer(c.Question), c.Kind, c.Value, c.AtLeast),
        ResolvedGiven g => state.Answer(g.Question).HasValue == g.Answered,
        ResolvedDerived d => Leaf.Derived(state.Derived(d.Field), d.Value, d.AtLeast),
        ResolvedScore s => Leaf.Score(state.Score(s.Scope, s.Index), s.Value, s.Below),
        ResolvedFlag f => state.Flag(f.Flag),
        ResolvedStage st => Leaf.Stage(state.StageRank, st.Ranks),
        _ => throw new InvalidOperationException($"Unknown condition {condition.GetType().Name}"),
    };
}
