using System.Collections.Frozen;
using Portal.Domain.Emails;
using Portal.Domain.Questionnaires;
using Portal.Domain.Rules;
using Portal.Domain.Scoring;

namespace Portal.Domain.Content;

/// <summary>
/// Everything in content/, loaded, checked and compiled: the model, the questionnaire, the
/// rules (in evaluation order), advice, sources and personas. Immutable and shared.
/// </summary>
public sealed class PortalContent
{
    internal PortalContent(
        CsfModel model,
        Questionnaire questionnaire,
        IReadOnlyList<Rule> rules,
        IReadOnlyList<FlagDefinition> flags,
        IReadOnlyDictionary<string, AdviceItem> advice,
        IReadOnlyDictionary<string, Source> sources,
        IReadOnlyDictionary<string, EmailTemplate> emailTemplates)
    {
        Model = model;
        Questionnaire = questionnaire;
        Rules = rules;
        Flags = flags;
        Advice = advice.ToFrozenDictionary();
        Sources = sources.ToFrozenDictionary();
        EmailTemplates = emailTemplates.ToFrozenDictionary();
        AdviceList = Advice.Values.OrderBy(a => a.Id, StringComparer.Ordinal).ToList();
        Compiled = new CompiledContent(this);
    }

    public string Version => Model.Version;

    public CsfModel Model { get; }

    public Questionnaire Questionnaire { get; }

    /// <summary>In evaluation order: a rule that reads a flag or the stage comes after the rules that set them.</summary>
    public IReadOnlyList<Rule> Rules { get; }

    /// <summary>Every flag: the engine's own and those declared in rules files.</summary>
    public IReadOnlyList<FlagDefinition> Flags { get; }

    public IReadOnlyDictionary<string, AdviceItem> Advice { get; }

    /// <summary>Advice items ordered by id; the index of an item is its position here.</summary>
    public IReadOnlyList<AdviceItem> AdviceList { get; }

    public IReadOnlyDictionary<string, Source> Sources { get; }

    /// <summary>Email templates by name (content/emails/NAME.liquid); every name in <see cref="EmailModels.Names"/> is present.</summary>
    public IReadOnlyDictionary<string, EmailTemplate> EmailTemplates { get; }

    public IReadOnlyList<Persona> Personas { get; internal set; } = [];

    internal CompiledContent Compiled { get; }

    public FlagDefinition? FindFlag(string id) => Flags.FirstOrDefault(f => f.Id == id);

    /// <summary>"Hutchinson et al. (2009), as reported by Bose" for a cited work; the short name for a paper.</summary>
    public string Cite(SourceRef source)
    {
        if (!Sources.TryGetValue(source.SourceId, out var entry))
        {
            return source.SourceId;
        }

        var text = entry.ReportedBy is { } by && Sources.TryGetValue(by, out var reporter)
            ? $"{entry.Short}, as reported by {reporter.Short}"
            : entry.Short;
        return string.IsNullOrEmpty(source.Section) ? text : $"{text}, {source.Section}";
    }
}
