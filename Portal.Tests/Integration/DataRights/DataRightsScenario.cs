using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Portal.Domain.Content;
using Portal.Tests.Integration.Programmes;
using Portal.Tests.TestSupport;
using Portal.Web.Data;
using Portal.Web.Data.Entities;
using Portal.Web.Features.Accounts;
using Portal.Web.Features.Advisors;
using Portal.Web.Features.Audit;
using Portal.Web.Features.FollowUps;
using Portal.Web.Features.Programmes;
using Portal.Web.Features.Sharing;

namespace Portal.Tests.Integration.DataRights;

/// <summary>
/// A firm with everything the portal can hold about one, made through the real services: two
/// submitted assessments, a share with an organisation, casework (a note, a status change, a
/// message scheduled for later), a programme cohort it joined by an emailed invitation, emails
/// sent and planned, an email setting turned off, a co-owner; and another firm in the same
/// organisation and cohort that must come through untouched. Names and addresses are unique,
/// so a scan of the whole database for them means something.
/// </summary>
public sealed class DataRightsScenario : IAsyncDisposable
{
    public const string Password = "Data-rights-2026";
    public const string MessageSubject = "Your stand at the Lyon trade fair";
    public const string MessageBody = "Hello, we could share a stand at the Lyon fair in March. Call me when you can.";
    public const string NoteText = "Called the owner about Lyon; keen, waiting for figures.";

    private DataRightsScenario(PortalApp app, FakeTimeProvider clock, string suffix)
    {
        App = app;
        Clock = clock;
        FirmName = $"Kestrel Céramique {suffix}";
        OtherFirmName = $"Harrier Valves {suffix}";
        OwnerEmail = $"owner.{suffix}@kestrel.example";
        CoOwnerEmail = $"partner.{suffix}@kestrel.example";
        OtherOwnerEmail = $"owner.{suffix}@harrier.example";
    }

    public PortalApp App { get; }

    public FakeTimeProvider Clock { get; }

    public string FirmName { get; }

    public string OtherFirmName { get; }

    public string OwnerEmail { get; }

    public string CoOwnerEmail { get; }

    public string OtherOwnerEmail { get; }

    public PortalUser Owner { get; private set; } = default!;

    public PortalUser CoOwner { get; private set; } = default!;

    public PortalUser OtherOwner { get; private set; } = default!;

    public PortalUser Advisor { get; private set; } = default!;

    public PortalUser Staff { get; private set; } = default!;

    public PortalUser Admin { get; private set; } = default!;

    public Guid OrganisationId { get; private set; }

    public Guid ProgrammeId { get; private set; }

    public Guid CohortId { get; private set; }

    public Guid FirmId { get; private set; }

    public Guid OtherFirmId { get; private set; }

    public Guid FirstAssessment { get; private set; }

    public Guid SecondAssessment { get; private set; }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static async Task<DataRightsScenario> CreateAsync(MailDevServer mail, bool realServer = false)
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2027, 1, 4, 9, 0, 0, TimeSpan.Zero));
        var app = new PortalApp(o =>
        {
            o.Clock = clock;
            o.RealServer = realServer;
            o.UseSmtp(mail);
            o.Settings["FollowUps:DispatchEveryMinutes"] = "0"; // the tests run the dispatcher themselves
        });
        var scenario = new DataRightsScenario(app, clock, Guid.NewGuid().ToString("N")[..10]);
        await scenario.BuildAsync(mail);
        return scenario;
    }

    private async Task BuildAsync(MailDevServer mail)
    {
        var ids = await EnrolmentSetup.ProgrammeAsync(App, "Northern Trade Agency", "Export Ready", "Twelve weeks of export support.");
        (OrganisationId, ProgrammeId) = (ids.OrganisationId, ids.ProgrammeId);
        Staff = await EnrolmentSetup.StaffAsync(App, $"staff.{Guid.NewGuid():N}@agency.example", ProgrammeId);
        CohortId = await EnrolmentSetup.CohortAsync(App, Staff, ProgrammeId, "Spring 2027");
        Advisor = await FirmFileSetup.AdvisorAsync(App, $"advisor.{Guid.NewGuid():N}@agency.example", OrganisationId);
        Admin = await App.CreateUserAsync($"admin.{Guid.NewGuid():N}@portal.example", Password, PortalRoles.Admin);

        // The firm: assesses, shares, joins the cohort by the emailed invitation, reassesses.
        Owner = await App.CreateUserAsync(OwnerEmail, Password, PortalRoles.Owner);
        FirstAssessment = await App.SubmitPersonaAsync(Owner.Id, "lew-a", FirmName);
        FirmId = await App.QueryAsync(db => db.FirmMembers.Where(m => m.UserId == Owner.Id).Select(m => m.FirmId).SingleAsync(Ct));
        Clock.Advance(TimeSpan.FromHours(1));
        await App.Services.GetRequiredService<SharingService>().ShareAsync(Owner.Id, OrganisationId, Ct);
        var staffContext = await EnrolmentSetup.ContextAsync(App, Staff.Id, ProgrammeId);
        var invited = await App.Services.GetRequiredService<InvitationService>().InviteAsync(staffContext, CohortId, OwnerEmail, Staff.Id, Ct);
        Assert.True(invited.Succeeded, string.Join("; ", invited.Errors.Values));
        await App.Dispatcher().RunAsync(Ct);
        var invitation = await mail.MimeAsync(await mail.WaitForEmailAsync(OwnerEmail, "invites you to Export Ready"));
        var token = System.Web.HttpUtility.ParseQueryString(new Uri("http://portal" + EnrolmentSetup.JoinLink(invitation.HtmlBody!)).Query)["token"];
        var accepted = await App.Services.GetRequiredService<InvitationService>().AcceptAsync(token, Owner.Id, Ct);
        Assert.NotNull(accepted.Done);
        Clock.Advance(TimeSpan.FromDays(1));
        await App.Assessments().StartReassessmentAsync(Owner.Id, Ct);
        SecondAssessment = await App.SubmitPersonaAsync(Owner.Id, "lew-b", FirmName);

        // The organisation's casework, and a message to the owners for tomorrow.
        var advisor = await FirmFileSetup.ContextAsync(App, Advisor.Id);
        var casework = App.Services.GetRequiredService<CaseworkService>();
        await App.Services.GetRequiredService<AuditLog>().RecordAsync(Advisor.Id, Advisor.Email!, FirmId, FirmFileAudit.Viewed, ct: Ct);
        Assert.True((await casework.AddNoteAsync(advisor, FirmId, NoteText, isContact: true, Ct)).Succeeded);
        Assert.True((await casework.ChangeStatusAsync(advisor, FirmId, nameof(CaseStatus.InSupport), Ct)).Succeeded);
        var tomorrow = Clock.GetUtcNow().UtcDateTime.AddDays(1);
        var message = await casework.ScheduleMessageAsync(advisor, FirmId, new MessageDraft(MessageSubject, MessageBody,
            tomorrow.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), "10:00"), Ct);
        Assert.True(message.Succeeded, string.Join("; ", message.Errors.Values));

        // A co-owner, and an email setting turned off with a time zone.
        CoOwner = await App.CreateUserAsync(CoOwnerEmail, Password, PortalRoles.Owner);
        await App.QueryAsync(db =>
        {
            db.FirmMembers.Add(new FirmMember { FirmId = FirmId, UserId = CoOwner.Id, JoinedAt = Clock.GetUtcNow().UtcDateTime });
            return db.SaveChangesAsync(Ct);
        });
        var topics = EmailTopics.All(App.Services.GetRequiredService<ContentCatalog>().Current).Select(t => t.Id).ToList();
        Assert.Null(await App.Services.GetRequiredService<EmailPreferencesService>().SaveAsync(Owner.Id, topics.Skip(1).ToHashSet(), "Europe/Paris", Ct));

        // Another firm of the same organisation and cohort.
        OtherOwner = await App.CreateUserAsync(OtherOwnerEmail, Password, PortalRoles.Owner);
        await App.SubmitPersonaAsync(OtherOwner.Id, "harris-fletcher-a", OtherFirmName);
        await App.Services.GetRequiredService<SharingService>().ShareAsync(OtherOwner.Id, OrganisationId, Ct);
        OtherFirmId = await App.QueryAsync(db => db.FirmMembers.Where(m => m.UserId == OtherOwner.Id).Select(m => m.FirmId).SingleAsync(Ct));
        var enrolled = await App.Services.GetRequiredService<ProgrammeService>().EnrolAsync(staffContext, CohortId, [OtherFirmId], Staff.Id, Ct);
        Assert.True(enrolled.Succeeded, string.Join("; ", enrolled.Errors.Values));
        await App.Services.GetRequiredService<AuditLog>().RecordAsync(Advisor.Id, Advisor.Email!, OtherFirmId, FirmFileAudit.Viewed, ct: Ct);

        // The first advice emails of both firms go out; the rest stay planned.
        var firstDue = await App.QueryAsync(db => db.FollowUps.Where(f => f.FirmId == FirmId && f.Kind == EmailKind.Advice && f.Status == FollowUpStatus.Pending)
            .MinAsync(f => f.DueAt, Ct));
        Clock.SetUtcNow(new DateTimeOffset(firstDue, TimeSpan.Zero));
        Assert.True((await App.Dispatcher().RunAsync(Ct)).Sent > 0);
    }

    /// <summary>Every outbox row of the firm, its owner's account, or addressed to the owner.</summary>
    public Task<List<FollowUp>> EmailsOfTheFirmAndOwnerAsync() =>
        App.QueryAsync(db => db.FollowUps.AsNoTracking()
            .Where(f => f.FirmId == FirmId || f.UserId == Owner.Id || (f.FirmId == null && f.UserId == null && f.RecipientEmail == OwnerEmail))
            .ToListAsync(Ct));

    /// <summary>A client signed in as one of the scenario's people, through the sign-in form.</summary>
    public Task<HttpClient> SignInAsync(PortalUser user) =>
        App.SignedInClientAsync(user.Email!, user == Advisor ? FirmFileSetup.Password : user == Staff ? EnrolmentSetup.Password : Password);

    public ValueTask DisposeAsync() => App.DisposeAsync();
}
