using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Portal.Tests.TestSupport;
using Portal.Web.Data;

namespace Portal.Tests.Integration.Security;

/// <summary>
/// Every endpoint that takes a POST (from the route table: every Razor page, and every other
/// endpoint that accepts POST, PUT, PATCH or DELETE or any method) refuses a post without an
/// antiforgery token from a signed-in person who may use it, and nothing changes; the few that
/// skip antiforgery on purpose are listed below with the reason. Who may use a route, and at
/// which URL, comes from the authorization matrix's table.
/// </summary>
public sealed class AntiforgeryTests(SecurityFixture f) : IClassFixture<SecurityFixture>
{
    /// <summary>Endpoints that take a write without an antiforgery token, on purpose.</summary>
    private static readonly Dictionary<string, string> Exempt = new()
    {
        ["/api/v1/score"] = "the anonymous what-if score API: JSON in, JSON out, it stores nothing and reads no cookie",
        ["/api/v1/assessment/answers"] = "the owners' JSON API: only application/json is read, which a cross-site page cannot send without a CORS preflight the portal never grants, and the SameSite=Lax sign-in cookie is not sent on a cross-site POST",
        ["/email/unsubscribe/one-click"] = "RFC 8058 one-click unsubscribe, posted by mail programs that have no page to take a token from; its own signed token names the person and firm",
        ["/health"] = "the health report answers any method the same and stores nothing",
        ["/_blazor"] = "Blazor's circuit transport (SignalR): every change made in a circuit goes through components that check the signed-in person",
        ["/_blazor/negotiate"] = "Blazor's circuit transport: negotiating a connection stores nothing",
        ["/_blazor/disconnect/"] = "Blazor's circuit transport: closing one's own circuit stores nothing",
        ["/_blazor/initializers/"] = "Blazor's list of JavaScript initializers: static, stores nothing",
    };

    /// <summary>
    /// Where the generic sweep posts when the matrix's URL for the route is not one that takes a
    /// post: the Hangfire dashboard takes its commands at their own paths.
    /// </summary>
    private static readonly Dictionary<string, (Caller Caller, string Url, (string, string)[] Fields)> PostAt = new()
    {
        ["/admin/jobs/{**path}"] = (Caller.Admin, "/admin/jobs/recurring/trigger", [("jobs[]", "dispatch-due-follow-ups")]),
    };

    /// <summary>One form per kind of change, posted as its page posts it, with the database row it would change.</summary>
    private static readonly Change[] Changes =
    [
        new("a case note", Caller.AdvisorWithConsent, "/advisor/firms/{firm}", "note", [("Note.Text", "Rang the owner about the US trade fair")],
            (db, f) => Count(db.CaseNotes.CountAsync(n => db.CaseFiles.Any(c => c.Id == n.CaseFileId && c.FirmId == f.FirmA.FirmId))), WithToken: true),
        new("an advisor's validation of an answer", Caller.AdvisorWithConsent, "/advisor/firms/{firm}/answers/{question}", "validate",
            [("Input.Action", "confirm"), ("Input.Reason", "Seen the export invoices")],
            (db, f) => Count(db.AnswerValidations.CountAsync()), WithToken: true),
        new("an invitation to a cohort (an email in the outbox)", Caller.StaffInProgramme, "/programmes/{programme}/cohorts/{cohort}", "invite",
            [("Invite.Emails", "new.firm@security.test")],
            (db, f) => Count(db.FollowUps.CountAsync()), WithToken: true),
        new("a cohort", Caller.StaffInProgramme, "/programmes/{programme}", "create-cohort",
            [("Input.Name", "Autumn 2027"), ("Input.StartsOn", "2027-09-01"), ("Input.EndsOn", "2027-11-30")],
            (db, f) => Count(db.Cohorts.CountAsync()), WithToken: true),
        new("consent to share with an organisation", Caller.OwnerB, "/firm/sharing", "share-{organisation}", [],
            (db, f) => Count(db.FirmShares.CountAsync(s => s.FirmId == f.FirmB.FirmId && s.RevokedAt == null)), WithToken: true),
        new("email preferences", Caller.OwnerA, "/settings/emails", "email-preferences", [("Input.Action", "stop-all")],
            (db, f) => Count(db.EmailOptOuts.CountAsync(o => o.UserId == f.FirmA.OwnerId)), WithToken: true),
        new("an organisation", Caller.Admin, "/admin/organisations", "create-organisation", [("Input.Name", "West Export Desk")],
            (db, f) => Count(db.Organisations.CountAsync()), WithToken: true),
        // Those below are posted without a token only: with one they would sign the person out or take the firm away.
        new("accepting an invitation", Caller.OwnerB, "/programmes/join?token={invitation}", "accept", [],
            (db, f) => Count(db.Enrolments.CountAsync(e => e.FirmId != null)), WithToken: false),
        new("leaving a programme", Caller.OwnerA, "/firm/programmes", "leave-{programme}", [],
            (db, f) => Count(db.Enrolments.CountAsync(e => e.LeftAt != null)), WithToken: false),
        new("re-scoring a cohort", Caller.StaffInProgramme, "/programmes/{programme}/cohorts/{cohort}/rescore", "apply", [],
            (db, f) => Count(db.AssessmentResultVersions.CountAsync()), WithToken: false),
        new("a new password", Caller.OwnerA, "/Account/Manage/ChangePassword", "change-password",
            [("Input.OldPassword", FirmFileSetup.Password), ("Input.NewPassword", "Another-password-2026"), ("Input.ConfirmPassword", "Another-password-2026")],
            (db, f) => db.Users.Where(u => u.Id == f.FirmA.OwnerId).Select(u => u.PasswordHash!).SingleAsync(), WithToken: false),
        new("deleting one's account", Caller.OwnerA, "/Account/Manage/DeletePersonalData", "delete-user", [("Input.Password", FirmFileSetup.Password)],
            (db, f) => Count(db.Users.CountAsync()), WithToken: false),
    ];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task EveryPost_WithoutAToken_IsRefused_AndChangesNothing()
    {
        var routes = PortalRouteTable.Of(f.App.Services).Where(r => r.AcceptsWrites && !Exempt.ContainsKey(r.Template)).ToList();
        Assert.NotEmpty(routes);
        var problems = new List<string>();
        var probes = new List<(PortalRoute Route, Caller Caller, string Url, HttpContent Body)>();
        foreach (var route in routes)
        {
            if (route.IsPage && route.RequiresAntiforgery != true)
            {
                problems.Add($"{route}: the page opts out of antiforgery");
            }

            var (caller, url, body) = await ProbeAsync(route);
            if (url is null)
            {
                problems.Add($"{route}: no row of the authorization matrix says who may use it");
                continue;
            }

            probes.Add((route, caller, url, body));
        }

        // Taken after the pages were read for their forms: an advisor's view of a firm file is audited.
        var before = await SnapshotAsync();
        foreach (var (route, caller, url, body) in probes)
        {
            using var response = await f.SendAsync(caller, new HttpRequestMessage(HttpMethod.Post, url) { Content = body });
            if (response.StatusCode != HttpStatusCode.BadRequest)
            {
                problems.Add($"{route}: POST {url} without a token by {caller} answered {(int)response.StatusCode}, not 400 "
                    + "(validate the token, or list the endpoint in Exempt with the reason)");
            }
        }

        Assert.True(problems.Count == 0, string.Join("\n", problems));
        Assert.Equal(before, await SnapshotAsync());

        // The dashboard's 400 is its antiforgery check, not a command it does not know: with the token it is done (204).
        foreach (var (caller, url, fields) in PostAt.Values)
        {
            var withToken = fields.Select(x => KeyValuePair.Create(x.Item1, x.Item2))
                .Append(KeyValuePair.Create("__RequestVerificationToken", await f.AntiforgeryTokenAsync(caller)));
            using var done = await f.SendAsync(caller, new HttpRequestMessage(HttpMethod.Post, url) { Content = SecurityFixture.Form(withToken) });
            Assert.True(done.IsSuccessStatusCode, $"POST {url} with a token: {(int)done.StatusCode}");
        }
    }

    [Fact]
    public async Task EachKindOfChange_WithoutAToken_IsRefused_AndHappensWithOne()
    {
        var problems = new List<string>();
        foreach (var change in Changes)
        {
            var url = Placeholders.Fill(change.Page, f, change.Caller);
            var form = Placeholders.Fill(change.Form, f, change.Caller);
            var before = await ProbeAsync(change);

            var fields = change.Fields.Select(x => KeyValuePair.Create(x.Name, x.Value)).Append(KeyValuePair.Create("_handler", form));
            using var refused = await f.SendAsync(change.Caller, new HttpRequestMessage(HttpMethod.Post, url) { Content = SecurityFixture.Form(fields) });
            if (refused.StatusCode != HttpStatusCode.BadRequest)
            {
                problems.Add($"{change.Kind}: without a token {(int)refused.StatusCode}, not 400");
            }

            if (await ProbeAsync(change) != before)
            {
                problems.Add($"{change.Kind}: changed without a token");
            }

            if (change.WithToken)
            {
                // The same form from the page itself, token included: the probe sees the change, so it would have seen one above.
                using var client = f.ClientOf(change.Caller);
                var done = await client.SubmitFormAsync(url, form, change.Fields.ToDictionary(x => x.Name, x => x.Value));
                if ((int)done.StatusCode >= 400 || await ProbeAsync(change) == before)
                {
                    problems.Add($"{change.Kind}: with a token answered {(int)done.StatusCode} and changed nothing, so the check without one proves nothing");
                }
            }
        }

        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [Fact]
    public async Task TheExemptEndpoints_StillExist_AndTakeAPostWithoutAToken()
    {
        var routes = PortalRouteTable.Of(f.App.Services);
        foreach (var template in Exempt.Keys)
        {
            Assert.True(routes.Any(r => r.Template == template && r.AcceptsWrites), $"{template} is listed as exempt but takes no post any more");
        }

        // The two that are exempt by design, not by framework: they must work for a mail program or a script with no cookie.
        var score = await f.SendAsync(Caller.Anonymous, new HttpRequestMessage(HttpMethod.Post, "/api/v1/score")
        {
            Content = SecurityFixture.Json(AuthorizationMatrixTests.ScoreBody),
        });
        Assert.Equal(HttpStatusCode.OK, score.StatusCode);
        var unsubscribe = await f.SendAsync(Caller.Anonymous, new HttpRequestMessage(HttpMethod.Post, $"/email/unsubscribe/one-click?token={Uri.EscapeDataString(f.UnsubscribeToken)}")
        {
            Content = SecurityFixture.Form([KeyValuePair.Create("List-Unsubscribe", "One-Click")]),
        });
        Assert.Equal(HttpStatusCode.OK, unsubscribe.StatusCode);
    }

    /// <summary>
    /// Who posts to a route and where: from the matrix's rows for it, a signed-in caller who
    /// gets past authorization (200 preferred, then a redirect elsewhere than sign-in, then a
    /// 404 that the page itself gives, e.g. the error page). The body is the row's own form or
    /// JSON (minus the token), or for a page the first named form the caller is shown on it, so
    /// that only the token is missing (a made-up form name would be refused with 400 for its name).
    /// </summary>
    private async Task<(Caller Caller, string? Url, HttpContent Body)> ProbeAsync(PortalRoute route)
    {
        if (PostAt.TryGetValue(route.Template, out var at))
        {
            return (at.Caller, at.Url, SecurityFixture.Form(at.Fields.Select(x => KeyValuePair.Create(x.Item1, x.Item2))));
        }

        var candidates =
            from row in AuthorizationMatrixTests.Table
            where row.Template == route.Template && route.Accepts("POST") && (row.Method == "POST" || route.IsPage)
            from caller in Enum.GetValues<Caller>()
            let outcome = row.Expected[(int)caller]
            where !outcome.ToSignIn && outcome.Status != 403
            orderby caller == Caller.Anonymous, outcome.Status != 200, outcome.Status == 404
            select (row, caller);
        if (!candidates.Any())
        {
            return (Caller.Anonymous, null, new ByteArrayContent([]));
        }

        var (chosen, who) = candidates.First();
        var url = chosen.UrlFor(f, who);
        HttpContent body = chosen.Body switch
        {
            RequestBody.Form form => SecurityFixture.Form(form.Fields.Select(x => KeyValuePair.Create(x.Name, x.Value))),
            RequestBody.Json json => SecurityFixture.Json(json.Text),
            _ => SecurityFixture.Form(await FirstNamedFormAsync(who, url) ?? [KeyValuePair.Create("_handler", "any-form")]),
        };
        return (who, url, body);
    }

    private async Task<List<KeyValuePair<string, string>>?> FirstNamedFormAsync(Caller caller, string url)
    {
        using var response = await f.SendAsync(caller, new HttpRequestMessage(HttpMethod.Get, url));
        var page = new AngleSharp.Html.Parser.HtmlParser().ParseDocument(await response.Content.ReadAsStringAsync(Ct));
        var named = page.Forms.FirstOrDefault(x => x.QuerySelector("input[name=_handler]") is not null);
        return named?.Elements.OfType<AngleSharp.Html.Dom.IHtmlInputElement>()
            .Where(i => i.Type == "hidden" && !string.IsNullOrEmpty(i.Name) && i.Name != "__RequestVerificationToken")
            .Select(i => KeyValuePair.Create(i.Name!, i.Value))
            .ToList();
    }

    private Task<string> ProbeAsync(Change change) => f.App.QueryAsync(db => change.Probe(db, f));

    /// <summary>Row counts of every table, and a digest of every account's password, stamp and email.</summary>
    private Task<string> SnapshotAsync() => f.App.QueryAsync(async db =>
    {
        var counts = new StringBuilder();
        foreach (var (name, count) in new (string, Func<Task<int>>)[]
        {
            ("users", () => db.Users.CountAsync(Ct)), ("firms", () => db.Firms.CountAsync(Ct)),
            ("shares", () => db.FirmShares.CountAsync(s => s.RevokedAt == null, Ct)), ("assessments", () => db.Assessments.CountAsync(Ct)),
            ("answers", () => db.AssessmentAnswers.CountAsync(Ct)), ("profile answers", () => db.FirmProfileAnswers.CountAsync(Ct)),
            ("emails", () => db.FollowUps.CountAsync(Ct)), ("opt-outs", () => db.EmailOptOuts.CountAsync(Ct)),
            ("organisations", () => db.Organisations.CountAsync(Ct)), ("advisors", () => db.OrganisationMembers.CountAsync(Ct)),
            ("cases", () => db.CaseFiles.CountAsync(Ct)), ("notes", () => db.CaseNotes.CountAsync(Ct)),
            ("status changes", () => db.CaseStatusChanges.CountAsync(Ct)), ("validations", () => db.AnswerValidations.CountAsync(Ct)),
            ("audit", () => db.AuditEntries.CountAsync(Ct)), ("programmes", () => db.Programmes.CountAsync(Ct)),
            ("staff", () => db.ProgrammeStaff.CountAsync(Ct)), ("cohorts", () => db.Cohorts.CountAsync(Ct)),
            ("enrolments", () => db.Enrolments.CountAsync(e => e.FirmId != null && e.LeftAt == null, Ct)),
            ("result versions", () => db.AssessmentResultVersions.CountAsync(Ct)),
        })
        {
            counts.Append(name).Append('=').Append(await count()).Append(' ');
        }

        var accounts = await db.Users.OrderBy(u => u.Id).Select(u => u.Id + u.Email + u.PasswordHash + u.SecurityStamp + u.TwoFactorEnabled).ToListAsync(Ct);
        return counts.Append("accounts=").Append(Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join("|", accounts))))).ToString();
    });

    private sealed record Change(string Kind, Caller Caller, string Page, string Form, (string Name, string Value)[] Fields,
        Func<PortalDbContext, SecurityFixture, Task<string>> Probe, bool WithToken);

    private static async Task<string> Count(Task<int> count) => (await count).ToString(System.Globalization.CultureInfo.InvariantCulture);
}
