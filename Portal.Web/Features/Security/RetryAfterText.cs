using System.Globalization;

namespace Portal.Web.Features.Security;

/// <summary>A Retry-After in words, rounded up so that trying again when told always works.</summary>
public static class RetryAfterText
{
    public static string Describe(int seconds) => seconds switch
    {
        <= 1 => "1 second",
        < 60 => $"{seconds.ToString(CultureInfo.InvariantCulture)} seconds",
        <= 60 => "1 minute",
        < 7200 => $"{((seconds + 59) / 60).ToString(CultureInfo.InvariantCulture)} minutes",
        _ => $"{((seconds + 3599) / 3600).ToString(CultureInfo.InvariantCulture)} hours",
    };

    public static string? FromHeader(string? retryAfter) =>
        int.TryParse(retryAfter, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) ? Describe(seconds) : null;
}
