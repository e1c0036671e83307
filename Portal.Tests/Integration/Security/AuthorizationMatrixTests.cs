using System.Text;
using Portal.Tests.TestSupport;
using static Portal.Tests.Integration.Security.Matrix;

namespace Portal.Tests.Integration.Security;

/// <summary>
/// Every route of the portal, from its own route table, asked by every kind of caller; the
/// expected answers are the table below. A route missing from the table fails, and so does a row
/// whose route is gone. Answers are read without following redirects.
/// </summary>
public sealed class AuthorizationMatrixTests(SecurityFixture f) : IClassFixture<SecurityFixture>
{
    /// <summary>The body of the anonymous score API's row: a persona's profile and answers.</summary>
    internal static readonly string ScoreBody = PersonaBody("lew-a");

    // Columns (enum Caller): anonymous | owner of firm A | owner of firm B | advisor of org 1 on firm A
    // (A shares: with consent) | the same advisor on firm B (B does not share: without consent) |
    // advisor of org 2 | staff of programme 1 (firm A is in its cohort) | staff of programme 2 | admin.
    // {firm} and {assessment} are firm A's for every column but the fifth, which gets firm B's.
    public static readonly MatrixRow[] Table =
    [
        //                                                                   anon    ownerA  ownerB  adv+    adv-    adv2    staff1  staff2  admin
        // Public pages and APIs
        Get("/",                                                             200,    200,    200,    200,    200,    200,    200,    200,    200),
        Get("/health",                                                       200,    200,    200,    200,    200,    200,    200,    200,    200),
        Get("/api/v1/questionnaire",                                         200,    200,    200,    200,    200,    200,    200,    200,    200),
        Post("/api/v1/score", "/api/v1/score", new RequestBody.Json(ScoreBody),
                                                                             200,    200,    200,    200,    200,    200,    200,    200,    200),
        Get("/advice/{Id}", "/advice/{advice}",                              SignIn, 200,    200,    200,    200,    200,    200,    200,    200),
        Get("/advice/{Id}", "/advice/no-such-advice",                        SignIn, 404,    404,    404,    404,    404,    404,    404,    404),

        // Error pages (Development: no exception handler, so /Error is a plain page)
        Get("/Error",                                                        200,    200,    200,    200,    200,    200,    200,    200,    200),
        Get("/error/{Code:int}", "/error/404",                               404,    404,    404,    404,    404,    404,    404,    404,    404),
        Get("/not-found",                                                    200,    200,    200,    200,    200,    200,    200,    200,    200),

        // Emails: links that carry their own signed token, so no sign-in
        Get("/email/unsubscribe", "/email/unsubscribe?token={unsubscribe}",  200,    200,    200,    200,    200,    200,    200,    200,    200),
        Get("/email/unsubscribe", "/email/unsubscribe?token=forged",         400,    400,    400,    400,    400,    400,    400,    400,    400),
        Post("/email/unsubscribe/one-click", "/email/unsubscribe/one-click?token={unsubscribe}", FormWithoutToken(("List-Unsubscribe", "One-Click")),
                                                                             200,    200,    200,    200,    200,    200,    200,    200,    200),
        Post("/email/unsubscribe/one-click", "/email/unsubscribe/one-click?token=forged", FormWithoutToken(("List-Unsubscribe", "One-Click")),
                                                                             400,    400,    400,    400,    400,    400,    400,    400,    400),
        Get("/settings/emails",                                              SignIn, 200,    200,    200,    200,    200,    200,    200,    200),

        // Programme invitations: anyone may read one; only an owner may accept it
        Get("/programmes/join", "/programmes/join?token={invitation}",       200,    200,    200,    403,    403,    403,    403,    403,    403),
        Get("/programmes/join", "/programmes/join?token=forged",             400,    400,    400,    400,    400,    400,    400,    400,    400),

        // The owner's own firm
        Get("/assessment",                                                   SignIn, 200,    200,    403,    403,    403,    403,    403,    403),
        // Firm A has submitted and has nothing in progress; firm B is reassessing
        Get("/assessment/check",                                             SignIn, To("/assessment"), 200, 403,    403,    403,    403,    403,    403),
        Get("/assessment/section/{SectionId}", "/assessment/section/{section}",
                                                                             SignIn, To("/assessment"), 200, 403,    403,    403,    403,    403,    403),
        Get("/firm/sharing",                                                 SignIn, 200,    200,    403,    403,    403,    403,    403,    403),
        Get("/firm/programmes",                                              SignIn, 200,    200,    403,    403,    403,    403,    403,    403),
        Get("/firm/activity",                                                SignIn, 200,    200,    403,    403,    403,    403,    403,    403),
        Get("/firm/data",                                                    SignIn, 200,    200,    403,    403,    403,    403,    403,    403),
        Get("/firm/data/export",                                             SignIn, 200,    200,    403,    403,    403,    403,    403,    403),
        Get("/firm/data/delete",                                             SignIn, 200,    200,    403,    403,    403,    403,    403,    403),
        Get("/firm/data/deleted",                                            200,    200,    200,    200,    200,    200,    200,    200,    200),
        // The answers API: a program gets 401, not a sign-in page; an empty batch changes nothing
        Post("/api/v1/assessment/answers", "/api/v1/assessment/answers", new RequestBody.Json("""{"answers": {}}"""),
                                                                             401,    200,    200,    403,    403,    403,    403,    403,    403),
        Get("/results/{Id:guid}", "/results/{assessment}",                   SignIn, 200,    404,    403,    403,    403,    403,    403,    403),
        Get("/results/{id:guid}/report.pdf", "/results/{assessment}/report.pdf",
                                                                             SignIn, 200,    404,    403,    403,    403,    403,    403,    403),
        // What Chromium prints: the signed token is the authority, whoever holds it
        Get("/results/{Id:guid}/print", "/results/{assessment}/print?token={print}",
                                                                             200,    200,    200,    200,    200,    200,    200,    200,    200).GrantedByToken(),
        Get("/results/{Id:guid}/print", "/results/{assessment}/print",       404,    404,    404,    404,    404,    404,    404,    404,    404),

        // Advisors: only firms that share with their organisation
        Get("/advisor",                                                      SignIn, 403,    403,    200,    200,    200,    403,    403,    403),
        Get("/advisor/withdrawn",                                            SignIn, 403,    403,    200,    200,    200,    403,    403,    403),
        Get("/advisor/firms/{FirmId:guid}", "/advisor/firms/{firm}",         SignIn, 403,    403,    200,    404,    404,    403,    403,    403),
        Get("/advisor/firms/{FirmId:guid}/answers/{QuestionId}", "/advisor/firms/{firm}/answers/{question}",
                                                                             SignIn, 403,    403,    200,    404,    404,    403,    403,    403),

        // Programme staff: only their programmes
        Get("/programmes",                                                   SignIn, 403,    403,    403,    403,    403,    200,    200,    403),
        Get("/programmes/content",                                           SignIn, 403,    403,    403,    403,    403,    200,    200,    403),
        Get("/programmes/{Id:guid}", "/programmes/{programme}",              SignIn, 403,    403,    403,    403,    403,    200,    404,    403),
        Get("/programmes/{Id:guid}/cohorts/{CohortId:guid}", "/programmes/{programme}/cohorts/{cohort}",
                                                                             SignIn, 403,    403,    403,    403,    403,    200,    404,    403),
        Get("/programmes/{ProgrammeId:guid}/cohorts/{CohortId:guid}/dashboard", "/programmes/{programme}/cohorts/{cohort}/dashboard",
                                                                             SignIn, 403,    403,    403,    403,    403,    200,    404,    403),
        Get("/programmes/{ProgrammeId:guid}/cohorts/{CohortId:guid}/rescore", "/programmes/{programme}/cohorts/{cohort}/rescore",
                                                                             SignIn, 403,    403,    403,    403,    403,    200,    404,    403),
        Get("/programmes/{programmeId:guid}/cohorts/{cohortId:guid}/export/firms.csv", "/programmes/{programme}/cohorts/{cohort}/export/firms.csv",
                                                                             SignIn, 403,    403,    403,    403,    403,    200,    404,    403),
        Get("/programmes/{programmeId:guid}/cohorts/{cohortId:guid}/export/firms.xlsx", "/programmes/{programme}/cohorts/{cohort}/export/firms.xlsx",
                                                                             SignIn, 403,    403,    403,    403,    403,    200,    404,    403),
        Get("/programmes/{programmeId:guid}/cohorts/{cohortId:guid}/export/factors.csv", "/programmes/{programme}/cohorts/{cohort}/export/factors.csv",
                                                                             SignIn, 403,    403,    403,    403,    403,    200,    404,    403),
        Get("/programmes/{programmeId:guid}/cohorts/{cohortId:guid}/export/factors.xlsx", "/programmes/{programme}/cohorts/{cohort}/export/factors.xlsx",
                                                                             SignIn, 403,    403,    403,    403,    403,    200,    404,    403),

        // Admins
        Get("/admin/users",                                                  SignIn, 403,    403,    403,    403,    403,    403,    403,    200),
        Get("/admin/organisations",                                          SignIn, 403,    403,    403,    403,    403,    403,    403,    200),
        Get("/admin/organisations/{Id:guid}", "/admin/organisations/{organisation}",
                                                                             SignIn, 403,    403,    403,    403,    403,    403,    403,    200),
        Get("/admin/programmes",                                             SignIn, 403,    403,    403,    403,    403,    403,    403,    200),
        Get("/admin/programmes/{Id:guid}", "/admin/programmes/{programme}",  SignIn, 403,    403,    403,    403,    403,    403,    403,    200),
        Get("/admin/emails",                                                 SignIn, 403,    403,    403,    403,    403,    403,    403,    200),
        Get("/admin/audit",                                                  SignIn, 403,    403,    403,    403,    403,    403,    403,    200),
        Get("/admin/jobs/{**path}", "/admin/jobs",                           SignIn, 403,    403,    403,    403,    403,    403,    403,    200),
        Get("/admin/jobs/{**path}", "/admin/jobs/recurring",                 SignIn, 403,    403,    403,    403,    403,    403,    403,    200),

        // Identity: signing in and out
        Get("/Account/Login",                                                200,    200,    200,    200,    200,    200,    200,    200,    200),
        Get("/Account/Register",                                             200,    200,    200,    200,    200,    200,    200,    200,    200),
        Get("/Account/RegisterConfirmation",                                 To("/"), To("/"), To("/"), To("/"), To("/"), To("/"), To("/"), To("/"), To("/")),
        Get("/Account/ConfirmEmail",                                         To("/"), To("/"), To("/"), To("/"), To("/"), To("/"), To("/"), To("/"), To("/")),
        Get("/Account/ConfirmEmailChange",                                   To("/Account/Login"), To("/Account/Login"), To("/Account/Login"), To("/Account/Login"), To("/Account/Login"),
                                                                             To("/Account/Login"), To("/Account/Login"), To("/Account/Login"), To("/Account/Login")),
        Get("/Account/ResendEmailConfirmation",                              200,    200,    200,    200,    200,    200,    200,    200,    200),
        Get("/Account/ForgotPassword",                                       200,    200,    200,    200,    200,    200,    200,    200,    200),
        Get("/Account/ForgotPasswordConfirmation",                           200,    200,    200,    200,    200,    200,    200,    200,    200),
        Get("/Account/ResetPassword",                                        To("/Account/InvalidPasswordReset"), To("/Account/InvalidPasswordReset"), To("/Account/InvalidPasswordReset"),
                                                                             To("/Account/InvalidPasswordReset"), To("/Account/InvalidPasswordReset"), To("/Account/InvalidPasswordReset"),
                                                                             To("/Account/InvalidPasswordReset"), To("/Account/InvalidPasswordReset"), To("/Account/InvalidPasswordReset")),
        Get("/Account/ResetPasswordConfirmation",                            200,    200,    200,    200,    200,    200,    200,    200,    200),
        Get("/Account/InvalidPasswordReset",                                 200,    200,    200,    200,    200,    200,    200,    200,    200),
        Get("/Account/InvalidUser",                                          200,    200,    200,    200,    200,    200,    200,    200,    200),
        Get("/Account/Lockout",                                              200,    200,    200,    200,    200,    200,    200,    200,    200),
        Get("/Account/AccessDenied",                                         200,    200,    200,    200,    200,    200,    200,    200,    200),
        // Reached only mid-way through a sign-in with a second factor: otherwise back to the start
        Get("/Account/LoginWith2fa",                                         To("/Account/Login"), To("/Account/Login"), To("/Account/Login"), To("/Account/Login"), To("/Account/Login"),
                                                                             To("/Account/Login"), To("/Account/Login"), To("/Account/Login"), To("/Account/Login")),
        Get("/Account/LoginWithRecoveryCode",                                To("/Account/Login"), To("/Account/Login"), To("/Account/Login"), To("/Account/Login"), To("/Account/Login"),
                                                                             To("/Account/Login"), To("/Account/Login"), To("/Account/Login"), To("/Account/Login")),
        Get("/Account/ExternalLogin",                                        To("/Account/Login"), To("/Account/Login"), To("/Account/Login"), To("/Account/Login"), To("/Account/Login"),
                                                                             To("/Account/Login"), To("/Account/Login"), To("/Account/Login"), To("/Account/Login")),
        Post("/Account/Logout", "/Account/Logout", Form(("ReturnUrl", "")),
                                                                             To("/"), To("/"), To("/"), To("/"), To("/"), To("/"), To("/"), To("/"), To("/")),
        Post("/Account/PerformExternalLogin", "/Account/PerformExternalLogin", Form(("provider", "NoSuchProvider"), ("returnUrl", "/")),
                                                                             400,    400,    400,    400,    400,    400,    400,    400,    400),
        Post("/Account/PasskeyRequestOptions", "/Account/PasskeyRequestOptions", Form(),
                                                                             200,    200,    200,    200,    200,    200,    200,    200,    200),
        Post("/Account/PasskeyCreationOptions", "/Account/PasskeyCreationOptions", Form(),
                                                                             404,    200,    200,    200,    200,    200,    200,    200,    200),

        // Identity: the signed-in person's own account
        Get("/Account/Manage",                                               SignIn, 200,    200,    200,    200,    200,    200,    200,    200),
        Get("/Account/Manage/Email",                                         SignIn, 200,    200,    200,    200,    200,    200,    200,    200),
        Get("/Account/Manage/ChangePassword",                                SignIn, 200,    200,    200,    200,    200,    200,    200,    200),
        Get("/Account/Manage/SetPassword",                                   SignIn, To("/Account/Manage/ChangePassword"), To("/Account/Manage/ChangePassword"),
                                                                                     To("/Account/Manage/ChangePassword"), To("/Account/Manage/ChangePassword"), To("/Account/Manage/ChangePassword"),
                                                                                     To("/Account/Manage/ChangePassword"), To("/Account/Manage/ChangePassword"), To("/Account/Manage/ChangePassword")),
        Get("/Account/Manage/PersonalData",                                  SignIn, 200,    200,    200,    200,    200,    200,    200,    200),
        // Owners delete the firm with the account (Your data); others delete the account here
        Get("/Account/Manage/DeletePersonalData",                            SignIn, To("/firm/data/delete"), To("/firm/data/delete"), 200, 200, 200, 200, 200, 200),
        Get("/Account/Manage/TwoFactorAuthentication",                       SignIn, 200,    200,    200,    200,    200,    200,    200,    200),
        Get("/Account/Manage/EnableAuthenticator",                           SignIn, 200,    200,    200,    200,    200,    200,    200,    200),
        Get("/Account/Manage/ResetAuthenticator",                            SignIn, 200,    200,    200,    200,    200,    200,    200,    200),
        // Only for an account with two-factor sign-in turned on (none here): back to that page
        Get("/Account/Manage/Disable2fa",                                    SignIn, To("/Account/Manage/TwoFactorAuthentication"), To("/Account/Manage/TwoFactorAuthentication"),
                                                                                     To("/Account/Manage/TwoFactorAuthentication"), To("/Account/Manage/TwoFactorAuthentication"),
                                                                                     To("/Account/Manage/TwoFactorAuthentication"), To("/Account/Manage/TwoFactorAuthentication"),
                                                                                     To("/Account/Manage/TwoFactorAuthentication"), To("/Account/Manage/TwoFactorAuthentication")),
        Get("/Account/Manage/GenerateRecoveryCodes",                         SignIn, To("/Account/Manage/TwoFactorAuthentication"), To("/Account/Manage/TwoFactorAuthentication"),
                                                                                     To("/Account/Manage/TwoFactorAuthentication"), To("/Account/Manage/TwoFactorAuthentication"),
                                                                                     To("/Account/Manage/TwoFactorAuthentication"), To("/Account/Manage/TwoFactorAuthentication"),
                                                                                     To("/Account/Manage/TwoFactorAuthentication"), To("/Account/Manage/TwoFactorAuthentication")),
        Get("/Account/Manage/ExternalLogins",                                SignIn, 200,    200,    200,    200,    200,    200,    200,    200),
        Get("/Account/Manage/Passkeys",                                      SignIn, 200,    200,    200,    200,    200,    200,    200,    200),
        Get("/Account/Manage/RenamePasskey/{Id}", "/Account/Manage/RenamePasskey/AAAA",
                                                                             SignIn, To("/Account/Manage/Passkeys"), To("/Account/Manage/Passkeys"), To("/Account/Manage/Passkeys"),
                                                                                     To("/Account/Manage/Passkeys"), To("/Account/Manage/Passkeys"), To("/Account/Manage/Passkeys"),
                                                                                     To("/Account/Manage/Passkeys"), To("/Account/Manage/Passkeys")),
        Post("/Account/Manage/DownloadPersonalData", "/Account/Manage/DownloadPersonalData", Form(),
                                                                             SignIn, 200,    200,    200,    200,    200,    200,    200,    200),
        Post("/Account/Manage/LinkExternalLogin", "/Account/Manage/LinkExternalLogin", Form(("provider", "NoSuchProvider")),
                                                                             SignIn, 400,    400,    400,    400,    400,    400,    400,    400),

        // Blazor's own endpoints: the interactive pages' connection, the same for everyone
        Get("/_framework/opaque-redirect",                                   400,    400,    400,    400,    400,    400,    400,    400,    400),
        Post("/_blazor/negotiate", "/_blazor/negotiate?negotiateVersion=1", new RequestBody.Empty(),
                                                                             200,    200,    200,    200,    200,    200,    200,    200,    200),
        Get("/_blazor",                                                      400,    400,    400,    400,    400,    400,    400,    400,    400),
        Post("/_blazor/disconnect/", "/_blazor/disconnect/", new RequestBody.Empty(),
                                                                             400,    400,    400,    400,    400,    400,    400,    400,    400),
        Get("/_blazor/initializers/",                                        200,    200,    200,    200,    200,    200,    200,    200,    200),
    ];

    /// <summary>Names a caller must never read anywhere: the firms they have no right to see.</summary>
    private static readonly Dictionary<Caller, string[]> NeverShown = new()
    {
        [Caller.Anonymous] = [FirmAName, FirmBName],
        [Caller.OwnerA] = [FirmBName],
        [Caller.OwnerB] = [FirmAName],
        [Caller.AdvisorWithConsent] = [FirmBName],
        [Caller.AdvisorWithoutConsent] = [FirmBName],
        [Caller.AdvisorOtherOrganisation] = [FirmAName, FirmBName],
        [Caller.StaffInProgramme] = [FirmBName],
        [Caller.StaffOutOfProgramme] = [FirmAName, FirmBName],
        [Caller.Admin] = [],
    };

    private const string FirmAName = "Valves of Zhejiang";
    private const string FirmBName = "Tailpipes of Ningbo";

    public static TheoryData<string> Rows => new(Table.Select(r => r.Key));

    [Fact]
    public void EveryRoute_HasARow_AndEveryRowARoute()
    {
        var routes = PortalRouteTable.Of(f.App.Services);
        var problems = new List<string>();
        foreach (var route in routes.Where(r => !Table.Any(row => row.Template == r.Template)))
        {
            problems.Add($"route {route} is not in the table: add a row with the outcome for each caller");
        }

        foreach (var row in Table)
        {
            var route = routes.FirstOrDefault(r => r.Template == row.Template);
            if (route is null)
            {
                problems.Add($"row {row.Key}: no route {row.Template} any more");
            }
            else if (!route.Accepts(row.Method))
            {
                problems.Add($"row {row.Key}: {row.Template} does not take {row.Method} (it takes {route})");
            }

            if (row.Expected.Length != Enum.GetValues<Caller>().Length)
            {
                problems.Add($"row {row.Key}: {row.Expected.Length} outcomes for {Enum.GetValues<Caller>().Length} callers");
            }
        }

        Assert.True(problems.Count == 0, string.Join("\n", problems));
        Assert.Equal(Table.Length, Table.Select(r => r.Key).Distinct().Count());
    }

    [Theory]
    [MemberData(nameof(Rows))]
    public async Task EachCaller_GetsWhatTheTableSays(string key)
    {
        var row = Table.Single(r => r.Key == key);
        var problems = new StringBuilder();
        foreach (var caller in Enum.GetValues<Caller>())
        {
            using var response = await row.SendAsync(f, caller);
            var requested = response.RequestMessage!.RequestUri!;
            if (row.Expected[(int)caller].Mismatch(response, requested) is { } mismatch)
            {
                problems.AppendLine($"{caller}: {mismatch}");
            }

            var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
            foreach (var name in NeverShown[caller].Where(n => !row.TokenGrantsAccess && body.Contains(n, StringComparison.Ordinal)))
            {
                problems.AppendLine($"{caller}: the answer ({(int)response.StatusCode}) shows {name}");
            }
        }

        Assert.True(problems.Length == 0, $"{key}\n{problems}");
    }

    private static string PersonaBody(string personaId)
    {
        var persona = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(RepoPaths.Content, "personas", $"{personaId}.json")))!;
        return new System.Text.Json.Nodes.JsonObject
        {
            ["profile"] = persona["profile"]!.DeepClone(),
            ["answers"] = persona["answers"]!.DeepClone(),
        }.ToJsonString();
    }
}
