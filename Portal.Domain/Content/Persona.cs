using System.Collections.Immutable;
using Portal.Domain.Scoring;

namespace Portal.Domain.Content;

/// <summary>
/// A case firm of the papers as a set of answers (content/personas/ID.json), with the stage,
/// flags and top advice we expect, reasoned from what the paper reports.
/// </summary>
public sealed record Persona(
    string Id,
    string Name,
    SourceRef Source,
    string Rationale,
    string ExpectedStage,
    ImmutableArray<string> ExpectedFlags,
    ImmutableArray<string> ExpectedTopAdvice,
    AnswerSet Answers,
    string File);
