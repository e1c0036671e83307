using Portal.Domain.Content;
using Portal.Domain.Questionnaires;

namespace Portal.Domain.Rules;

/// <summary>
/// Resolves the ids of a condition against the content. Each id that does not exist, and each
/// test that does not fit its question's kind, is reported through <c>report</c>.
/// </summary>
internal sealed class ConditionResolver(CsfModel model, Questionnaire questionnaire, IReadOnlyList<FlagDefinition> flags)
{
    public Resolved Resolve(Condition condition, Action<Condition, string> report)
    {
        switch (condition)
        {
            case AllOf all:
                return new ResolvedAll(all, all.Conditions.Select(c => Resolve(c, report)).ToArray());
            case AnyOf any:
                return new ResolvedAny(any, any.Conditions.Select(c => Resolve(c, report)).ToArray());
            case Not not:
                return new ResolvedNot(not, Resolve(not.Inner, report));
            case AnswerIs answerIs:
                return Match(answerIs, answerIs.QuestionId, [answerIs.OptionId], report);
            case AnswerIn answerIn:
                return Match(answerIn, answerIn.QuestionId, answerIn.OptionIds, report);
            case AnswerAtLeast atLeast:
                return Compare(atLeast, atLeast.QuestionId, atLeast.Value, atLeast: true, report);
            case AnswerAtMost atMost:
                return Compare(atMost, atMost.QuestionId, atMost.Value, atLeast: false, report);
            case AnswerGiven given:
                return Question(given.QuestionId, given, report) is { } q
                    ? new ResolvedGiven(given, q.Index, given.Answered)
                    : Nothing(given);
            case DerivedAtLeast derivedAtLeast:
                return Derived(derivedAtLeast, derivedAtLeast.Field, derivedAtLeast.Value, atLeast: true, report);
            case DerivedAtMost derivedAtMost:
                return Derived(derivedAtMost, derivedAtMost.Field, derivedAtMost.Value, atLeast: false, report);
            case ScoreBelow below:
                return Score(below, below.Target, below.Value, below: true, report);
            case ScoreAtLeast scoreAtLeast:
                return Score(scoreAtLeast, scoreAtLeast.Target, scoreAtLeast.Value, below: false, report);
            case FlagSet flagSet:
                var flag = flags.FirstOrDefault(f => f.Id == flagSet.FlagId);
                if (flag is null)
                {
                    report(flagSet, $"flag '{flagSet.FlagId}' is not declared (declare it under 'flags:' in a rules file)");
                    return Nothing(flagSet);
                }

                return new ResolvedFlag(flagSet, flag.Index);
            case StageIn stageIn:
                ulong ranks = 0;
                if (stageIn.Ids.IsDefaultOrEmpty)
                {
                    report(stageIn, "'stage' needs at least one stage or stage-group id");
                }

                foreach (var id in stageIn.Ids.IsDefault ? [] : stageIn.Ids)
                {
                    var matching = model.Stages.Where(s => s.Id == id || s.GroupId == id).ToList();
                    if (matching.Count == 0)
                    {
                        report(stageIn, $"'{id}' is neither a stage nor a stage group of model.yaml");
                    }

                    foreach (var stage in matching)
                    {
                        ranks |= 1UL << stage.Rank;
                    }
                }

                return new ResolvedStage(stageIn, ranks);
            default:
                throw new InvalidOperationException($"Unknown condition {condition.GetType().Name}");
        }
    }

    private static ResolvedAll Nothing(Condition source) => new(source, []);

    private Question? Question(string id, Condition condition, Action<Condition, string> report)
    {
        var question = questionnaire.Find(id);
        if (question is null)
        {
            report(condition, id.Contains('.', StringComparison.Ordinal)
                ? $"there is no question '{id}'"
                : $"there is no profile field '{id}'");
        }

        return question;
    }

    private Resolved Match(Condition condition, string questionId, IReadOnlyList<string> optionIds, Action<Condition, string> report)
    {
        if (Question(questionId, condition, report) is not { } question)
        {
            return Nothing(condition);
        }

        if (question.Kind is not (QuestionKind.Single or QuestionKind.Multiple))
        {
            var dontKnowOnly = optionIds.All(o => o == Questionnaires.Question.DontKnow);
            if (!dontKnowOnly)
            {
                report(condition, $"'{questionId}' is a {Kind(question)} question: test it with at-least or at-most, not is/in");
                return Nothing(condition);
            }
        }

        ulong mask = 0;
        var dontKnow = false;
        foreach (var optionId in optionIds)
        {
            if (optionId == Questionnaires.Question.DontKnow)
            {
                if (!question.OffersDontKnow)
                {
                    report(condition, $"question '{questionId}' does not offer \"don't know\" (add 'dont-know: true' to it)");
                }

                dontKnow = true;
                continue;
            }

            var option = question.FindOption(optionId);
            if (option is null)
            {
                report(condition, $"question '{questionId}' has no option '{optionId}' (its options: {string.Join(", ", question.Options.Select(o => o.Id))})");
                continue;
            }

            mask |= 1UL << option.Index;
        }

        return new ResolvedMatch(condition, question.Index, question.Kind, mask, dontKnow);
    }

    private Resolved Compare(Condition condition, string questionId, double value, bool atLeast, Action<Condition, string> report)
    {
        if (Question(questionId, condition, report) is not { } question)
        {
            return Nothing(condition);
        }

        if (question.Kind == QuestionKind.Single)
        {
            report(condition, $"'{questionId}' is a single-choice question: test it with is or in, not {(atLeast ? "at-least" : "at-most")}");
        }
        else if (question.Kind == QuestionKind.Scale && value is < 1 or > 5)
        {
            report(condition, $"'{questionId}' is a 1-5 scale: {value:0.##} is outside it");
        }

        return new ResolvedCompare(condition, question.Index, question.Kind, value, atLeast);
    }

    private Resolved Derived(Condition condition, DerivedField field, double value, bool atLeast, Action<Condition, string> report)
    {
        var needed = field == DerivedField.FirmAge
            ? [DerivedFields.FoundedQuestion]
            : new[] { DerivedFields.FoundedQuestion, DerivedFields.FirstExportYearQuestion };
        foreach (var id in needed.Where(id => questionnaire.Find(id) is null))
        {
            report(condition, $"'{DerivedFields.Name(field)}' needs the question '{id}', which does not exist");
        }

        return new ResolvedDerived(condition, field, value, atLeast);
    }

    private Resolved Score(Condition condition, string target, double value, bool below, Action<Condition, string> report)
    {
        if (value is < 0 or > 100)
        {
            report(condition, $"scores run from 0 to 100: {value:0.##} is outside");
        }

        if (target == ScoreTargets.Overall)
        {
            return new ResolvedScore(condition, ScoreScope.Overall, 0, value, below);
        }

        if (model.FindFactor(target) is { } factor)
        {
            return new ResolvedScore(condition, ScoreScope.Factor, factor.Index, value, below);
        }

        if (model.FindPillar(target) is { } pillar)
        {
            return new ResolvedScore(condition, ScoreScope.Pillar, pillar.Index, value, below);
        }

        report(condition, $"'{target}' is not a factor, a pillar or 'overall'");
        return Nothing(condition);
    }

    private static string Kind(Question question) => question.Kind.ToString().ToLowerInvariant();
}
