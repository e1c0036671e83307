using System.Net;
using AngleSharp.Html.Dom;

namespace Portal.Tests.TestSupport;

/// <summary>
/// HTTP clients of a portal on a real socket (<see cref="PortalAppOptions.RealServer"/>): each
/// its own connection and cookies, as separate browsers or tools would be.
/// </summary>
public static class RealClients
{
    /// <summary>The response header where each response carries how long it took, for failure messages.</summary>
    public const string ElapsedHeader = "X-Test-Elapsed-Ms";

    public static HttpClient Create(Uri baseAddress) =>
        new(new Timing(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = true, CookieContainer = new CookieContainer() }))
        {
            BaseAddress = baseAddress,
            Timeout = TimeSpan.FromSeconds(100),
        };

    public static string Elapsed(HttpResponseMessage response) =>
        response.Headers.TryGetValues(ElapsedHeader, out var values) ? $"{values.First()} ms" : "? ms";

    private sealed class Timing(HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            var response = await base.SendAsync(request, cancellationToken);
            response.Headers.TryAddWithoutValidation(ElapsedHeader, ((int)System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds).ToString(System.Globalization.CultureInfo.InvariantCulture));
            return response;
        }
    }

    /// <summary>A client signed in through the real sign-in form.</summary>
    public static async Task<HttpClient> SignedInAsync(Uri baseAddress, string email, string password)
    {
        var client = Create(baseAddress);
        var response = await client.SubmitFormAsync("/Account/Login", "login", new()
        {
            ["Input.Email"] = email,
            ["Input.Password"] = password,
        });
        if (response.StatusCode != HttpStatusCode.Redirect)
        {
            throw new InvalidOperationException($"Sign-in of {email} failed: {(int)response.StatusCode}");
        }

        return client;
    }

    /// <summary>
    /// The fields of a form as the page shows it now (antiforgery token included), to post
    /// later: two tabs that opened the same page before either posted.
    /// </summary>
    public static async Task<FormUrlEncodedContent> OpenFormAsync(this HttpClient client, string url, string formName, Dictionary<string, string>? values = null)
    {
        var response = await client.GetAsync(url);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new InvalidOperationException($"{url} answered {(int)response.StatusCode} {response.Headers.Location} after {Elapsed(response)}, not the page with form '{formName}'");
        }

        var document = new AngleSharp.Html.Parser.HtmlParser().ParseDocument(await response.Content.ReadAsStringAsync());
        var form = document.Forms.FirstOrDefault(f => f.QuerySelector($"input[name=_handler][value='{formName}']") is not null)
            ?? throw new InvalidOperationException($"No form '{formName}' on {url}");
        var fields = form.Elements.OfType<IHtmlInputElement>()
            .Where(i => !string.IsNullOrEmpty(i.Name) && i.Type is "hidden")
            .ToDictionary(i => i.Name!, i => i.Value);
        foreach (var (name, value) in values ?? [])
        {
            fields[name] = value;
        }

        return new FormUrlEncodedContent(fields);
    }
}
