using AngleSharp.Html.Dom;
using AngleSharp.Html.Parser;

namespace Portal.Tests.TestSupport;

/// <summary>Fills and posts the portal's server-rendered forms the way a browser would (antiforgery token included).</summary>
public static class HtmlForms
{
    /// <summary>
    /// The page a response carries, whatever its status; for a redirect within the portal (a
    /// form that posts, redirects, gets), the page it leads to, as a browser would show it.
    /// </summary>
    public static async Task<IHtmlDocument> GetDocumentFromAsync(this HttpClient client, HttpResponseMessage response)
    {
        if ((int)response.StatusCode is >= 300 and < 400 && response.Headers.Location is { } location
            && response.RequestMessage?.RequestUri is { } from && new Uri(from, location) is { } to && to.Host == from.Host)
        {
            response = await client.GetAsync(to);
        }

        return new HtmlParser().ParseDocument(await response.Content.ReadAsStringAsync());
    }

    public static async Task<IHtmlDocument> GetDocumentAsync(this HttpClient client, string url)
    {
        var response = await client.GetAsync(url);
        response.EnsureSuccessStatusCode();
        return new HtmlParser().ParseDocument(await response.Content.ReadAsStringAsync());
    }

    public static Task<HttpResponseMessage> SubmitFormAsync(
        this HttpClient client, string url, string formName, Dictionary<string, string> values) =>
        client.SubmitFormFieldsAsync(url, formName, values.ToList());

    /// <summary>Posts the form with these fields; a name may repeat (checkboxes).</summary>
    public static async Task<HttpResponseMessage> SubmitFormFieldsAsync(
        this HttpClient client, string url, string formName, IReadOnlyList<KeyValuePair<string, string>> values)
    {
        var document = await client.GetDocumentAsync(url);
        var form = document.Forms.FirstOrDefault(f => f.QuerySelector($"input[name=_handler][value='{formName}']") is not null)
            ?? throw new InvalidOperationException($"No form '{formName}' on {url}");

        var fields = form.Elements.OfType<IHtmlInputElement>()
            .Where(i => !string.IsNullOrEmpty(i.Name) && i.Type is "hidden")
            .ToDictionary(i => i.Name!, i => i.Value);
        foreach (var name in values.Select(v => v.Key).Distinct())
        {
            fields.Remove(name);
        }

        var action = string.IsNullOrEmpty(form.GetAttribute("action")) ? url : form.GetAttribute("action")!;
        return await client.PostAsync(action, new FormUrlEncodedContent(fields.Concat(values)));
    }
}
