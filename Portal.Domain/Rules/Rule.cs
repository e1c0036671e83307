using System.Collections.Immutable;

namespace Portal.Domain.Rules;

public enum Priority
{
    Low = 1,
    Medium = 2,
    High = 3,
}

public sealed record FollowUpEffect(string AdviceId, int AfterDays);

/// <summary>Caps the band of <see cref="Target"/> (a factor id or "overall") at <see cref="BandId"/>.</summary>
public sealed record CapEffect(string Target, string BandId);

/// <summary>What a rule does when it fires; any combination.</summary>
public sealed record RuleEffects(
    ImmutableArray<string> Advise,
    Priority Priority,
    ImmutableArray<string> Flags,
    ImmutableArray<FollowUpEffect> FollowUps,
    ImmutableArray<CapEffect> Caps,
    int Triage,
    string? Stage);

/// <summary>A rule of content/rules: when the condition holds, the effects apply.</summary>
public sealed record Rule(string Id, string Explain, Condition When, RuleEffects Then, string File, int Line);
