using System.Net;
using System.Net.Sockets;
using AngleSharp.Html.Dom;
using AngleSharp.Html.Parser;
using Portal.Tests.TestSupport;

namespace Portal.Tests.Integration.Security;

/// <summary>What the sign-in abuse and header tests do over HTTP, in their own words.</summary>
public static class SecuritySteps
{
    public static Task<HttpResponseMessage> SignInAsync(HttpClient client, string email, string password) =>
        client.SubmitFormAsync("/Account/Login", "login", new() { ["Input.Email"] = email, ["Input.Password"] = password });

    public static Task<HttpResponseMessage> RegisterAsync(HttpClient client, string email, string password) =>
        client.SubmitFormAsync("/Account/Register", "register", new()
        {
            ["Input.Email"] = email,
            ["Input.Password"] = password,
            ["Input.ConfirmPassword"] = password,
        });

    public static Task<HttpResponseMessage> ForgotPasswordAsync(HttpClient client, string email) =>
        client.SubmitFormAsync("/Account/ForgotPassword", "forgot-password", new() { ["Input.Email"] = email });

    public static Task<HttpResponseMessage> ResendConfirmationAsync(HttpClient client, string email) =>
        client.SubmitFormAsync("/Account/ResendEmailConfirmation", "resend-email-confirmation", new() { ["Input.Email"] = email });

    /// <summary>The response itself, or for a redirect within the portal the page it leads to (GET).</summary>
    public static async Task<HttpResponseMessage> GetDocumentResponseAsync(this HttpClient client, HttpResponseMessage response) =>
        LeadsTo(response) is { } path ? await client.GetAsync(path) : response;

    /// <summary>Where a redirect leads (path and query), or null when the response is not a redirect.</summary>
    public static string? LeadsTo(HttpResponseMessage response) =>
        (int)response.StatusCode is >= 300 and < 400 && response.Headers.Location is { } location
            ? (location.IsAbsoluteUri ? location : new Uri(response.RequestMessage!.RequestUri!, location)).PathAndQuery
            : null;

    /// <summary>The text of the page's main content, whitespace collapsed, as a person reads it.</summary>
    public static async Task<string> MainTextAsync(HttpResponseMessage response)
    {
        var document = new HtmlParser().ParseDocument(await response.Content.ReadAsStringAsync());
        return Text(document);
    }

    public static string Text(IHtmlDocument document) =>
        string.Join(' ', (document.QuerySelector("main") ?? document.Body)!.TextContent.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));

    /// <summary>
    /// A client of a real (Kestrel) portal whose requests leave from the given loopback address,
    /// so a test can be two networks at once: Linux answers on all of 127.0.0.0/8.
    /// </summary>
    public static HttpClient ClientFrom(Uri portal, IPAddress from)
    {
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseCookies = true,
            CookieContainer = new CookieContainer(),
            ConnectCallback = async (context, token) =>
            {
                var socket = new Socket(from.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    socket.Bind(new IPEndPoint(from, 0));
                    await socket.ConnectAsync(context.DnsEndPoint, token);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        return new HttpClient(handler) { BaseAddress = portal };
    }
}
