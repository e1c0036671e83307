namespace Portal.Web.Features.FollowUps;

/// <summary>Times are stored in UTC and shown in the person's own time zone.</summary>
public static class TimeZones
{
    public static bool IsKnown(string id) => id.Length <= 100 && TimeZoneInfo.TryFindSystemTimeZoneById(id, out _);

    /// <summary>The person's zone, or UTC when they have none (or it is no longer known).</summary>
    public static TimeZoneInfo Resolve(string? id) =>
        id is not null && TimeZoneInfo.TryFindSystemTimeZoneById(id, out var zone) ? zone : TimeZoneInfo.Utc;

    public static DateTime ToLocal(DateTime utc, TimeZoneInfo zone) =>
        TimeZoneInfo.ConvertTimeFromUtc(DateTime.SpecifyKind(utc, DateTimeKind.Utc), zone);

    /// <summary>"11 December 2026" in the zone: the portal's pages are in English whatever the server's culture.</summary>
    public static string Date(DateTime utc, TimeZoneInfo zone) =>
        ToLocal(utc, zone).ToString("d MMMM yyyy", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>"11 December 2026, 09:30" in the zone.</summary>
    public static string DateAndTime(DateTime utc, TimeZoneInfo zone) =>
        ToLocal(utc, zone).ToString("d MMMM yyyy, HH:mm", System.Globalization.CultureInfo.InvariantCulture);

    public static string Name(TimeZoneInfo zone) => zone == TimeZoneInfo.Utc ? "UTC" : zone.Id;

    /// <summary>Every zone the server knows, by IANA id, for a list to choose from.</summary>
    public static IReadOnlyList<string> All { get; } =
        TimeZoneInfo.GetSystemTimeZones().Select(z => z.Id).Where(id => id.Contains('/', StringComparison.Ordinal) || id == "UTC").Order(StringComparer.Ordinal).ToList();
}
