using System.Net;
using System.Net.Http.Headers;
using AngleSharp.Html.Dom;
using AngleSharp.Html.Parser;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Domain.Content;
using Portal.Tests.Integration.Programmes;
using Portal.Web.Data;
using Portal.Web.Data.Entities;
using Portal.Web.Features.Accounts;
using Portal.Web.Features.FollowUps;
using Portal.Web.Features.Programmes;
using Portal.Web.Features.Results;

namespace Portal.Tests.TestSupport;

/// <summary>Who asks: the columns of the authorization matrix, in the order the table writes them.</summary>
public enum Caller
{
    Anonymous,
    OwnerA,
    OwnerB,
    AdvisorWithConsent,
    AdvisorWithoutConsent,
    AdvisorOtherOrganisation,
    StaffInProgramme,
    StaffOutOfProgramme,
    Admin,
}

/// <summary>The ids a row's URL names a firm by: firm A's for every caller but the advisor without consent, who is given firm B's.</summary>
public sealed record SubjectFirm(string OwnerId, Guid FirmId, Guid AssessmentId);

/// <summary>
/// One portal on a real socket (the results PDF is printed by Chromium from it) and the people
/// of the authorization matrix, each signed in once through the real sign-in form:
/// firm A shares with organisation 1 and is enrolled in a cohort of programme 1; firm B shares
/// with nobody and is reassessing; advisor 1 is in organisation 1, advisor 2 in organisation 2; staff 1 is on
/// programme 1, staff 2 on programme 2 (same organisation, other programme); an Admin.
/// Requests are sent with a copy of the caller's cookies and their answers never change them,
/// so a row that signs out or sets a cookie cannot change what the next row sees.
/// </summary>
public sealed class SecurityFixture : IAsyncLifetime
{
    private readonly Dictionary<Caller, CookieContainer> cookies = [];
    private HttpClient raw = default!;

    public PortalApp App { get; } = new(o =>
    {
        o.RealServer = true;
        o.Settings["FollowUps:DispatchEveryMinutes"] = "0"; // emails are not this fixture's subject
    });

    public Uri BaseAddress { get; private set; } = default!;

    public SubjectFirm FirmA { get; private set; } = default!;

    public SubjectFirm FirmB { get; private set; } = default!;

    public Guid Organisation1 { get; private set; }

    public Guid Organisation2 { get; private set; }

    public Guid Programme1 { get; private set; }

    public Guid Programme2 { get; private set; }

    public Guid Cohort1 { get; private set; }

    public Dictionary<Caller, string> UserIds { get; } = [];

    /// <summary>A pending invitation to cohort 1, sent to an address with no account.</summary>
    public string InvitationToken { get; private set; } = "";

    /// <summary>An unsubscribe link's token for firm C, whose owner no other row uses (the one-click POST unsubscribes them).</summary>
    public string UnsubscribeToken { get; private set; } = "";

    public string AdviceId { get; private set; } = "";

    public string SectionId { get; private set; } = "";

    public string QuestionId { get; private set; } = "";

    public static IEnumerable<Caller> SignedIn => Enum.GetValues<Caller>().Where(c => c != Caller.Anonymous);

    public async ValueTask InitializeAsync()
    {
        BaseAddress = App.BaseAddress; // starts the real server
        Organisation1 = await FirmFileSetup.OrganisationAsync(App, "North Trade Office");
        Organisation2 = await FirmFileSetup.OrganisationAsync(App, "South Export Hub");
        Programme1 = (await EnrolmentSetup.ProgrammeAsync(App, "North Trade Office", "Export Ready")).ProgrammeId;
        Programme2 = (await EnrolmentSetup.ProgrammeAsync(App, "North Trade Office", "Go Global")).ProgrammeId;

        var staff1 = await EnrolmentSetup.StaffAsync(App, "staff1@security.test", Programme1);
        var staff2 = await EnrolmentSetup.StaffAsync(App, "staff2@security.test", Programme2);
        Cohort1 = await EnrolmentSetup.CohortAsync(App, staff1, Programme1, "Spring 2027");

        var a = await FirmFileSetup.SharingFirmAsync(App, "owner.a@security.test", "lew-a", "Valves of Zhejiang", Organisation1);
        FirmA = new SubjectFirm(a.Owner.Id, a.FirmId, a.AssessmentId);
        var ownerB = await App.CreateUserAsync("owner.b@security.test", FirmFileSetup.Password, PortalRoles.Owner);
        var assessmentB = await App.SubmitPersonaAsync(ownerB.Id, "lew-b", "Tailpipes of Ningbo");
        FirmB = new SubjectFirm(ownerB.Id, await FirmOfAsync(ownerB.Id), assessmentB);
        await App.Assessments().StartReassessmentAsync(ownerB.Id); // so the pages of an assessment in progress open for one owner

        var advisor1 = await FirmFileSetup.AdvisorAsync(App, "advisor1@security.test", Organisation1);
        var advisor2 = await FirmFileSetup.AdvisorAsync(App, "advisor2@security.test", Organisation2);
        var admin = await App.CreateUserAsync("admin@security.test", FirmFileSetup.Password, PortalRoles.Admin);

        var programme = await EnrolmentSetup.ContextAsync(App, staff1.Id, Programme1);
        var enrolled = await App.Services.GetRequiredService<ProgrammeService>().EnrolAsync(programme, Cohort1, [FirmA.FirmId], staff1.Id);
        Assert.True(enrolled.Succeeded, string.Join("; ", enrolled.Errors.Values));

        var (token, hash) = InvitationTokens.Create();
        InvitationToken = token;
        await App.QueryAsync(db =>
        {
            db.Enrolments.Add(new Enrolment { CohortId = Cohort1, InvitedEmail = "invited@security.test", TokenHash = hash, InvitedAt = DateTime.UtcNow, InvitedById = staff1.Id });
            return db.SaveChangesAsync();
        });

        var ownerC = await App.CreateUserAsync("owner.c@security.test", FirmFileSetup.Password, PortalRoles.Owner);
        await App.Assessments().GetOverviewAsync(ownerC.Id);
        Assert.Null(await App.Assessments().SaveFirmNameAsync(ownerC.Id, "Mail Recipient Ltd"));
        UnsubscribeToken = App.Services.GetRequiredService<UnsubscribeTokens>().Create(ownerC.Id, await FirmOfAsync(ownerC.Id));

        var content = App.Services.GetRequiredService<ContentCatalog>().Current;
        AdviceId = content.Advice.Keys.Order(StringComparer.Ordinal).First();
        SectionId = content.Questionnaire.Sections.First(s => !s.IsProfile).Id;
        QuestionId = content.Questionnaire.Sections.First(s => !s.IsProfile).Questions[0].Id;

        UserIds[Caller.OwnerA] = FirmA.OwnerId;
        UserIds[Caller.OwnerB] = FirmB.OwnerId;
        UserIds[Caller.AdvisorWithConsent] = advisor1.Id;
        UserIds[Caller.AdvisorWithoutConsent] = advisor1.Id;
        UserIds[Caller.AdvisorOtherOrganisation] = advisor2.Id;
        UserIds[Caller.StaffInProgramme] = staff1.Id;
        UserIds[Caller.StaffOutOfProgramme] = staff2.Id;
        UserIds[Caller.Admin] = admin.Id;

        // Opening the authenticator page gives an account without a key a new one, and with it
        // a new security stamp, which signs the person out within a minute (the stamp is checked
        // every minute). Every account gets its key now, before signing in, so no row signs anyone out.
        await using (var scope = App.Services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<PortalUser>>();
            foreach (var id in UserIds.Values.Distinct())
            {
                var user = await users.FindByIdAsync(id) ?? throw new InvalidOperationException(id);
                await users.ResetAuthenticatorKeyAsync(user);
            }
        }

        raw = new HttpClient(new SocketsHttpHandler { UseCookies = false, AllowAutoRedirect = false }) { BaseAddress = BaseAddress };
        cookies[Caller.Anonymous] = new CookieContainer();
        var emails = new Dictionary<string, string>
        {
            [FirmA.OwnerId] = "owner.a@security.test",
            [FirmB.OwnerId] = "owner.b@security.test",
            [advisor1.Id] = "advisor1@security.test",
            [advisor2.Id] = "advisor2@security.test",
            [staff1.Id] = "staff1@security.test",
            [staff2.Id] = "staff2@security.test",
            [admin.Id] = "admin@security.test",
        };
        var signedIn = new Dictionary<string, CookieContainer>();
        foreach (var caller in SignedIn)
        {
            var id = UserIds[caller];
            if (!signedIn.TryGetValue(id, out var jar))
            {
                var password = caller is Caller.StaffInProgramme or Caller.StaffOutOfProgramme ? EnrolmentSetup.Password : FirmFileSetup.Password;
                jar = await SignInAsync(emails[id], password);
                signedIn[id] = jar;
            }

            cookies[caller] = jar;
        }
    }

    public async ValueTask DisposeAsync()
    {
        raw?.Dispose();
        await App.DisposeAsync();
    }

    /// <summary>The firm a caller's URL names: firm B for the advisor without consent, firm A for everyone else.</summary>
    public SubjectFirm SubjectOf(Caller caller) => caller == Caller.AdvisorWithoutConsent ? FirmB : FirmA;

    /// <summary>A fresh print token for the assessment (valid two minutes), as the PDF service makes for Chromium.</summary>
    public string PrintToken(Guid assessmentId) => App.Services.GetRequiredService<ReportPdfService>().CreatePrintToken(assessmentId);

    /// <summary>A client that keeps the caller's cookies (antiforgery cookies land there too).</summary>
    public HttpClient ClientOf(Caller caller) =>
        new(new SocketsHttpHandler { CookieContainer = cookies[caller], AllowAutoRedirect = false }) { BaseAddress = BaseAddress };

    /// <summary>
    /// Sends the request with a copy of the caller's cookies; cookies the answer sets are
    /// dropped, so signing out or a status-message cookie leaves the caller as they were.
    /// </summary>
    public async Task<HttpResponseMessage> SendAsync(Caller caller, HttpRequestMessage request)
    {
        var header = cookies[caller].GetCookieHeader(BaseAddress);
        if (header.Length > 0)
        {
            request.Headers.Add("Cookie", header);
        }

        return await raw.SendAsync(request, TestContext.Current.CancellationToken);
    }

    /// <summary>
    /// A valid antiforgery token for the caller, from a form of a page they can open: the
    /// sign-out form every signed-in page has, or the sign-in form for anonymous visitors.
    /// </summary>
    public async Task<string> AntiforgeryTokenAsync(Caller caller)
    {
        using var client = ClientOf(caller);
        var page = caller == Caller.Anonymous ? "/Account/Login" : "/";
        var response = await client.GetAsync(page, TestContext.Current.CancellationToken);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{caller} cannot open {page}: {(int)response.StatusCode}");
        var document = new HtmlParser().ParseDocument(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        return document.QuerySelectorAll("input[name=__RequestVerificationToken]").OfType<IHtmlInputElement>().First().Value;
    }

    public static FormUrlEncodedContent Form(IEnumerable<KeyValuePair<string, string>> fields) => new(fields);

    public static StringContent Json(string json) => new(json, new MediaTypeHeaderValue("application/json"));

    private async Task<CookieContainer> SignInAsync(string email, string password)
    {
        var jar = new CookieContainer();
        using var client = new HttpClient(new SocketsHttpHandler { CookieContainer = jar, AllowAutoRedirect = false }) { BaseAddress = BaseAddress };
        var response = await client.SubmitFormAsync("/Account/Login", "login", new() { ["Input.Email"] = email, ["Input.Password"] = password });
        Assert.True(response.StatusCode == HttpStatusCode.Redirect, $"Sign-in of {email} failed: {(int)response.StatusCode}");
        return jar;
    }

    private Task<Guid> FirmOfAsync(string ownerId) =>
        App.QueryAsync(db => db.FirmMembers.Where(m => m.UserId == ownerId).Select(m => m.FirmId).SingleAsync());
}
