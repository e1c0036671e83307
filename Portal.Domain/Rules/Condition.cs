using System.Collections.Immutable;

namespace Portal.Domain.Rules;

/// <summary>
/// A condition of a rule or a show-if, as written in content. A closed set: every switch over
/// it is exhaustive (CS8509 is an error), so a new kind cannot be half-handled.
/// </summary>
public abstract record Condition;

public sealed record AllOf(ImmutableArray<Condition> Conditions) : Condition;

public sealed record AnyOf(ImmutableArray<Condition> Conditions) : Condition;

public sealed record Not(Condition Inner) : Condition;

/// <summary>Single: the answer is the option; multiple: the option is chosen. Option may be "dont-know".</summary>
public sealed record AnswerIs(string QuestionId, string OptionId) : Condition;

/// <summary>Single: the answer is one of the options; multiple: any of them is chosen.</summary>
public sealed record AnswerIn(string QuestionId, ImmutableArray<string> OptionIds) : Condition;

/// <summary>Scale or number value, or the count of chosen options or countries, is at least the value.</summary>
public sealed record AnswerAtLeast(string QuestionId, double Value) : Condition;

public sealed record AnswerAtMost(string QuestionId, double Value) : Condition;

/// <summary>The question is visible and answered (or, with false, not).</summary>
public sealed record AnswerGiven(string QuestionId, bool Answered) : Condition;

/// <summary>A number derived from profile answers: firm age, years to first export.</summary>
public sealed record DerivedAtLeast(DerivedField Field, double Value) : Condition;

public sealed record DerivedAtMost(DerivedField Field, double Value) : Condition;

/// <summary>A factor, pillar or overall score (false when not assessed).</summary>
public sealed record ScoreBelow(string Target, double Value) : Condition;

public sealed record ScoreAtLeast(string Target, double Value) : Condition;

public sealed record FlagSet(string FlagId) : Condition;

/// <summary>The stage, or its group, is one of the ids.</summary>
public sealed record StageIn(ImmutableArray<string> Ids) : Condition;

public enum DerivedField
{
    /// <summary>Years from the profile's <c>founded</c> to the year of the assessment.</summary>
    FirmAge,

    /// <summary>Years from <c>founded</c> to <c>ti.first-export-year</c>.</summary>
    YearsToFirstExport,
}

public static class DerivedFields
{
    public const string FoundedQuestion = "founded";
    public const string FirstExportYearQuestion = "ti.first-export-year";

    public static string Name(DerivedField field) => field switch
    {
        DerivedField.FirmAge => "firm-age",
        DerivedField.YearsToFirstExport => "years-to-first-export",
    };

    public static DerivedField? Parse(string name) => name switch
    {
        "firm-age" => DerivedField.FirmAge,
        "years-to-first-export" => DerivedField.YearsToFirstExport,
        _ => null,
    };
}

/// <summary>The score target that means the overall score.</summary>
public static class ScoreTargets
{
    public const string Overall = "overall";
}
