using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Tests.TestSupport;
using Portal.Web.Data;
using Portal.Web.Data.Entities;
using Portal.Web.Features.Accounts;
using Portal.Web.Features.Admin;
using Portal.Web.Features.Programmes;

namespace Portal.Tests.Integration.Postgres;

/// <summary>
/// On PostgreSQL, read-then-write work locks what it works on (a firm, an account), not the
/// whole database as SQLite's one writer does: a firm's work waits for the firm, other firms'
/// work goes on. Each test holds a firm's lock itself, in a transaction of its own, and watches
/// the portal's work wait for it in pg_locks.
/// </summary>
public sealed class WriteLockTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task AFirmsLock_HoldsUpThatFirmsSave_NotAnotherFirms()
    {
        PostgresTestDatabase.SkipUnlessAvailable();
        await using var app = new PortalApp(o => o.UsePostgres());
        var (first, second) = (await OwnerWithFirmAsync(app, "first"), await OwnerWithFirmAsync(app, "second"));
        var question = TestContent.Real.Questionnaire.FindSection("knowledge")!.Questions.First(q => q.Kind == Portal.Domain.Questionnaires.QuestionKind.Scale);

        await using var holder = await app.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync(Ct);
        var held = await holder.BeginWriteTransactionAsync(WriteLocks.Firm(first.FirmId), Ct);
        var waiting = app.Assessments().SaveAnswerAsync(first.UserId, question.Id, JsonValue.Create(4), Ct);
        await WaitForWaitersAsync(app, 1);

        // Another firm's save is not held up (under one lock for every firm it would wait too).
        var other = await app.Assessments().SaveAnswerAsync(second.UserId, question.Id, JsonValue.Create(2), Ct).WaitAsync(Patience, Ct);
        Assert.Null(other.Error);
        Assert.False(waiting.IsCompleted, "the first firm's save went on while its firm's lock was held");

        await held.CommitAsync(Ct);
        Assert.Null((await waiting.WaitAsync(Patience, Ct)).Error);
        var section = await app.Assessments().GetSectionAsync(first.UserId, "knowledge");
        Assert.Equal(4, section!.Values[question.Id]?.GetValue<double>());
    }

    [Fact]
    public async Task TwoOwnersOfOneFirm_AcceptingInvitationsToOneCohortAtOnce_EnrolItOnce()
    {
        PostgresTestDatabase.SkipUnlessAvailable();
        await using var app = new PortalApp(o => o.UsePostgres());
        var owner = await OwnerWithFirmAsync(app, "owner");
        var partner = await app.CreateUserAsync($"partner.{Guid.NewGuid():N}@example.org", FirmFileSetup.Password, PortalRoles.Owner);
        var cohortId = await CohortAsync(app);
        var (ownerInvitation, partnerInvitation) = (InvitationTokens.Create(), InvitationTokens.Create());
        await app.QueryAsync(async db =>
        {
            db.FirmMembers.Add(new FirmMember { FirmId = owner.FirmId, UserId = partner.Id, Role = FirmMember.OwnerRole, JoinedAt = DateTime.UtcNow });
            foreach (var (hash, who) in new[] { (ownerInvitation.Hash, "owner"), (partnerInvitation.Hash, "partner") })
            {
                db.Enrolments.Add(new Enrolment { CohortId = cohortId, InvitedEmail = $"{who}@example.org", TokenHash = hash, InvitedAt = DateTime.UtcNow });
            }

            return await db.SaveChangesAsync(Ct);
        });
        var invitations = app.Services.GetRequiredService<InvitationService>();

        // Both acceptances reach the firm's lock while it is held, then go on one after the other.
        await using var holder = await app.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync(Ct);
        var held = await holder.BeginWriteTransactionAsync(WriteLocks.Firm(owner.FirmId), Ct);
        var accepting = new[] { invitations.AcceptAsync(ownerInvitation.Token, owner.UserId, Ct), invitations.AcceptAsync(partnerInvitation.Token, partner.Id, Ct) };
        await WaitForWaitersAsync(app, 2);
        Assert.DoesNotContain(accepting, a => a.IsCompleted);
        await held.CommitAsync(Ct);
        var outcomes = await Task.WhenAll(accepting).WaitAsync(Patience, Ct);

        Assert.All(outcomes, o => Assert.NotNull(o.Done));
        Assert.Single(outcomes, o => o.Done!.Contains("has joined", StringComparison.Ordinal));
        Assert.Single(outcomes, o => o.Done!.Contains("was already in", StringComparison.Ordinal));
        Assert.Equal(1, await app.QueryAsync(db => db.Enrolments.CountAsync(e => e.CohortId == cohortId && e.FirmId == owner.FirmId, Ct)));
        Assert.Equal(0, await app.QueryAsync(db => db.Enrolments.CountAsync(e => e.CohortId == cohortId && e.FirmId == null, Ct)));
    }

    private sealed record Owner(string UserId, Guid FirmId);

    private static async Task<Owner> OwnerWithFirmAsync(PortalApp app, string name)
    {
        var user = await app.CreateUserAsync($"{name}.{Guid.NewGuid():N}@example.org", FirmFileSetup.Password, PortalRoles.Owner);
        await app.Assessments().GetOverviewAsync(user.Id); // makes the firm and its first draft
        var firmId = await app.QueryAsync(db => db.FirmMembers.Where(m => m.UserId == user.Id).Select(m => m.FirmId).SingleAsync(Ct));
        return new Owner(user.Id, firmId);
    }

    private static async Task<Guid> CohortAsync(PortalApp app)
    {
        var organisations = app.Services.GetRequiredService<OrganisationAdminService>();
        Assert.Null(await organisations.CreateAsync("Locks Trade Agency", null, Ct));
        var organisationId = (await organisations.ListAsync()).Single(o => o.Name == "Locks Trade Agency").Id;
        return await app.QueryAsync(async db =>
        {
            var programme = new Programme { OrganisationId = organisationId, Name = "Export Ready", CreatedAt = DateTime.UtcNow };
            var cohort = new Cohort { Programme = programme, Name = "Spring", StartsOn = new DateOnly(2027, 3, 1), EndsOn = new DateOnly(2027, 9, 30), CreatedAt = DateTime.UtcNow };
            db.Cohorts.Add(cohort);
            await db.SaveChangesAsync(Ct);
            return cohort.Id;
        });
    }

    /// <summary>Until this test's database has <paramref name="count"/> sessions waiting for an advisory lock.</summary>
    private static Task WaitForWaitersAsync(PortalApp app, int count) =>
        Eventually.WaitForAsync(
            async () => await app.QueryAsync(db => db.Database.SqlQuery<int>(
                $"SELECT count(*)::int AS \"Value\" FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())").SingleAsync(Ct)) >= count ? "waiting" : null,
            Patience, $"{count} of the portal's sessions to wait for the firm's lock");

}
