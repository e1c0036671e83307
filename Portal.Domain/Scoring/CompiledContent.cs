using Portal.Domain.Content;
using Portal.Domain.Plans;
using Portal.Domain.Questionnaires;
using Portal.Domain.Rules;

namespace Portal.Domain.Scoring;

/// <summary>
/// The content turned into arrays and delegates once, so scoring an assessment does no
/// lookups: show-if and rule conditions compiled, option points and question maxima
/// precomputed, effects resolved to indexes.
/// </summary>
internal sealed class CompiledContent
{
    public CompiledContent(PortalContent content)
    {
        var model = content.Model;
        var questions = content.Questionnaire.Questions;
        var resolver = new ConditionResolver(model, content.Questionnaire, content.Flags);
        Resolved Resolve(Condition c) => resolver.Resolve(c, (_, message) => throw new InvalidOperationException($"Content was not validated: {message}"));

        QuestionCount = questions.Count;
        ShowIfResolved = questions.Select(q => q.ShowIf is null ? null : Resolve(q.ShowIf)).ToArray();
        VisibilityOrder = ShowIfOrder.Compute(content.Questionnaire) ?? throw new InvalidOperationException("Content was not validated: show-if cycle");
        VisibilityProgram = global::Portal.Domain.Rules.RuleProgram.CompileVisibility(VisibilityOrder, ShowIfResolved);

        Kinds = questions.Select(q => q.Kind).ToArray();
        MaxPoints = questions.Select(q => q.Section.IsProfile ? 0 : q.MaxPoints).ToArray();
        Weights = questions.Select(q => q.Section.IsProfile ? 0 : q.Weight).ToArray();
        OptionPoints = questions.Select(q => q.Options.Select(o => o.Points).ToArray()).ToArray();
        Thresholds = questions.Select(q => q.Thresholds.ToArray()).ToArray();
        FactorQuestions = model.Factors
            .Select(f => content.Questionnaire.FindSection(f.Id)!.Questions.Where(q => q.Weight > 0 && q.MaxPoints > 0).Select(q => q.Index).ToArray())
            .ToArray();
        FactorWeights = model.Factors.Select(f => f.Weight).ToArray();
        FactorPillar = model.Factors.Select(f => f.Pillar.Index).ToArray();
        PillarWeights = model.Pillars.Select(p => p.Weight).ToArray();
        BandMins = model.Bands.Select(b => b.Min).ToArray();
        DontKnowFlag = content.FindFlag(CsfModel.DontKnowFlag)!.Index;
        StageGroupIndex = model.Stages.Select(s => s.GroupIndex(model)).ToArray();
        GroupFocus = model.StageGroups.Select(g => model.Pillars.Select(p => g.Focus.Contains(p.Id)).ToArray()).ToArray();
        DefaultStageRank = model.DefaultStage.Rank;
        FoundedQuestion = content.Questionnaire.Find(DerivedFields.FoundedQuestion)?.Index ?? -1;
        FirstExportQuestion = content.Questionnaire.Find(DerivedFields.FirstExportYearQuestion)?.Index ?? -1;

        var adviceIndex = content.AdviceList.Select((a, i) => (a.Id, i)).ToDictionary(x => x.Id, x => x.i);
        AdviceFactor = content.AdviceList.Select(a => model.FindFactor(a.FactorId)!.Index).ToArray();
        RuleResolved = content.Rules.Select(r => Resolve(r.When)).ToArray();
        RuleEffects = content.Rules.Select(r => new CompiledEffects(
            r.Then.Advise.Select(a => adviceIndex[a]).Distinct().ToArray(), // a rule is one reason for an advice item, however often it names it
            r.Then.Priority,
            r.Then.Flags.Select(f => content.FindFlag(f)!.Index).ToArray(),
            r.Then.FollowUps.Select(f => (adviceIndex[f.AdviceId], f.AfterDays)).ToArray(),
            r.Then.Caps.Select(c => (c.Target == ScoreTargets.Overall ? -1 : model.FindFactor(c.Target)!.Index, model.FindBand(c.BandId).Rank)).ToArray(),
            r.Then.Triage,
            r.Then.Stage is { } s ? model.FindStage(s).Rank : -1)).ToArray();
        var effects = RuleEffects;
        RuleProgram = global::Portal.Domain.Rules.RuleProgram.Compile(RuleResolved, (e, rule) => Assessor.Fire(e, effects[rule], rule));
        AdviceRules = content.AdviceList
            .Select((_, a) => Enumerable.Range(0, RuleEffects.Length).Where(r => Array.IndexOf(RuleEffects[r].Advice, a) >= 0).ToArray())
            .ToArray();

        // Arrays of the content's objects and per-advice facts, so building a result indexes
        // arrays instead of walking IReadOnlyLists (interface calls, boxed enumerators).
        Rules = content.Rules.ToArray();
        Advice = content.AdviceList.ToArray();
        Factors = model.Factors.ToArray();
        Pillars = model.Pillars.ToArray();
        Bands = model.Bands.ToArray();
        Stages = model.Stages.ToArray();
        FlagList = content.Flags.ToArray();
        AdviceRuleObjects = AdviceRules.Select(rules => rules.Select(r => Rules[r]).ToArray()).ToArray();
        AdvicePillar = AdviceFactor.Select(f => model.Factors[f].Pillar.Index).ToArray();
        AdviceOverallWeight = AdviceFactor.Select(f => model.Factors[f].OverallWeight).ToArray();
        StageFocus = model.Stages.Select(s => GroupFocus[StageGroupIndex[s.Rank]]).ToArray();
        PlanKeys = PlanKeyLayout.For(Rules.Length, Advice.Length, AdviceRules.Select(r => r.Length).DefaultIfEmpty(0).Max(),
            AdviceOverallWeight.DefaultIfEmpty(0).Max(), Enum.GetValues<Priority>().Select(p => (int)p).Max());
        KnockoutBand = model.Factors.Select(f => f.Knockout is { } k ? model.FindBand(k.CapBandId) : null).ToArray();
    }

    public int QuestionCount { get; }

    public Resolved?[] ShowIfResolved { get; }

    /// <summary>Sets <see cref="Evaluation.Visible"/> for every question, show-ifs compiled (<see cref="Rules.RuleProgram"/>).</summary>
    public Action<Evaluation>[] VisibilityProgram { get; }

    /// <summary>Question indexes ordered so that a show-if is evaluated after the questions it reads.</summary>
    public int[] VisibilityOrder { get; }

    public QuestionKind[] Kinds { get; }

    public double[] MaxPoints { get; }

    public double[] Weights { get; }

    public double[][] OptionPoints { get; }

    public Threshold[][] Thresholds { get; }

    /// <summary>Per factor: the indexes of its questions that can score.</summary>
    public int[][] FactorQuestions { get; }

    public double[] FactorWeights { get; }

    public int[] FactorPillar { get; }

    public double[] PillarWeights { get; }

    public double[] BandMins { get; }

    public int DontKnowFlag { get; }

    /// <summary>Per stage rank: the index of its stage group.</summary>
    public int[] StageGroupIndex { get; }

    /// <summary>Per advice index: the rules (by index) that advise it.</summary>
    public int[][] AdviceRules { get; private set; } = [];

    /// <summary>Per stage group (model order), per pillar: is the pillar in the group's focus.</summary>
    public bool[][] GroupFocus { get; }

    public int DefaultStageRank { get; }

    public int FoundedQuestion { get; }

    public int FirstExportQuestion { get; }

    public int[] AdviceFactor { get; }

    public Resolved[] RuleResolved { get; }

    public CompiledEffects[] RuleEffects { get; }

    /// <summary>The rules as compiled code, run in order; each fired rule's effects applied as it fires.</summary>
    public Action<Evaluation>[] RuleProgram { get; }

    /// <summary>Content order: <see cref="PortalContent.AdviceList"/> is ordered by id, so comparing advice indexes compares ids (ordinal).</summary>
    public AdviceItem[] Advice { get; }

    public Rule[] Rules { get; }

    public Factor[] Factors { get; }

    public Pillar[] Pillars { get; }

    public Band[] Bands { get; }

    public Stage[] Stages { get; }

    public FlagDefinition[] FlagList { get; }

    /// <summary>Per advice index: the rules that advise it (<see cref="AdviceRules"/> as objects); never modified.</summary>
    public Rule[][] AdviceRuleObjects { get; }

    /// <summary>Per advice index: the pillar index of its factor (for the stage group's focus).</summary>
    public int[] AdvicePillar { get; }

    /// <summary>Per advice index: its factor's share of the overall score, in percent.</summary>
    public double[] AdviceOverallWeight { get; }

    /// <summary>Per stage rank, per pillar: is the pillar in the focus of the stage's group.</summary>
    public bool[][] StageFocus { get; }

    /// <summary>How the action plan's sort keys pack into 64 bits; null when this content's sizes do not fit.</summary>
    public PlanKeyLayout? PlanKeys { get; }

    /// <summary>Per factor: the band a knock-out caps the overall band at, or null without a knock-out.</summary>
    public Band?[] KnockoutBand { get; }

    public int BandRank(double score)
    {
        var rank = 0;
        for (var i = 1; i < BandMins.Length; i++)
        {
            if (score >= BandMins[i])
            {
                rank = i;
            }
        }

        return rank;
    }
}

internal sealed record CompiledEffects(
    int[] Advice,
    Priority Priority,
    int[] Flags,
    (int Advice, int Days)[] FollowUps,
    (int Factor, int BandRank)[] Caps,
    int Triage,
    int StageRank);

/// <summary>Orders questions so each show-if reads only questions already decided; null on a cycle.</summary>
internal static class ShowIfOrder
{
    public static int[]? Compute(Questionnaire questionnaire)
    {
        var dependencies = questionnaire.Questions.Select(q => Dependencies(q, questionnaire).ToList()).ToList();
        var order = new List<int>();
        var state = new int[questionnaire.Questions.Count]; // 0 new, 1 visiting, 2 done
        foreach (var question in questionnaire.Questions)
        {
            if (!Visit(question.Index))
            {
                return null;
            }
        }

        return order.ToArray();

        bool Visit(int index)
        {
            if (state[index] == 2)
            {
                return true;
            }

            if (state[index] == 1)
            {
                return false;
            }

            state[index] = 1;
            foreach (var dependency in dependencies[index])
            {
                if (!Visit(dependency))
                {
                    return false;
                }
            }

            state[index] = 2;
            order.Add(index);
            return true;
        }
    }

    /// <summary>The questions a question's show-if reads.</summary>
    public static IEnumerable<int> Dependencies(Question question, Questionnaire questionnaire) =>
        question.ShowIf is null ? [] : ConditionQuestions(question.ShowIf)
            .Select(id => questionnaire.Find(id)?.Index ?? -1)
            .Where(i => i >= 0)
            .Distinct();

    public static IEnumerable<string> ConditionQuestions(Condition condition) => condition switch
    {
        AllOf all => all.Conditions.SelectMany(ConditionQuestions),
        AnyOf any => any.Conditions.SelectMany(ConditionQuestions),
        Not not => ConditionQuestions(not.Inner),
        AnswerIs c => [c.QuestionId],
        AnswerIn c => [c.QuestionId],
        AnswerAtLeast c => [c.QuestionId],
        AnswerAtMost c => [c.QuestionId],
        AnswerGiven c => [c.QuestionId],
        DerivedAtLeast c => DerivedQuestions(c.Field),
        DerivedAtMost c => DerivedQuestions(c.Field),
        _ => [],
    };

    private static string[] DerivedQuestions(DerivedField field) => field == DerivedField.FirmAge
        ? [DerivedFields.FoundedQuestion]
        : [DerivedFields.FoundedQuestion, DerivedFields.FirstExportYearQuestion];
}
