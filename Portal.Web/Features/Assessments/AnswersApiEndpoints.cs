using System.Text.Json;
using System.Text.Json.Nodes;
using Portal.Domain.Content;
using Portal.Domain.Questionnaires;
using Portal.Web.Features.Accounts;
using Portal.Web.Features.ScoringApi;
using HttpResults = Microsoft.AspNetCore.Http.Results;

namespace Portal.Web.Features.Assessments;

/// <summary>
/// <c>POST /api/v1/assessment/answers</c>: the signed-in owner saves answers to the assessment in
/// progress as JSON (<c>{"answers": {"question-id": value, ...}}</c>, null clears one), for tools
/// that fill the questionnaire from a firm's own records. The same checks as the questionnaire
/// pages; a request with one unfit value stores nothing and names each problem.
/// </summary>
public static class AnswersApiEndpoints
{
    public const int MaxBodyKilobytes = 64;

    public static IEndpointRouteBuilder MapPortalAnswersApi(this IEndpointRouteBuilder endpoints)
    {
        // Cookie-authenticated but JSON only: a cross-site page cannot send application/json
        // without a CORS preflight (the portal allows none), and the SameSite=Lax sign-in cookie
        // is not sent on a cross-site POST, so no antiforgery token is needed.
        endpoints.MapPost("/api/v1/assessment/answers", SaveAsync)
            .RequireAuthorization(policy => policy.RequireRole(PortalRoles.Owner))
            .DisableAntiforgery()
            .WithName("SaveAnswers");
        return endpoints;
    }

    private static async Task<IResult> SaveAsync(HttpContext http, AssessmentService assessments, ContentCatalog catalog)
    {
        var read = await JsonRequest.ReadAsync(http, MaxBodyKilobytes);
        if (read.Document is not { } document)
        {
            return read.Problem!;
        }

        using (document)
        {
            var errors = new Dictionary<string, string[]>();
            var given = new List<(Question, JsonNode?)>();
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                errors["$"] = ["must be an object with \"answers\""];
            }
            else if (!TryRead(root, catalog.Current.Questionnaire, given, errors))
            {
                errors["$"] = ["contains text that is not valid Unicode"];
            }

            if (errors.Count > 0)
            {
                return Refuse(errors);
            }

            var result = await assessments.SaveAnswersAsync(http.User.UserId(), given, http.RequestAborted);
            if (result.Refused is { } refused)
            {
                return JsonRequest.Problem(StatusCodes.Status409Conflict, "No assessment in progress", refused);
            }

            if (result.Errors.Count > 0)
            {
                return Refuse(result.Errors.ToDictionary(e => $"answers.{e.Key}", e => new[] { e.Value }));
            }

            return HttpResults.Ok(new { saved = given.Count, percentDone = result.PercentDone });
        }
    }

    private static bool TryRead(JsonElement root, Questionnaire questionnaire, List<(Question, JsonNode?)> given, Dictionary<string, string[]> errors)
    {
        try
        {
            foreach (var property in root.EnumerateObject().Where(p => p.Name != "answers").Take(20))
            {
                errors[Clip(property.Name)] = ["is not expected: the body has \"answers\" only"];
            }

            if (root.EnumerateObject().Count(p => p.Name == "answers") > 1)
            {
                // A JSON reader keeps one of two "answers": the client cannot know which was saved.
                errors["answers"] = ["is given twice"];
            }
            else if (!root.TryGetProperty("answers", out var answers))
            {
                errors["answers"] = ["is missing: send {\"answers\": {\"question-id\": value}}"];
            }
            else if (answers.ValueKind != JsonValueKind.Object)
            {
                errors["answers"] = ["must be an object of question ids and values"];
            }
            else
            {
                foreach (var answer in answers.EnumerateObject())
                {
                    if (questionnaire.Find(answer.Name) is not { } question)
                    {
                        errors[$"answers.{Clip(answer.Name)}"] = ["is not a question of the questionnaire (GET /api/v1/questionnaire lists them)"];
                    }
                    else if (given.Any(g => g.Item1 == question))
                    {
                        errors[$"answers.{answer.Name}"] = ["is given twice"];
                    }
                    else
                    {
                        given.Add((question, answer.Value.ValueKind == JsonValueKind.Null ? null : JsonNode.Parse(answer.Value.GetRawText())));
                    }

                    if (errors.Count >= 50)
                    {
                        break; // enough to fix; a body of thousands of unknown ids does not get thousands back
                    }
                }
            }

            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    private static IResult Refuse(Dictionary<string, string[]> errors) =>
        HttpResults.ValidationProblem(errors, title: "Some answers cannot be saved",
            detail: "Each entry of 'errors' names an answer (by its JSON path) and what is wrong with it. Nothing was saved.");

    private static string Clip(string text) => text.Length <= 60 ? text : text[..57] + "...";
}
