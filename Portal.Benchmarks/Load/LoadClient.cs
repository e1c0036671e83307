using System.Diagnostics;
using System.Net;
using System.Text.RegularExpressions;

namespace Portal.Benchmarks.Load;

/// <summary>What one request gave: its kind, status, time, and the page when the caller needs it.</summary>
public sealed record Outcome(string Kind, string Url, int Status, double Milliseconds, DateTime StartedAt, string? Body);

/// <summary>
/// One simulated person: their own connection and cookies, signed in through the real
/// sign-in form (antiforgery token from the page), sending one request at a time.
/// </summary>
public sealed partial class LoadClient(HttpClient http, string email) : IDisposable
{
    public string Email { get; } = email;

    public static LoadClient Create(Uri url, string email) =>
        new(new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = true, CookieContainer = new CookieContainer() })
        {
            BaseAddress = url,
            Timeout = TimeSpan.FromSeconds(60),
        }, email);

    public async Task<Outcome> GetAsync(string kind, string url, bool keepBody = false, CancellationToken ct = default) =>
        await SendAsync(kind, new HttpRequestMessage(HttpMethod.Get, url), keepBody, ct);

    public async Task<Outcome> PostAsync(string kind, string url, HttpContent content, CancellationToken ct = default) =>
        await SendAsync(kind, new HttpRequestMessage(HttpMethod.Post, url) { Content = content }, keepBody: true, ct);

    /// <summary>Posts a form of the page as a browser would: its hidden fields (the antiforgery token) and these values.</summary>
    public async Task<(Outcome Page, Outcome? Post)> SubmitFormAsync(string kind, string url, string formName, IReadOnlyDictionary<string, string> values, CancellationToken ct = default)
    {
        var page = await GetAsync($"{kind} (page)", url, keepBody: true, ct);
        // A form without a token is not one to fill in: the portal renders empty, hidden forms
        // only so that a late second click of a double click reaches its handler.
        if (page.Status != 200 || HiddenFields(page.Body!, formName) is not { } fields || !fields.ContainsKey("__RequestVerificationToken"))
        {
            return (page, null);
        }

        foreach (var (name, value) in values)
        {
            fields[name] = value;
        }

        return (page, await PostAsync(kind, url, new FormUrlEncodedContent(fields), ct));
    }

    private async Task<Outcome> SendAsync(string kind, HttpRequestMessage request, bool keepBody, CancellationToken ct)
    {
        using (request)
        {
            var startedAt = DateTime.UtcNow;
            var started = Stopwatch.GetTimestamp();
            try
            {
                using var response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, ct);
                var body = keepBody || !response.IsSuccessStatusCode && (int)response.StatusCode is not (>= 300 and < 400)
                    ? await response.Content.ReadAsStringAsync(ct)
                    : null;
                return new Outcome(kind, request.RequestUri!.OriginalString, (int)response.StatusCode, Stopwatch.GetElapsedTime(started).TotalMilliseconds, startedAt, body);
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
            {
                // No answer at all (refused, reset, timed out): an error with status 0.
                return new Outcome(kind, request.RequestUri!.OriginalString, 0, Stopwatch.GetElapsedTime(started).TotalMilliseconds, startedAt, e.Message);
            }
        }
    }

    /// <summary>The hidden fields of the form named <paramref name="formName"/> (Blazor's _handler), or null when the page has none.</summary>
    public static Dictionary<string, string>? HiddenFields(string html, string formName)
    {
        foreach (Match form in FormPattern().Matches(html))
        {
            var fields = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (Match input in InputPattern().Matches(form.Value))
            {
                var tag = input.Value;
                if (Attribute(tag, "type") == "hidden" && Attribute(tag, "name") is { } name)
                {
                    fields[name] = Attribute(tag, "value") ?? "";
                }
            }

            if (fields.TryGetValue("_handler", out var handler) && handler == formName)
            {
                return fields;
            }
        }

        return null;
    }

    public static IEnumerable<string> Links(string html, string prefix) =>
        LinkPattern().Matches(html).Select(m => WebUtility.HtmlDecode(m.Groups[1].Value)).Where(h => h.StartsWith(prefix, StringComparison.Ordinal)).Distinct();

    /// <summary>The values a select offers, for filters that the page itself lists.</summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<string>> SelectOptions(string html) =>
        SelectPattern().Matches(html).ToDictionary(
            m => m.Groups[1].Value,
            m => (IReadOnlyList<string>)OptionPattern().Matches(m.Groups[2].Value).Select(o => WebUtility.HtmlDecode(o.Groups[1].Value)).Where(v => v.Length > 0).ToList());

    private static string? Attribute(string tag, string name)
    {
        var match = Regex.Match(tag, "\\s" + name + "=\"([^\"]*)\"", RegexOptions.IgnoreCase);
        return match.Success ? WebUtility.HtmlDecode(match.Groups[1].Value) : null;
    }

    [GeneratedRegex("<form\\b.*?</form>", RegexOptions.Singleline | RegexOptions.IgnoreCase)]
    private static partial Regex FormPattern();

    [GeneratedRegex("<input\\b[^>]*>", RegexOptions.IgnoreCase)]
    private static partial Regex InputPattern();

    [GeneratedRegex("href=\"/?([^\"]*)\"", RegexOptions.IgnoreCase)]
    private static partial Regex LinkPattern();

    [GeneratedRegex("<select\\b[^>]*\\sname=\"([^\"]+)\"[^>]*>(.*?)</select>", RegexOptions.Singleline | RegexOptions.IgnoreCase)]
    private static partial Regex SelectPattern();

    [GeneratedRegex("<option\\b[^>]*\\svalue=\"([^\"]*)\"", RegexOptions.IgnoreCase)]
    private static partial Regex OptionPattern();

    public void Dispose() => http.Dispose();
}
