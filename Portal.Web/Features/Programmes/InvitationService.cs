using System.ComponentModel.DataAnnotations;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using MimeKit;
using Portal.Domain.Emails;
using Portal.Web.Configuration;
using Portal.Web.Data;
using Portal.Web.Data.Entities;
using Portal.Web.Features.Accounts;
using Portal.Web.Features.Advisors;
using Portal.Web.Features.Assessments;
using Portal.Web.Features.Audit;
using Portal.Web.Features.FollowUps;
using Portal.Web.Features.Sharing;

namespace Portal.Web.Features.Programmes;

/// <summary>What an invitation link comes to.</summary>
public enum InvitationState
{
    /// <summary>Waiting to be accepted, within its time.</summary>
    Valid,

    /// <summary>No invitation has this token: mistyped, cut short, or made up.</summary>
    Unknown,

    Expired,

    /// <summary>Accepted already (by this firm or another).</summary>
    Used,
}

/// <param name="AcceptedByYourFirm">For a used invitation: the signed-in owner's own firm accepted it.</param>
public sealed record InvitationView(
    InvitationState State, string Programme, string? Description, string Organisation, string Cohort, DateOnly StartsOn, DateOnly EndsOn,
    string? InvitedEmail, DateTime ExpiresAt, bool AcceptedByYourFirm)
{
    public static readonly InvitationView Unknown = new(InvitationState.Unknown, "", null, "", "", default, default, null, default, false);
}

/// <param name="NotAnOwner">The account cannot act for a firm (an advisor's, staff's or Admin's): refused.</param>
public sealed record AcceptOutcome(InvitationState State, string? Done, bool NotAnOwner = false)
{
    public bool Succeeded => State == InvitationState.Valid && Done is not null;
}

/// <summary>
/// Invitations to a cohort: staff send them by email through the outbox; an owner who follows
/// the link accepts, which enrols the firm and shares its results with the programme's
/// organisation (a consent the owner can withdraw on the sharing page like any other).
/// </summary>
public sealed class InvitationService(
    IDbContextFactory<PortalDbContext> dbFactory, AssessmentService assessments, Outbox outbox, PublicLinks links,
    IOptions<ProgrammeOptions> options, AuditLog audit, TimeProvider clock)
{
    public const int MaxAddresses = 100;

    public const int MaxEmail = 256;

    public const string InvitedAction = "invited firms to a programme cohort";

    public const string AcceptedAction = "joined a programme cohort";

    private static readonly char[] Separators = ['\r', '\n', ',', ';'];

    private TimeSpan ValidFor => TimeSpan.FromDays(options.Value.InvitationValidDays);

    /// <summary>
    /// Invites each address (one per line) to the cohort. Nothing is sent while an address is
    /// not an email address: the form shows which, with the text as typed. An address invited
    /// already is not invited twice (one whose link expired gets a new link instead).
    /// </summary>
    public async Task<FormOutcome> InviteAsync(ProgrammeContext programme, Guid cohortId, string? addresses, string actorId, CancellationToken ct = default)
    {
        var given = (addresses ?? "").Split(Separators, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (given.Length == 0)
        {
            return Refused("Enter at least one email address, one per line");
        }

        if (given.Length > MaxAddresses)
        {
            return Refused($"Invite at most {MaxAddresses} addresses at a time: this has {given.Length}");
        }

        var invalid = given.Where(a => !IsEmail(a)).Distinct(StringComparer.Ordinal).ToList();
        if (invalid.Count > 0)
        {
            var list = string.Join(", ", invalid.Select(a => $"“{a}”"));
            return Refused(invalid.Count == 1
                ? $"{list} is not an email address. Correct it or remove it, then send again: no invitation has been sent"
                : $"{list} are not email addresses. Correct them or remove them, then send again: no invitation has been sent");
        }

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var cohort = await db.Cohorts.AsNoTracking().Where(c => c.Id == cohortId && c.ProgrammeId == programme.ProgrammeId)
            .Select(c => new { c.Name, c.StartsOn, c.EndsOn, c.Programme.Description }).FirstOrDefaultAsync(ct);
        if (cohort is null)
        {
            return FormOutcome.NotFound;
        }

        var emails = given.DistinctBy(a => a.ToUpperInvariant()).ToList();
        var keys = emails.Select(a => a.ToUpperInvariant()).ToList();
        var existing = await db.Enrolments.Where(e => e.CohortId == cohortId && e.InvitedEmail != null && keys.Contains(e.InvitedEmail.ToUpper())).ToListAsync(ct);
        var inCohort = (await db.FirmMembers
            .Where(m => keys.Contains(m.User.NormalizedEmail!)
                && db.Enrolments.Any(e => e.FirmId == m.FirmId && e.CohortId == cohortId && e.EnrolledAt != null && e.LeftAt == null))
            .Select(m => m.User.NormalizedEmail!).ToListAsync(ct)).ToHashSet(StringComparer.Ordinal);

        var now = clock.GetUtcNow().UtcDateTime;
        var zone = TimeZones.Resolve(await db.Users.Where(u => u.Id == actorId).Select(u => u.TimeZoneId).FirstOrDefaultAsync(ct));
        var sent = new List<string>();
        var renewed = new List<string>();
        var skipped = new List<string>();
        foreach (var email in emails)
        {
            var key = email.ToUpperInvariant();
            var rows = existing.Where(e => e.InvitedEmail!.ToUpperInvariant() == key).ToList();
            if (inCohort.Contains(key) || rows.Any(e => e.FirmId is not null && e.LeftAt is null))
            {
                skipped.Add($"{email}'s firm is already in the cohort");
                continue;
            }

            var pending = rows.FirstOrDefault(e => e.FirmId is null);
            if (pending is not null && pending.InvitedAt + ValidFor >= now)
            {
                skipped.Add($"{email} was invited already on {TimeZones.Date(pending.InvitedAt!.Value, zone)}");
                continue;
            }

            var (token, hash) = InvitationTokens.Create();
            if (pending is not null)
            {
                // The link it had expired: the same invitation gets a new link, and the old one stays dead.
                pending.TokenHash = hash;
                pending.InvitedAt = now;
                pending.InvitedById = actorId;
                renewed.Add(email);
            }
            else
            {
                db.Enrolments.Add(new Enrolment { CohortId = cohortId, InvitedEmail = email, TokenHash = hash, InvitedAt = now, InvitedById = actorId });
                sent.Add(email);
            }

            var details = new ProgrammeInvitationDetails(programme.Name, cohort.Description, cohort.Name, cohort.StartsOn, cohort.EndsOn,
                programme.OrganisationName, now + ValidFor);
            outbox.AddAccountEmail(db, null, email, EmailModels.ProgrammeInvitation,
                new AccountEmailPayload(links.To($"programmes/join?token={token}"), null, details));
        }

        if (sent.Count + renewed.Count == 0)
        {
            return Refused($"No invitation was sent: {string.Join("; ", skipped)}");
        }

        audit.Add(db, actorId, await ProgrammeService.EmailOfAsync(db, actorId, ct), null, InvitedAction,
            $"{cohort.Name} of {programme.Name}: {string.Join(", ", sent.Concat(renewed))}");
        await db.SaveChangesAsync(ct);
        outbox.DispatchNow();

        var message = sent.Count == 0 ? "" : $"Invitations sent to {string.Join(", ", sent)}.";
        if (renewed.Count > 0)
        {
            message += $" A new link was sent to {string.Join(", ", renewed)}, whose earlier link had expired.";
        }

        if (skipped.Count > 0)
        {
            message += $" Not invited again: {string.Join("; ", skipped)}.";
        }

        return FormOutcome.Success(message.Trim());
    }

    /// <summary>What the link is an invitation to, and whether it can still be accepted.</summary>
    public async Task<InvitationView> DescribeAsync(string? token, string? userId, CancellationToken ct = default)
    {
        if (InvitationTokens.Hash(token) is not { } hash)
        {
            return InvitationView.Unknown;
        }

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var invitation = await FindAsync(db, hash, ct);
        if (invitation is null)
        {
            return InvitationView.Unknown;
        }

        var expires = invitation.InvitedAt + ValidFor;
        var state = invitation.FirmId is not null ? InvitationState.Used
            : clock.GetUtcNow().UtcDateTime > expires ? InvitationState.Expired
            : InvitationState.Valid;
        var yours = state == InvitationState.Used && userId is not null
            && await db.FirmMembers.AnyAsync(m => m.UserId == userId && m.FirmId == invitation.FirmId, ct);
        return new InvitationView(state, invitation.Programme, invitation.Description, invitation.Organisation, invitation.Cohort,
            invitation.StartsOn, invitation.EndsOn, invitation.InvitedEmail, expires, yours);
    }

    /// <summary>
    /// The owner accepts: the firm is enrolled (its baseline is its latest submitted assessment,
    /// or the first one it submits) and shares its results with the programme's organisation.
    /// The invitation is used up, whoever follows the link next.
    /// </summary>
    public async Task<AcceptOutcome> AcceptAsync(string? token, string userId, CancellationToken ct = default)
    {
        if (InvitationTokens.Hash(token) is not { } hash)
        {
            return new AcceptOutcome(InvitationState.Unknown, null);
        }

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var invitation = await FindAsync(db, hash, ct);
        if (invitation is null)
        {
            return new AcceptOutcome(InvitationState.Unknown, null);
        }

        var now = clock.GetUtcNow().UtcDateTime;
        if (invitation.FirmId is not null)
        {
            return new AcceptOutcome(InvitationState.Used, null);
        }

        if (now > invitation.InvitedAt + ValidFor)
        {
            return new AcceptOutcome(InvitationState.Expired, null);
        }

        if (!await db.UserRoles.AnyAsync(ur => ur.UserId == userId && db.Roles.Any(r => r.Id == ur.RoleId && r.Name == PortalRoles.Owner), ct))
        {
            return new AcceptOutcome(InvitationState.Valid, null, NotAnOwner: true);
        }

        var firm = await assessments.EnsureFirmAsync(db, userId, ct);
        var firmName = firm.Name.Length > 0 ? firm.Name : "Your firm";
        var email = await ProgrammeService.EmailOfAsync(db, userId, ct);
        var place = $"{invitation.Cohort} of {invitation.Programme}";
        // The firm's lock (PostgreSQL): of two of its owners accepting invitations to this cohort at
        // once, the second finds the firm enrolled by the first.
        await using var transaction = await db.BeginWriteTransactionAsync(WriteLocks.Firm(firm.Id), ct);
        string done;
        if (await db.Enrolments.AnyAsync(e => e.FirmId == firm.Id && e.CohortId == invitation.CohortId && e.EnrolledAt != null && e.LeftAt == null, ct))
        {
            // Staff enrolled the firm since the invitation went out: one place in the cohort is enough.
            await db.Enrolments.Where(e => e.Id == invitation.Id && e.FirmId == null).ExecuteDeleteAsync(ct);
            done = $"{firmName} was already in {place}.";
        }
        else
        {
            var baseline = await db.Assessments.Where(a => a.FirmId == firm.Id && a.IsLatest).Select(a => (Guid?)a.Id).FirstOrDefaultAsync(ct);
            // Claimed in the database: of two owners accepting at once, one wins and the other finds it used.
            var claimed = await db.Enrolments.Where(e => e.Id == invitation.Id && e.FirmId == null)
                .ExecuteUpdateAsync(s => s
                    .SetProperty(e => e.FirmId, firm.Id)
                    .SetProperty(e => e.EnrolledAt, now)
                    .SetProperty(e => e.EnrolledById, userId)
                    .SetProperty(e => e.BaselineAssessmentId, baseline), ct);
            if (claimed == 0)
            {
                return new AcceptOutcome(InvitationState.Used, null);
            }

            done = $"{firmName} has joined {place}.";
        }

        var shared = await SharingService.AddShareAsync(db, firm.Id, invitation.OrganisationId, userId, now, ct);
        done += shared
            ? $" {invitation.Organisation} can now see your results."
            : $" Your firm already shared its results with {invitation.Organisation}.";
        // The owner's own action: recorded without the firm, as owners' own actions never appear on their firm's activity page.
        audit.Add(db, userId, email, null, AcceptedAction,
            $"{(firm.Name.Length > 0 ? firm.Name : "A firm with no name yet")} joined {place} ({invitation.Organisation}){(shared ? " and shares its results with it" : "")}");
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return new AcceptOutcome(InvitationState.Valid, done);
    }

    private sealed record Found(Guid Id, Guid CohortId, Guid? FirmId, DateTime InvitedAt, string? InvitedEmail, string Programme, string? Description,
        Guid OrganisationId, string Organisation, string Cohort, DateOnly StartsOn, DateOnly EndsOn);

    private static Task<Found?> FindAsync(PortalDbContext db, string hash, CancellationToken ct) =>
        db.Enrolments.AsNoTracking().Where(e => e.TokenHash == hash)
            .Select(e => new Found(e.Id, e.CohortId, e.FirmId, e.InvitedAt ?? DateTime.MinValue, e.InvitedEmail, e.Cohort.Programme.Name, e.Cohort.Programme.Description,
                e.Cohort.Programme.OrganisationId, e.Cohort.Programme.Organisation.Name, e.Cohort.Name, e.Cohort.StartsOn, e.Cohort.EndsOn))
            .FirstOrDefaultAsync(ct);

    private static FormOutcome Refused(string message) => FormOutcome.Refused("emails", message);

    /// <summary>An address mail can be delivered to: one mailbox, a domain with a dot, nothing around it.</summary>
    private static bool IsEmail(string address)
    {
        if (address.Length > MaxEmail || address.Any(char.IsWhiteSpace) || !new EmailAddressAttribute().IsValid(address))
        {
            return false;
        }

        if (!MailboxAddress.TryParse(address, out var mailbox) || !string.Equals(mailbox.Address, address, StringComparison.Ordinal))
        {
            return false;
        }

        var domain = address[(address.LastIndexOf('@') + 1)..];
        return domain.Contains('.', StringComparison.Ordinal) && !domain.StartsWith('.') && !domain.EndsWith('.');
    }
}
