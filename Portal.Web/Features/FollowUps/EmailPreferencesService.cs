using Microsoft.EntityFrameworkCore;
using Portal.Domain.Content;
using Portal.Web.Data;
using Portal.Web.Data.Entities;

namespace Portal.Web.Features.FollowUps;

public sealed record TopicChoice(EmailTopic Topic, bool On);

public sealed record EmailPreferences(string Email, IReadOnlyList<TopicChoice> Topics, string? TimeZoneId);

/// <summary>What an unsubscribe link did (or would do), for the page that says so.</summary>
public sealed record UnsubscribeOutcome(string FirmName, string Email, UnsubscribeScope Scope, int Cancelled);

/// <summary>
/// Which emails a person gets. Turning a topic off cancels its pending emails at once;
/// turning it back on restores those of the firm's current plan that are still to come.
/// </summary>
public sealed class EmailPreferencesService(IDbContextFactory<PortalDbContext> dbFactory, ContentCatalog catalog, UnsubscribeTokens tokens, TimeProvider clock)
{
    private DateTime Now => clock.GetUtcNow().UtcDateTime;

    public async Task<EmailPreferences?> GetAsync(string userId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var user = await db.Users.AsNoTracking().Where(u => u.Id == userId).Select(u => new { u.Email, u.TimeZoneId }).FirstOrDefaultAsync(ct);
        if (user is null)
        {
            return null;
        }

        var off = await db.EmailOptOuts.Where(o => o.UserId == userId).Select(o => o.Topic).ToListAsync(ct);
        return new EmailPreferences(user.Email ?? "", EmailTopics.All(catalog.Current).Select(t => new TopicChoice(t, !off.Contains(t.Id))).ToList(), user.TimeZoneId);
    }

    /// <summary>Saves the topics that are on (the rest are off) and the time zone. Returns an error for an unknown time zone, saving nothing.</summary>
    public async Task<string?> SaveAsync(string userId, IReadOnlySet<string> topicsOn, string? timeZoneId, CancellationToken ct = default)
    {
        if (!string.IsNullOrEmpty(timeZoneId) && !TimeZones.IsKnown(timeZoneId))
        {
            return "Choose a time zone from the list";
        }

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var user = await db.Users.FirstOrDefaultAsync(u => u.Id == userId, ct);
        if (user is null)
        {
            return "Your account no longer exists";
        }

        user.TimeZoneId = string.IsNullOrEmpty(timeZoneId) ? null : timeZoneId;
        var all = EmailTopics.All(catalog.Current).Select(t => t.Id).ToList();
        await SetTopicsAsync(db, userId, all.Where(topicsOn.Contains).ToList(), all.Where(t => !topicsOn.Contains(t)).ToList(), ct);
        await db.SaveChangesAsync(ct);
        return null;
    }

    /// <summary>Turns every topic off (advice and advisors' messages) and cancels what is pending.</summary>
    public async Task StopAllAsync(string userId, CancellationToken ct = default)
    {
        await ChangeTopicsAsync(userId, [], EmailTopics.All(catalog.Current).Select(t => t.Id).ToList(), ct);
    }

    /// <summary>
    /// The one-click unsubscribe of an email's link: every kind of advice email (or, from an
    /// advisor's message, every advisor message) stops for the person the token names. Null
    /// when the token is forged, altered, or no longer matches a member of the firm.
    /// </summary>
    public async Task<UnsubscribeOutcome?> UnsubscribeAsync(string? token, CancellationToken ct = default)
    {
        if (tokens.Read(token) is not { } target)
        {
            return null;
        }

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var member = await db.FirmMembers.AsNoTracking()
            .Where(m => m.FirmId == target.FirmId && m.UserId == target.UserId)
            .Select(m => new { FirmName = m.Firm.Name, m.User.Email })
            .FirstOrDefaultAsync(ct);
        if (member is null)
        {
            return null;
        }

        var cancelled = await ChangeTopicsAsync(target.UserId, [], Topics(target.Scope), ct);
        return new UnsubscribeOutcome(member.FirmName, member.Email ?? "", target.Scope, cancelled);
    }

    /// <summary>Whether a token is one this portal made for a current member of the firm (to show the page before asking).</summary>
    public async Task<UnsubscribeOutcome?> DescribeAsync(string? token, CancellationToken ct = default)
    {
        if (tokens.Read(token) is not { } target)
        {
            return null;
        }

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.FirmMembers.AsNoTracking()
            .Where(m => m.FirmId == target.FirmId && m.UserId == target.UserId)
            .Select(m => new UnsubscribeOutcome(m.Firm.Name, m.User.Email ?? "", target.Scope, 0))
            .FirstOrDefaultAsync(ct);
    }

    private IReadOnlyList<string> Topics(UnsubscribeScope scope) =>
        scope == UnsubscribeScope.AdvisorMessages ? [EmailTopics.AdvisorMessages] : EmailTopics.Advice(catalog.Current);

    /// <summary>
    /// Sets the topics in a unit of work of its own. Mail programs may post a one-click
    /// unsubscribe twice at once: the second then finds the opt-outs just written and has
    /// nothing left to do, instead of failing on the duplicate.
    /// </summary>
    private async Task<int> ChangeTopicsAsync(string userId, IReadOnlyList<string> on, IReadOnlyList<string> off, CancellationToken ct)
    {
        try
        {
            return await SaveTopicsAsync();
        }
        catch (DbUpdateException)
        {
            return await SaveTopicsAsync();
        }

        async Task<int> SaveTopicsAsync()
        {
            await using var db = await dbFactory.CreateDbContextAsync(ct);
            var cancelled = await SetTopicsAsync(db, userId, on, off, ct);
            await db.SaveChangesAsync(ct);
            return cancelled;
        }
    }

    private async Task<int> SetTopicsAsync(PortalDbContext db, string userId, IReadOnlyList<string> on, IReadOnlyList<string> off, CancellationToken ct)
    {
        var now = Now;
        var existing = await db.EmailOptOuts.Where(o => o.UserId == userId).ToListAsync(ct);
        db.EmailOptOuts.RemoveRange(existing.Where(o => on.Contains(o.Topic)));
        foreach (var topic in off.Where(t => existing.All(o => o.Topic != t)))
        {
            db.EmailOptOuts.Add(new EmailOptOut { UserId = userId, Topic = topic, At = now });
        }

        var cancelled = 0;
        if (off.Count > 0)
        {
            var pending = await db.FollowUps
                .Where(f => f.UserId == userId && f.Status == FollowUpStatus.Pending && f.Topic != null && off.Contains(f.Topic))
                .ToListAsync(ct);
            foreach (var row in pending)
            {
                row.Status = FollowUpStatus.Cancelled;
                row.CancelledAt = now;
                row.CancelReason = CancelReasons.Unsubscribed;
            }

            cancelled = pending.Count;
        }

        var turnedOn = existing.Where(o => on.Contains(o.Topic)).Select(o => o.Topic).ToList();
        if (turnedOn.Count > 0)
        {
            // Back on: the emails of each firm's current plan that are still to come. Older
            // plans stay cancelled; a reassessment replaced them.
            var restorable = await db.FollowUps
                .Where(f => f.UserId == userId && f.Status == FollowUpStatus.Cancelled && f.CancelReason == CancelReasons.Unsubscribed
                    && f.Topic != null && turnedOn.Contains(f.Topic) && f.DueAt > now
                    && !db.Assessments.Any(a => a.FirmId == f.FirmId && a.Status == AssessmentStatus.Submitted && a.SubmittedAt > f.CreatedAt))
                .ToListAsync(ct);
            foreach (var row in restorable)
            {
                row.Status = FollowUpStatus.Pending;
                row.CancelledAt = null;
                row.CancelReason = null;
                row.NextAttemptAt = row.DueAt;
            }
        }

        return cancelled;
    }
}
