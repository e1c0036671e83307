using System.Collections.Immutable;

namespace Portal.Domain.Content;

public enum Audience
{
    Owner,
    Advisor,
}

/// <summary>The score level an advice item is written for.</summary>
public enum ScoreLevel
{
    Weak,
    Middling,
    Any,
}

/// <summary>One advice item (content/advice/ID.md): front matter plus a Markdown body.</summary>
public sealed record AdviceItem(
    string Id,
    string FactorId,
    string Title,
    Audience Audience,
    ScoreLevel ForScore,
    string Summary,
    ImmutableArray<SourceRef> Sources,
    string BodyMarkdown,
    string BodyHtml,
    string File);
