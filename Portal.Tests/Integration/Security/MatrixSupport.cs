using System.Globalization;
using Microsoft.AspNetCore.WebUtilities;
using Portal.Tests.TestSupport;

namespace Portal.Tests.Integration.Security;

/// <summary>
/// What a caller gets: a status code, and for a redirect where it leads. Written in the table as
/// a number (200, 403, 404...), <see cref="SignIn"/> (302 to the sign-in page, back to the
/// address asked for) or <see cref="To"/> (302 elsewhere).
/// </summary>
public sealed record Outcome(int Status, string? Location = null, bool ToSignIn = false)
{
    public static readonly Outcome SignIn = new(302, "/Account/Login", ToSignIn: true);

    public static Outcome To(string location) => new(302, location);

    public static implicit operator Outcome(int status) => new(status);

    /// <summary>Null when the answer is this outcome, else what differs.</summary>
    public string? Mismatch(HttpResponseMessage response, Uri requested)
    {
        var status = (int)response.StatusCode;
        if (status != Status)
        {
            var where = response.Headers.Location is { } l ? $" to {new Uri(requested, l).PathAndQuery}" : "";
            return $"expected {this}, got {status}{where}";
        }

        if (Location is null)
        {
            return null;
        }

        if (response.Headers.Location is not { } location)
        {
            return $"expected {this}, got {status} without a Location";
        }

        var target = new Uri(requested, location);
        if (target.Authority != requested.Authority)
        {
            return $"expected {this}, got a redirect off the portal to {target}";
        }

        if (ToSignIn)
        {
            var returnUrl = QueryHelpers.ParseQuery(target.Query).TryGetValue("ReturnUrl", out var r) ? r.ToString() : null;
            return target.AbsolutePath == Location && returnUrl == requested.PathAndQuery
                ? null
                : $"expected {this} (ReturnUrl={requested.PathAndQuery}), got {target.PathAndQuery}";
        }

        var actual = Location.Contains('?', StringComparison.Ordinal) ? target.PathAndQuery : target.AbsolutePath;
        return actual == Location ? null : $"expected {this}, got 302 to {target.PathAndQuery}";
    }

    public override string ToString() => ToSignIn ? "302 to sign in" : Location is null ? Status.ToString(CultureInfo.InvariantCulture) : $"302 to {Location}";
}

/// <summary>The body a row sends (for the routes that take one).</summary>
public abstract record RequestBody
{
    public abstract Task<HttpContent> ContentAsync(SecurityFixture fixture, Caller caller);

    /// <summary>A form, with a valid antiforgery token for the caller when <paramref name="Antiforgery"/> (as a browser would post it).</summary>
    public sealed record Form(bool Antiforgery, params (string Name, string Value)[] Fields) : RequestBody
    {
        public override async Task<HttpContent> ContentAsync(SecurityFixture fixture, Caller caller)
        {
            var fields = Fields.Select(f => KeyValuePair.Create(f.Name, f.Value)).ToList();
            if (Antiforgery)
            {
                fields.Add(KeyValuePair.Create("__RequestVerificationToken", await fixture.AntiforgeryTokenAsync(caller)));
            }

            return SecurityFixture.Form(fields);
        }
    }

    /// <summary>
    /// JSON, with the caller's antiforgery token in the <c>RequestVerificationToken</c> header
    /// when <paramref name="Antiforgery"/> (as a page's script would send it).
    /// </summary>
    public sealed record Json(string Text, bool Antiforgery = false) : RequestBody
    {
        public override async Task<HttpContent> ContentAsync(SecurityFixture fixture, Caller caller)
        {
            var content = SecurityFixture.Json(Text);
            if (Antiforgery)
            {
                // Sent with the content's headers, which reach the server as request headers like any other.
                content.Headers.TryAddWithoutValidation("RequestVerificationToken", await fixture.AntiforgeryTokenAsync(caller));
            }

            return content;
        }
    }

    public sealed record Empty : RequestBody
    {
        public override Task<HttpContent> ContentAsync(SecurityFixture fixture, Caller caller) => Task.FromResult<HttpContent>(new ByteArrayContent([]));
    }
}

/// <summary>
/// One row of the matrix: the route (its template exactly as the route table has it), the
/// method, the URL with placeholders, and one outcome per <see cref="Caller"/> in enum order.
/// </summary>
public sealed record MatrixRow(string Template, string Method, string Url, RequestBody? Body, Outcome[] Expected)
{
    public string Key => $"{Method} {Url}";

    /// <summary>The URL carries a signed token that grants what it shows to whoever holds it, so no name is out of bounds.</summary>
    public bool TokenGrantsAccess { get; init; }

    public MatrixRow GrantedByToken() => this with { TokenGrantsAccess = true };

    /// <summary>The URL for a caller (see <see cref="Placeholders.Fill"/>).</summary>
    public string UrlFor(SecurityFixture f, Caller caller) => Placeholders.Fill(Url, f, caller);

    public async Task<HttpResponseMessage> SendAsync(SecurityFixture f, Caller caller)
    {
        var request = new HttpRequestMessage(new HttpMethod(Method), UrlFor(f, caller));
        if (Body is not null)
        {
            request.Content = await Body.ContentAsync(f, caller);
        }

        return await f.SendAsync(caller, request);
    }
}

/// <summary>The placeholders tables write URLs with.</summary>
public static class Placeholders
{
    /// <summary>
    /// {firm} and {assessment} are the caller's subject firm's (firm B's for the advisor without
    /// consent, firm A's for everyone else); {print} is a fresh print token for that assessment;
    /// the rest are the fixture's.
    /// </summary>
    public static string Fill(string template, SecurityFixture f, Caller caller)
    {
        var subject = f.SubjectOf(caller);
        var url = template
            .Replace("{firm}", subject.FirmId.ToString(), StringComparison.Ordinal)
            .Replace("{assessment}", subject.AssessmentId.ToString(), StringComparison.Ordinal)
            .Replace("{print}", Uri.EscapeDataString(f.PrintToken(subject.AssessmentId)), StringComparison.Ordinal)
            .Replace("{organisation}", f.Organisation1.ToString(), StringComparison.Ordinal)
            .Replace("{programme}", f.Programme1.ToString(), StringComparison.Ordinal)
            .Replace("{cohort}", f.Cohort1.ToString(), StringComparison.Ordinal)
            .Replace("{advice}", f.AdviceId, StringComparison.Ordinal)
            .Replace("{section}", f.SectionId, StringComparison.Ordinal)
            .Replace("{question}", Uri.EscapeDataString(f.QuestionId), StringComparison.Ordinal)
            .Replace("{invitation}", Uri.EscapeDataString(f.InvitationToken), StringComparison.Ordinal)
            .Replace("{unsubscribe}", Uri.EscapeDataString(f.UnsubscribeToken), StringComparison.Ordinal);
        Assert.False(url.Contains('{', StringComparison.Ordinal), $"{template}: a placeholder the fixture does not fill");
        return url;
    }
}

/// <summary>Shorthands the table is written with.</summary>
public static class Matrix
{
    public static MatrixRow Get(string template, string url, params Outcome[] expected) => new(template, "GET", url, null, expected);

    public static MatrixRow Get(string template, params Outcome[] expected) => new(template, "GET", template, null, expected);

    public static MatrixRow Post(string template, string url, RequestBody body, params Outcome[] expected) => new(template, "POST", url, body, expected);

    public static RequestBody.Form Form(params (string Name, string Value)[] fields) => new(Antiforgery: true, fields);

    public static RequestBody.Form FormWithoutToken(params (string Name, string Value)[] fields) => new(Antiforgery: false, fields);

    public static readonly Outcome SignIn = Outcome.SignIn;

    public static Outcome To(string location) => Outcome.To(location);
}
