using System.Globalization;

namespace Portal.Web.Features.Programmes;

/// <summary>
/// How the cohort's figures are rounded and written, the same on the dashboard and in the
/// exports, so a number copied from one matches the other.
/// </summary>
public static class CohortFigures
{
    /// <summary>A firm's score as every page shows it: a whole number, halves away from zero.</summary>
    public static double Whole(double score) => Math.Round(score, MidpointRounding.AwayFromZero);

    /// <summary>
    /// A figure over many firms (mean, quartile, average change): one decimal, halves away from
    /// zero. The first rounding clears floating-point noise, so a mean that is exactly 41.95 is
    /// 42.0 whichever order the database added the scores in (41.949999... would give 41.9).
    /// </summary>
    public static double OneDecimal(double value) => Math.Round(Math.Round(value, 9), 1, MidpointRounding.AwayFromZero) + 0.0; // + 0.0: no "-0"

    public static string Text(double value) => OneDecimal(value).ToString("0.0", CultureInfo.InvariantCulture);

    /// <summary>"+3.5", "-1.0", "0.0": a change reads as one.</summary>
    public static string Change(double value)
    {
        var rounded = OneDecimal(value);
        return rounded > 0 ? "+" + Text(rounded) : Text(rounded);
    }

    /// <summary>
    /// The p-quantile of sorted values by linear interpolation between the closest ranks,
    /// the method of a spreadsheet's QUARTILE.INC and PERCENTILE.INC, so a person can check
    /// the export's quartiles in their spreadsheet.
    /// </summary>
    public static double Quantile(IReadOnlyList<double> sorted, double p)
    {
        if (sorted.Count == 0)
        {
            throw new ArgumentException("No values.", nameof(sorted));
        }

        var h = (sorted.Count - 1) * p;
        var low = (int)Math.Floor(h);
        var high = Math.Min(low + 1, sorted.Count - 1);
        return sorted[low] + ((h - low) * (sorted[high] - sorted[low]));
    }

    public static string Percent(int part, int whole) =>
        whole == 0 ? "0%" : Math.Round(100.0 * part / whole, MidpointRounding.AwayFromZero).ToString("0", CultureInfo.InvariantCulture) + "%";
}
