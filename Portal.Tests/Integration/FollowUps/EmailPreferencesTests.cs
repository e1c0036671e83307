using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;
using Portal.Tests.TestSupport;
using Portal.Web.Data.Entities;
using Portal.Web.Features.Accounts;
using Portal.Web.Features.FollowUps;

namespace Portal.Tests.Integration.FollowUps;

/// <summary>An owner chooses which advice emails to get, per kind or all off, and the time zone dates are shown in.</summary>
public sealed class EmailPreferencesTests : IAsyncLifetime
{
    private const string Password = "Preferences-2026";
    private const string Email = "prefs@example.org";
    private readonly FakeTimeProvider clock = new(new DateTimeOffset(2026, 12, 1, 9, 0, 0, TimeSpan.Zero));
    private readonly PortalApp app;
    private string userId = "";
    private Guid assessmentId;

    public EmailPreferencesTests() => app = new PortalApp(o =>
    {
        o.Clock = clock;
        o.Settings["FollowUps:DispatchEveryMinutes"] = "0";
    });

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        userId = (await app.CreateUserAsync(Email, Password, PortalRoles.Owner)).Id;
        assessmentId = await app.SubmitPersonaAsync(userId, "lew-a", "Preference Testers Ltd");
    }

    public ValueTask DisposeAsync() => app.DisposeAsync();

    private Task<List<FollowUp>> RowsAsync() =>
        app.QueryAsync(db => db.FollowUps.AsNoTracking().Where(f => f.AssessmentId == assessmentId).ToListAsync(Ct));

    private static KeyValuePair<string, string> Field(string name, string value) => new(name, value);

    [Fact]
    public async Task TurningOneKindOff_CancelsOnlyItsPendingEmails_AndTurningItBackOnRestoresThem()
    {
        var rows = await RowsAsync();
        var topics = rows.Select(r => r.Topic!).Distinct().ToList();
        Assert.True(topics.Count > 1, "the persona's plan has advice on more than one pillar");
        var off = topics[0];
        var all = EmailTopics.All(TestContent.Real).Select(t => t.Id).ToList();
        var client = await app.SignedInClientAsync(Email, Password);

        var saved = await client.SubmitFormFieldsAsync("/settings/emails", "email-preferences",
            [.. all.Where(t => t != off).Select(t => Field("Input.Topics", t)), Field("Input.TimeZone", ""), Field("Input.Action", "save")]);
        Assert.Contains("Your preferences are saved.", await saved.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);

        var after = await RowsAsync();
        Assert.All(after.Where(r => r.Topic == off), r => Assert.Equal((FollowUpStatus.Cancelled, CancelReasons.Unsubscribed), (r.Status, r.CancelReason)));
        Assert.All(after.Where(r => r.Topic != off), r => Assert.Equal(FollowUpStatus.Pending, r.Status));

        await client.SubmitFormFieldsAsync("/settings/emails", "email-preferences",
            [.. all.Select(t => Field("Input.Topics", t)), Field("Input.TimeZone", ""), Field("Input.Action", "save")]);
        Assert.All(await RowsAsync(), r => Assert.Equal(FollowUpStatus.Pending, r.Status));
    }

    [Fact]
    public async Task StopAll_CancelsEveryPendingEmail_AndTheDispatcherSendsNone()
    {
        var client = await app.SignedInClientAsync(Email, Password);

        var stopped = await client.SubmitFormFieldsAsync("/settings/emails", "email-preferences", [Field("Input.Action", "stop-all")]);

        Assert.Contains("All these emails are off.", await stopped.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.All(await RowsAsync(), r => Assert.Equal(FollowUpStatus.Cancelled, r.Status));
        clock.Advance(TimeSpan.FromDays(60));
        Assert.Equal(0, (await app.Dispatcher().RunAsync(Ct)).Sent);
    }

    [Fact]
    public async Task APendingRowOfAKindTurnedOff_IsCancelledByTheDispatcher_NotSent()
    {
        // A row left pending for a kind the owner has turned off (written by an older version,
        // or restored by hand): the dispatcher checks the opt-outs again before sending.
        var row = (await RowsAsync())[0];
        await app.QueryAsync(db =>
        {
            db.EmailOptOuts.Add(new EmailOptOut { UserId = userId, Topic = row.Topic!, At = clock.GetUtcNow().UtcDateTime });
            return db.SaveChangesAsync(Ct);
        });
        clock.SetUtcNow(new DateTimeOffset(row.DueAt, TimeSpan.Zero));

        var summary = await app.Dispatcher().RunAsync(Ct);

        var after = (await RowsAsync()).Single(r => r.Id == row.Id);
        Assert.Equal((FollowUpStatus.Cancelled, CancelReasons.Unsubscribed, 0), (after.Status, after.CancelReason, after.Attempts));
        Assert.Equal((await RowsAsync()).Count(r => r.Topic == row.Topic && r.DueAt <= row.DueAt), summary.Cancelled);
        Assert.Equal(0, (await RowsAsync()).Count(r => r.Topic == row.Topic && r.Status == FollowUpStatus.Sent));
    }

    [Fact]
    public async Task UnknownTimeZone_IsRefusedWithAMessage_AndNothingIsSaved_AndTheChoicesStayOnThePage()
    {
        var client = await app.SignedInClientAsync(Email, Password);
        var all = EmailTopics.All(TestContent.Real).Select(t => t.Id).ToList();

        var response = await client.SubmitFormFieldsAsync("/settings/emails", "email-preferences",
            [Field("Input.Topics", all[1]), Field("Input.TimeZone", "Mars/Olympus_Mons"), Field("Input.Action", "save")]);
        var page = await client.GetDocumentFromAsync(response);

        Assert.Contains("Choose a time zone from the list", page.QuerySelector(".error-summary")?.TextContent ?? "", StringComparison.Ordinal);
        Assert.Contains("Choose a time zone from the list", page.QuerySelector("#error-time-zone")!.TextContent, StringComparison.Ordinal);
        var checkedTopics = page.QuerySelectorAll("input[name='Input.Topics'][checked]").Select(i => i.GetAttribute("value")).ToList();
        Assert.Equal([all[1]], checkedTopics);
        Assert.Equal(0, await app.QueryAsync(db => db.EmailOptOuts.CountAsync(Ct)));
        Assert.All(await RowsAsync(), r => Assert.Equal(FollowUpStatus.Pending, r.Status));
    }

    [Fact]
    public async Task ResultsPage_ShowsThePlannedEmails_InTheOwnersTimeZone()
    {
        var client = await app.SignedInClientAsync(Email, Password);
        await client.SubmitFormFieldsAsync("/settings/emails", "email-preferences",
            [.. EmailTopics.All(TestContent.Real).Select(t => Field("Input.Topics", t.Id)), Field("Input.TimeZone", "Asia/Tokyo"), Field("Input.Action", "save")]);

        var page = await client.GetStringAsync($"/results/{assessmentId}", Ct);

        // Submitted 1 December 2026 at 09:00 UTC: the first follow-up, 10 days later, is 18:00 in Tokyo.
        var first = (await RowsAsync()).Min(r => r.DueAt);
        var tokyo = TimeZoneInfo.ConvertTimeFromUtc(first, TimeZoneInfo.FindSystemTimeZoneById("Asia/Tokyo"));
        Assert.Contains(tokyo.ToString("d MMMM yyyy, HH:mm", System.Globalization.CultureInfo.InvariantCulture), page, StringComparison.Ordinal);
        Assert.Contains("Times are in Asia/Tokyo", page, StringComparison.Ordinal);
        Assert.Contains("Planned", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PreferencesPage_NeedsSigningIn()
    {
        var response = await app.CreateBrowserlikeClient().GetAsync("/settings/emails", Ct);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Contains("/Account/Login", response.Headers.Location!.ToString(), StringComparison.Ordinal);
    }
}
