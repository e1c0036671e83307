using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc;
using HttpResults = Microsoft.AspNetCore.Http.Results;

namespace Portal.Web.Features.ScoringApi;

/// <summary>
/// Reads a JSON request body for the portal's APIs: the media type, a size limit and the syntax
/// are checked here, each refusal a problem+json with a message, so no body can cause a 500.
/// </summary>
public static class JsonRequest
{
    public sealed record Outcome(JsonDocument? Document, IResult? Problem);

    public static async Task<Outcome> ReadAsync(HttpContext http, int maxKilobytes)
    {
        var mediaType = http.Request.ContentType?.Split(';')[0].Trim();
        if (!string.Equals(mediaType, "application/json", StringComparison.OrdinalIgnoreCase))
        {
            return new(null, Problem(StatusCodes.Status415UnsupportedMediaType, "Send JSON",
                "The body must be JSON, sent with the header Content-Type: application/json."));
        }

        var body = await ReadLimitedAsync(http, maxKilobytes * 1024);
        if (body is null)
        {
            return new(null, Problem(StatusCodes.Status400BadRequest, "The body is too large",
                $"The body is larger than {maxKilobytes} KB. A full set of answers is a few kilobytes."));
        }

        try
        {
            // A byte-order mark some editors write is not an error.
            var start = body.AsSpan().StartsWith("\uFEFF"u8) ? 3 : 0;
            return new(JsonDocument.Parse(body.AsMemory(start), new JsonDocumentOptions { MaxDepth = 16 }), null);
        }
        catch (JsonException e)
        {
            return new(null, Problem(StatusCodes.Status400BadRequest, "The body is not valid JSON",
                $"The body could not be read as JSON: {e.Message}"));
        }
    }

    public static IResult Problem(int status, string title, string detail) =>
        HttpResults.Problem(new ProblemDetails { Status = status, Title = title, Detail = detail });

    /// <summary>Reads the body up to the limit; null when it is larger (not an exception, not a 500).</summary>
    private static async Task<byte[]?> ReadLimitedAsync(HttpContext http, int limit)
    {
        if (http.Request.ContentLength > limit)
        {
            return null;
        }

        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
        {
            size.MaxRequestBodySize = limit + 1L;
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[8192];
        try
        {
            int read;
            while ((read = await http.Request.Body.ReadAsync(chunk, http.RequestAborted)) > 0)
            {
                if (buffer.Length + read > limit)
                {
                    return null;
                }

                buffer.Write(chunk, 0, read);
            }
        }
        catch (BadHttpRequestException)
        {
            return null;
        }

        return buffer.ToArray();
    }
}
