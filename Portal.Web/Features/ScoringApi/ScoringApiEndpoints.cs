using System.Text.Json;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using Portal.Domain.Content;
using Portal.Domain.Scoring;
using Portal.Web.Configuration;
using Portal.Web.Features.Security;
using HttpResults = Microsoft.AspNetCore.Http.Results;

namespace Portal.Web.Features.ScoringApi;

/// <summary>
/// <c>GET /api/v1/questionnaire</c> and <c>POST /api/v1/score</c>: the questionnaire as JSON, and
/// anonymous what-if scoring that stores nothing. Every bad request gets a 400 with problem
/// details naming what is wrong; nothing the client sends can cause a 500.
/// </summary>
public static class ScoringApiEndpoints
{
    public const string RateLimitPolicy = "score-api";

    public static WebApplicationBuilder AddPortalScoringApi(this WebApplicationBuilder builder)
    {
        builder.Services.AddValidatedOptions<ScoringApiOptions>(ScoringApiOptions.SectionName);
        builder.Services.AddProblemDetails();
        // Refused requests get 429 with Retry-After and problem details (Features/Security).
        builder.Services.AddRateLimiter(limiter => limiter.AddPolicy(RateLimitPolicy, context =>
        {
            var permits = context.RequestServices.GetRequiredService<IOptions<ScoringApiOptions>>().Value.PermitsPerMinute;
            return RateLimitPartition.GetFixedWindowLimiter(
                ClientAddress.PartitionKey(context),
                _ => new FixedWindowRateLimiterOptions { PermitLimit = permits, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 });
        }));
        return builder;
    }

    public static IEndpointRouteBuilder MapPortalScoringApi(this IEndpointRouteBuilder endpoints)
    {
        var api = endpoints.MapGroup("/api/v1").AllowAnonymous();
        api.MapGet("/questionnaire", (ContentCatalog catalog) =>
            HttpResults.Text(QuestionnaireJson.GetValue(catalog.Current, c => ResultJson.Questionnaire(c).ToJsonString(Json)), "application/json; charset=utf-8"))
            .WithName("GetQuestionnaire");
        api.MapPost("/score", ScoreAsync)
            .RequireRateLimiting(RateLimitPolicy)
            .DisableAntiforgery() // an anonymous JSON API that stores nothing: no cookie to forge a request with
            .WithName("ScoreAnswers");
        return endpoints;
    }

    private static async Task<IResult> ScoreAsync(HttpContext http, ContentCatalog catalog, IOptions<ScoringApiOptions> options, TimeProvider clock)
    {
        var read = await JsonRequest.ReadAsync(http, options.Value.MaxBodyKilobytes);
        if (read.Document is not { } document)
        {
            return read.Problem!;
        }

        using (document)
        {
            var root = document.RootElement;
            var errors = new Dictionary<string, string[]>();
            if (root.ValueKind == JsonValueKind.Object)
            {
                try
                {
                    foreach (var property in root.EnumerateObject().Where(p => p.Name is not ("profile" or "answers")).Take(20))
                    {
                        errors[Clip(property.Name)] = ["is not expected: the body has \"profile\" and \"answers\" only"];
                    }
                }
                catch (InvalidOperationException)
                {
                    errors["$"] = ["contains text that is not valid Unicode"];
                }
            }

            var content = catalog.Current;
            var parsed = AnswerSet.Parse(content.Questionnaire, root, clock.GetUtcNow().Year);
            foreach (var problem in parsed.Problems)
            {
                errors[problem.Path] = errors.TryGetValue(problem.Path, out var existing) ? [.. existing, problem.Message] : [problem.Message];
            }

            if (errors.Count > 0 || parsed.Answers is null)
            {
                return HttpResults.ValidationProblem(errors, title: "Some answers cannot be scored",
                    detail: "Each entry of 'errors' names an answer (by its JSON path) and what is wrong with it. Nothing was stored.");
            }

            var result = Assessor.Assess(content, parsed.Answers);
            return HttpResults.Text(ResultJson.From(result).ToJsonString(Json), "application/json; charset=utf-8");
        }
    }

    /// <summary>The questionnaire's JSON, built once per content (about 90 KB; it never changes while the content does not).</summary>
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<PortalContent, string> QuestionnaireJson = new();

    private static IResult Problem(int status, string title, string detail) => JsonRequest.Problem(status, title, detail);

    private static string Clip(string text) => text.Length <= 60 ? text : text[..57] + "...";

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = false,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };
}
