namespace Portal.Web.Features.Results.Charts;

/// <summary>One labelled score for <see cref="RadarChart"/> and <see cref="ScoreBars"/>.</summary>
/// <param name="Label">The factor or pillar name shown next to the score.</param>
/// <param name="Value">The score, 0-100; null when not assessed.</param>
/// <param name="Previous">The score of the previous assessment, 0-100; null when there is none.</param>
/// <param name="Threshold">The line below which the score is a gap; null when there is none.</param>
public sealed record ChartPoint(string Label, double? Value, double? Previous = null, double? Threshold = null);
