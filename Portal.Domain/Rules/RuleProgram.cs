using System.Linq.Expressions;
using System.Runtime.CompilerServices;
using Portal.Domain.Scoring;

namespace Portal.Domain.Rules;

/// <summary>
/// The content's rules compiled at content load into a few methods of straight-line code: each
/// rule's condition inlined as ordinary branches, and its effects written out (constants, no
/// loops) to apply when it fires. Evaluated rule by rule as delegates (one per rule, nested ones per all / any / not),
/// every assessment made several hundred indirect calls whose targets change from call to call,
/// which the processor mispredicts: that, not the tests themselves, was most of the rules' time.
/// The rules run in the same order, each seeing the effects of those before it, as before.
/// </summary>
internal static class RuleProgram
{
    /// <summary>
    /// Rules per compiled method. One method for all of them would grow with the content until
    /// the JIT gives up optimising it (it stops at a few thousand basic blocks); a handful of calls
    /// per assessment costs nothing measurable.
    /// </summary>
    public const int RulesPerMethod = 24;

    /// <summary>
    /// Compiles the rules; <paramref name="fire"/> gives, for the evaluation parameter and a
    /// rule's index, the code that applies the rule's effects when it fires.
    /// </summary>
    public static Action<Evaluation>[] Compile(Resolved[] conditions, Func<ParameterExpression, int, Expression> fire)
    {
        var methods = new List<Action<Evaluation>>();
        for (var from = 0; from < conditions.Length; from += RulesPerMethod)
        {
            methods.Add(Chunk(conditions, from, Math.Min(conditions.Length, from + RulesPerMethod), fire).Compile());
        }

        return methods.ToArray();
    }

    /// <summary>
    /// Which questions apply, the same way: each question's show-if (in an order where it reads
    /// only questions already decided) inlined, writing the evaluation's visibility.
    /// </summary>
    public static Action<Evaluation>[] CompileVisibility(int[] order, Resolved?[] showIf)
    {
        var methods = new List<Action<Evaluation>>();
        for (var from = 0; from < order.Length; from += 4 * RulesPerMethod)
        {
            var to = Math.Min(order.Length, from + 4 * RulesPerMethod);
            var state = new State();
            var body = new List<Expression>(state.Loads);
            for (var i = from; i < to; i++)
            {
                var q = order[i];
                Expression visible = showIf[q] is { } condition ? Test(condition, state) : Expression.Constant(true);
                body.Add(Expression.Assign(Expression.ArrayAccess(state.Visible, Expression.Constant(q)), visible));
            }

            methods.Add(Expression.Lambda<Action<Evaluation>>(Expression.Block(state.Variables, body), $"visibility_{from}_{to - 1}", [state.E]).Compile());
        }

        return methods.ToArray();
    }

    /// <summary>One condition as a method of its own, compiled the way the rules are (tests compare it with the interpreter).</summary>
    public static Func<Evaluation, bool> CompileOne(Resolved condition)
    {
        var state = new State();
        return Expression.Lambda<Func<Evaluation, bool>>(Expression.Block(state.Variables, [.. state.Loads, Test(condition, state)]), state.E).Compile();
    }

    private static Expression<Action<Evaluation>> Chunk(Resolved[] conditions, int from, int to, Func<ParameterExpression, int, Expression> fire)
    {
        var state = new State();
        var body = new List<Expression>(state.Loads);
        for (var r = from; r < to; r++)
        {
            body.Add(Expression.IfThen(Test(conditions[r], state), fire(state.E, r)));
        }

        return Expression.Lambda<Action<Evaluation>>(Expression.Block(state.Variables, body), $"rules_{from}_{to - 1}", [state.E]);
    }

    /// <summary>
    /// The evaluation and the arrays the tests read, loaded into locals once per method. The
    /// arrays' contents change as rules fire (flags), the arrays do not; the stage and the overall
    /// score are read from the evaluation at each test, since rules before it may have set them.
    /// </summary>
    private sealed class State
    {
        public ParameterExpression E { get; } = Expression.Parameter(typeof(Evaluation), "e");

        public ParameterExpression Visible { get; } = Expression.Variable(typeof(bool[]), "visible");

        public ParameterExpression Answers { get; } = Expression.Variable(typeof(AnswerValue[]), "answers");

        public ParameterExpression FactorScores { get; } = Expression.Variable(typeof(double[]), "factorScores");

        public ParameterExpression PillarScores { get; } = Expression.Variable(typeof(double[]), "pillarScores");

        public ParameterExpression Flags { get; } = Expression.Variable(typeof(bool[]), "flags");

        public ParameterExpression[] Variables => [Visible, Answers, FactorScores, PillarScores, Flags];

        public Expression[] Loads =>
        [
            Expression.Assign(Visible, Expression.Property(E, nameof(Evaluation.Visible))),
            Expression.Assign(Answers, Expression.Property(E, nameof(Evaluation.Answers))),
            Expression.Assign(FactorScores, Expression.Property(E, nameof(Evaluation.FactorScores))),
            Expression.Assign(PillarScores, Expression.Property(E, nameof(Evaluation.PillarScores))),
            Expression.Assign(Flags, Expression.Property(E, nameof(Evaluation.Flags))),
        ];
    }

    /// <summary>The same meaning as <see cref="ConditionInterpreter"/> (both use Leaf's functions), as an expression to compile.</summary>
    private static Expression Test(Resolved condition, State s)
    {
        switch (condition)
        {
            case ResolvedAll all:
                return all.Items.Length == 0
                    ? Expression.Constant(true)
                    : all.Items.Select(i => Test(i, s)).Aggregate(Expression.AndAlso);
            case ResolvedAny any:
                return any.Items.Length == 0
                    ? Expression.Constant(false)
                    : any.Items.Select(i => Test(i, s)).Aggregate(Expression.OrElse);
            case ResolvedNot not:
                return Expression.Not(Test(not.Inner, s));
            case ResolvedMatch m:
                return Call(nameof(Leaves.Match), s.Visible, s.Answers, Expression.Constant(m.Question), Expression.Constant(m.Mask), Expression.Constant(m.DontKnow));
            case ResolvedCompare c:
                return Call(nameof(Leaves.Compare), s.Visible, s.Answers, Expression.Constant(c.Question), Expression.Constant(c.Value), Expression.Constant(c.AtLeast));
            case ResolvedGiven g:
                return Call(nameof(Leaves.Given), s.Visible, s.Answers, Expression.Constant(g.Question), Expression.Constant(g.Answered));
            case ResolvedDerived d:
                return Expression.Call(typeof(Leaf).GetMethod(nameof(Leaf.Derived))!,
                    Expression.Call(s.E, typeof(Evaluation).GetMethod(nameof(Evaluation.Derived))!, Expression.Constant(d.Field)),
                    Expression.Constant(d.Value), Expression.Constant(d.AtLeast));
            case ResolvedScore score:
                Expression value = score.Scope switch
                {
                    ScoreScope.Factor => Expression.ArrayIndex(s.FactorScores, Expression.Constant(score.Index)),
                    ScoreScope.Pillar => Expression.ArrayIndex(s.PillarScores, Expression.Constant(score.Index)),
                    _ => Expression.Property(s.E, nameof(Evaluation.OverallScore)),
                };
                return Expression.Call(typeof(Leaf).GetMethod(nameof(Leaf.Score))!, value, Expression.Constant(score.Value), Expression.Constant(score.Below));
            case ResolvedFlag f:
                return Expression.ArrayIndex(s.Flags, Expression.Constant(f.Flag));
            case ResolvedStage st:
                return Expression.Call(typeof(Leaf).GetMethod(nameof(Leaf.Stage))!, Expression.Property(s.E, nameof(Evaluation.StageRank)), Expression.Constant(st.Ranks));
            default:
                throw new InvalidOperationException($"Unknown condition {condition.GetType().Name}");
        }
    }

    private static MethodCallExpression Call(string leaf, params Expression[] arguments) =>
        Expression.Call(typeof(Leaves).GetMethod(leaf)!, arguments);

    /// <summary>The answer leaves with the visibility check, small enough for the JIT to inline into the compiled methods.</summary>
    internal static class Leaves
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static bool Match(bool[] visible, AnswerValue[] answers, int question, ulong mask, bool dontKnow) =>
            visible[question] && Leaf.Match(in answers[question], default, mask, dontKnow);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static bool Compare(bool[] visible, AnswerValue[] answers, int question, double value, bool atLeast) =>
            visible[question] && Leaf.Compare(in answers[question], default, value, atLeast);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static bool Given(bool[] visible, AnswerValue[] answers, int question, bool answered) =>
            (visible[question] && answers[question].HasValue) == answered;
    }
}
