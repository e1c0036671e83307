using System.Text.Json;
using System.Text.Json.Serialization;
using Portal.Domain.Content;
using Portal.Domain.Rules;

namespace Portal.Domain.Scoring;

/// <summary>
/// A result as stored and shown: scores, bands, caps, stage, flags, the ranked plan with its
/// reasons, follow-ups, triage and the trace, in plain values. It is what the score command
/// prints, what the API returns, and what is kept with a submitted assessment, so a result
/// stays readable after the content changes.
/// </summary>
public sealed record AssessmentReport(
    string ContentVersion,
    OverallReport Overall,
    IReadOnlyList<PillarReport> Pillars,
    IReadOnlyList<FactorReport> Factors,
    StageReport Stage,
    IReadOnlyList<FlagReport> Flags,
    IReadOnlyList<PlanItemReport> ActionPlan,
    IReadOnlyList<FollowUpReport> FollowUps,
    int TriagePriority,
    IReadOnlyList<TraceReport> Trace)
{
    public static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public string ToJson(bool indented = false) =>
        JsonSerializer.Serialize(this, indented ? new JsonSerializerOptions(JsonOptions) { WriteIndented = true } : JsonOptions);

    public static AssessmentReport FromJson(string json) =>
        JsonSerializer.Deserialize<AssessmentReport>(json, JsonOptions) ?? throw new JsonException("Empty report.");

    public FactorReport? Factor(string id) => Factors.FirstOrDefault(f => f.Id == id);

    public static AssessmentReport From(AssessmentResult result)
    {
        var content = result.Content;
        return new AssessmentReport(
            result.ContentVersion,
            new OverallReport(
                Round(result.OverallScore),
                Band(result.OverallBand),
                result.UncappedOverallBand?.Id,
                result.Caps.Select(c => new CapReport(c.Target, c.Band.Id, c.Band.Name, c.Reason == CapReason.Knockout ? "knockout" : "rule",
                    c.Factor?.Id, c.Rule?.Id, c.Explanation)).ToList()),
            result.Pillars.Select(p => new PillarReport(p.Pillar.Id, p.Pillar.Name, p.Pillar.Weight, Round(p.Score), p.Band?.Id)).ToList(),
            result.Factors.Select(f => Factor(result, f)).ToList(),
            new StageReport(result.Stage.Id, result.Stage.Name, result.Stage.Description, result.StageGroup.Id, result.StageGroup.Name),
            result.Flags.Select(f => new FlagReport(f.Id, f.Name, f.Description)).ToList(),
            result.ActionPlan.Select((item, i) => new PlanItemReport(
                i + 1,
                item.Advice.Id,
                item.Advice.Title,
                item.Advice.Summary,
                item.Advice.FactorId,
                item.Audience == Audience.Owner ? "owner" : "advisor",
                item.Priority.ToString().ToLowerInvariant(),
                item.InFocus,
                Math.Round(item.Impact, 2),
                Sources(content, item.Advice.Sources),
                item.Because.Select(r => new ReasonReport(r.Id, r.Explain, Evidence(result.EvidenceFor(r)))).ToList())).ToList(),
            result.FollowUps.Select(f => new FollowUpReport(f.Advice.Id, f.Advice.Title, f.AfterDays, f.Because.Id)).ToList(),
            result.TriagePriority,
            result.Trace.Select(t => new TraceReport(t.Rule.Id, t.Rule.File, t.Fired, t.Rule.Explain, Evidence(t.Evidence))).ToList());
    }

    private static FactorReport Factor(AssessmentResult result, FactorResult f)
    {
        var explanation = result.Explain(f.Factor);
        return new FactorReport(
            f.Factor.Id, f.Factor.Name, f.Factor.Pillar.Id, f.Factor.Weight, Round(f.Score), f.Band?.Id, f.UncappedBand?.Id,
            f.Factor.Threshold, f.IsGap, f.Answered, f.Asked, explanation.Summary,
            explanation.Questions.Select(q => new QuestionScoreReport(q.Question.Id, q.Question.Text, q.Answer,
                Math.Round(q.Points, 2), q.MaxPoints, q.Weight, q.Counted, q.Note)).ToList());
    }

    private static IReadOnlyList<EvidenceReport> Evidence(IReadOnlyList<Evidence> evidence) =>
        evidence.Select(e => new EvidenceReport(e.Text, e.QuestionId)).ToList();

    private static IReadOnlyList<SourceReport> Sources(PortalContent content, IEnumerable<SourceRef> sources) =>
        sources.Select(s => new SourceReport(s.SourceId, s.Section, content.Cite(s))).ToList();

    private static BandReport? Band(Band? band) => band is null ? null : new BandReport(band.Id, band.Name, band.Meaning);

    private static double? Round(double? value) => value is { } v ? Math.Round(v, 1) : null;
}

public sealed record OverallReport(double? Score, BandReport? Band, string? UncappedBand, IReadOnlyList<CapReport> Caps);

public sealed record BandReport(string Id, string Name, string Meaning);

public sealed record CapReport(string Target, string Band, string BandName, string Reason, string? Factor, string? Rule, string Explanation);

public sealed record PillarReport(string Id, string Name, double Weight, double? Score, string? Band);

public sealed record FactorReport(
    string Id, string Name, string Pillar, double Weight, double? Score, string? Band, string? UncappedBand,
    double Threshold, bool IsGap, int Answered, int Asked, string Explanation, IReadOnlyList<QuestionScoreReport> Questions);

public sealed record QuestionScoreReport(string Id, string Text, string Answer, double Points, double MaxPoints, double Weight, bool Counted, string Note);

public sealed record StageReport(string Id, string Name, string Description, string Group, string GroupName);

public sealed record FlagReport(string Id, string Name, string Description);

public sealed record PlanItemReport(
    int Rank, string Advice, string Title, string Summary, string Factor, string Audience, string Priority, bool InFocus,
    double Impact, IReadOnlyList<SourceReport> Sources, IReadOnlyList<ReasonReport> Because);

public sealed record SourceReport(string Id, string? Section, string Citation);

public sealed record ReasonReport(string Rule, string Explain, IReadOnlyList<EvidenceReport> Evidence);

public sealed record EvidenceReport(string Text, string? Question);

public sealed record FollowUpReport(string Advice, string Title, int AfterDays, string Rule);

public sealed record TraceReport(string Rule, string File, bool Fired, string Explain, IReadOnlyList<EvidenceReport> Evidence);
