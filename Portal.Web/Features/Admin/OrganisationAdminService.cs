using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Portal.Web.Data;
using Portal.Web.Data.Entities;
using Portal.Web.Features.Accounts;
using Portal.Web.Features.Audit;
using Portal.Web.Features.FollowUps;

namespace Portal.Web.Features.Admin;

public sealed record OrganisationRow(Guid Id, string Name, string? Description, DateTime CreatedAt, int ActiveShares, int Advisors);

/// <param name="HasAdvisorRole">False when someone took the role away on the Users page: the person cannot open advisor pages.</param>
public sealed record AdvisorRow(string UserId, string Email, DateTime Since, int AssignedFirms, bool HasAdvisorRole);

public sealed record OrganisationDetail(Guid Id, string Name, string? Description, DateTime CreatedAt, int ActiveShares, IReadOnlyList<AdvisorRow> Advisors);

/// <summary>
/// What adding an advisor came to: done (with a message saying what changed), refused (with
/// the message for the form), or waiting for the Admin to confirm moving the person from the
/// organisation they work for now.
/// </summary>
public sealed record AdvisorChange(bool Succeeded, string Message, Guid? MoveFromId = null, string? MoveFromName = null)
{
    public bool NeedsMoveConfirmation => MoveFromId is not null;

    public static AdvisorChange Done(string message) => new(true, message);

    public static AdvisorChange Refused(string message) => new(false, message);
}

/// <summary>Admins create the advisor organisations that firms can share results with, and place advisors in them.</summary>
public sealed class OrganisationAdminService(IDbContextFactory<PortalDbContext> dbFactory, IServiceScopeFactory scopes, AuditLog audit, TimeProvider clock)
{
    public const int MaxName = 200;

    public const int MaxEmail = 256;

    public const string AddedAction = "added an advisor to an organisation";

    public const string MovedAction = "moved an advisor to another organisation";

    public const string RemovedAction = "removed an advisor from an organisation";

    public async Task<IReadOnlyList<OrganisationRow>> ListAsync(CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.Organisations.AsNoTracking().OrderBy(o => o.Name)
            .Select(o => new OrganisationRow(o.Id, o.Name, o.Description, o.CreatedAt,
                db.FirmShares.Count(s => s.OrganisationId == o.Id && s.RevokedAt == null),
                db.OrganisationMembers.Count(m => m.OrganisationId == o.Id)))
            .ToListAsync(ct);
    }

    /// <summary>The organisation with its advisors, or null when there is no such organisation.</summary>
    public async Task<OrganisationDetail?> GetAsync(Guid id, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var organisation = await db.Organisations.AsNoTracking().Where(o => o.Id == id)
            .Select(o => new { o.Id, o.Name, o.Description, o.CreatedAt, Shares = db.FirmShares.Count(s => s.OrganisationId == o.Id && s.RevokedAt == null) })
            .FirstOrDefaultAsync(ct);
        if (organisation is null)
        {
            return null;
        }

        var advisorRoleId = db.Roles.Where(r => r.Name == PortalRoles.Advisor).Select(r => r.Id);
        var advisors = await db.OrganisationMembers.AsNoTracking().Where(m => m.OrganisationId == id)
            .OrderBy(m => m.User.NormalizedEmail)
            .Select(m => new AdvisorRow(m.UserId, m.User.Email ?? "", m.JoinedAt,
                db.CaseFiles.Count(c => c.OrganisationId == id && c.AssignedAdvisorId == m.UserId),
                db.UserRoles.Any(ur => ur.UserId == m.UserId && advisorRoleId.Contains(ur.RoleId))))
            .ToListAsync(ct);
        return new OrganisationDetail(organisation.Id, organisation.Name, organisation.Description, organisation.CreatedAt, organisation.Shares, advisors);
    }

    /// <summary>Creates an organisation; returns an error message for the form, or null.</summary>
    public async Task<string?> CreateAsync(string name, string? description, CancellationToken ct = default)
    {
        name = name.Trim();
        if (name.Length == 0)
        {
            return "Enter the organisation's name";
        }

        if (name.Length > MaxName)
        {
            return $"The name must be {MaxName} characters or fewer";
        }

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        if (await db.Organisations.AnyAsync(o => o.Name == name, ct))
        {
            return $"An organisation called “{name}” already exists";
        }

        db.Organisations.Add(new Organisation { Name = name, Description = string.IsNullOrWhiteSpace(description) ? null : description.Trim(), CreatedAt = clock.GetUtcNow().UtcDateTime });
        await db.SaveChangesAsync(ct);
        return null;
    }

    /// <summary>
    /// Places the account with this email in the organisation. The account must exist and must
    /// not act for a firm (an owner who could also read other firms' results would be a
    /// conflict of interest). An account that is not an advisor's yet becomes one: it gets the
    /// Advisor role and loses the Owner role every registration starts with. An advisor of
    /// another organisation is moved only when <paramref name="confirmedMoveFrom"/> names the
    /// organisation they are in now, so a move is never a surprise.
    /// </summary>
    public async Task<AdvisorChange> AddAdvisorAsync(Guid organisationId, string? email, Guid? confirmedMoveFrom, string actorId, CancellationToken ct = default)
    {
        email = email?.Trim() ?? "";
        if (email.Length == 0)
        {
            return AdvisorChange.Refused("Enter the email address of the advisor's account");
        }

        if (email.Length > MaxEmail || !new EmailAddressAttribute().IsValid(email))
        {
            return AdvisorChange.Refused("Enter an email address in the correct format, like name@example.org");
        }

        await using var scope = scopes.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<PortalUser>>();
        // The context UserManager saves through, so the roles, the membership and the audit entry commit together.
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        var organisation = await db.Organisations.FirstOrDefaultAsync(o => o.Id == organisationId, ct);
        if (organisation is null)
        {
            return AdvisorChange.Refused("This organisation no longer exists");
        }

        var user = await users.FindByEmailAsync(email);
        if (user is null)
        {
            return AdvisorChange.Refused($"No account uses {email}. Ask the advisor to register on the portal first, then add them here");
        }

        var firmName = await db.FirmMembers.Where(m => m.UserId == user.Id).Select(m => m.Firm.Name).FirstOrDefaultAsync(ct);
        if (firmName is not null)
        {
            var firm = firmName.Length > 0 ? $"the firm “{firmName}”" : "a firm";
            return AdvisorChange.Refused($"{email} is the account of {firm}. A firm owner's account cannot also be an advisor's: ask the advisor to register a separate account with their work email");
        }

        var member = await db.OrganisationMembers.Include(m => m.Organisation).FirstOrDefaultAsync(m => m.UserId == user.Id, ct);
        if (member?.OrganisationId == organisationId)
        {
            return AdvisorChange.Refused($"{email} is already an advisor of {organisation.Name}");
        }

        if (member is not null && confirmedMoveFrom != member.OrganisationId)
        {
            return new AdvisorChange(false,
                $"{email} is an advisor of {member.Organisation.Name}. An advisor works for one organisation at a time: confirm below to move them to {organisation.Name}",
                member.OrganisationId, member.Organisation.Name);
        }

        var admin = await ActorEmailAsync(db, actorId, ct);
        var now = clock.GetUtcNow().UtcDateTime;
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var roleNote = await MakeAdvisorAsync(users, user);
        if (roleNote is { Error: { } roleError })
        {
            return AdvisorChange.Refused(roleError);
        }

        string message;
        if (member is null)
        {
            db.OrganisationMembers.Add(new OrganisationMember { UserId = user.Id, OrganisationId = organisationId, JoinedAt = now });
            audit.Add(db, actorId, admin, null, AddedAction, $"{email} to {organisation.Name}{roleNote.Detail}");
            message = $"{email} is now an advisor of {organisation.Name}.{roleNote.Message}";
        }
        else
        {
            var from = member.Organisation.Name;
            var unassigned = await UnassignAsync(db, member.OrganisationId, user.Id, ct);
            await CancelUnsentMessagesAsync(db, user.Id, clock.GetUtcNow().UtcDateTime, ct);
            member.OrganisationId = organisationId;
            member.JoinedAt = now;
            audit.Add(db, actorId, admin, null, MovedAction, $"{email} from {from} to {organisation.Name}{roleNote.Detail}");
            message = $"{email} has moved from {from} to {organisation.Name}.{Unassigned(unassigned, from)}{roleNote.Message}";
        }

        try
        {
            await db.SaveChangesAsync(ct);
            await transaction.CommitAsync(ct);
        }
        catch (DbUpdateException)
        {
            // Another Admin placed the same person at the same moment: one organisation per advisor holds.
            return AdvisorChange.Refused($"{email} was placed in an organisation by someone else just now. Reload the page to see where");
        }

        return AdvisorChange.Done(message);
    }

    /// <summary>Takes the advisor out of the organisation: they lose its firms at once and keep their account and role.</summary>
    public async Task<AdvisorChange> RemoveAdvisorAsync(Guid organisationId, string userId, string actorId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var member = await db.OrganisationMembers.Include(m => m.Organisation).Include(m => m.User)
            .FirstOrDefaultAsync(m => m.UserId == userId && m.OrganisationId == organisationId, ct);
        if (member is null)
        {
            return AdvisorChange.Refused("That advisor is no longer in this organisation");
        }

        var email = member.User.Email ?? "";
        var organisation = member.Organisation.Name;
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var unassigned = await UnassignAsync(db, organisationId, userId, ct);
        await CancelUnsentMessagesAsync(db, userId, clock.GetUtcNow().UtcDateTime, ct);
        db.OrganisationMembers.Remove(member);
        audit.Add(db, actorId, await ActorEmailAsync(db, actorId, ct), null, RemovedAction, $"{email} from {organisation}");
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return AdvisorChange.Done($"{email} is no longer an advisor of {organisation}.{Unassigned(unassigned, organisation)}");
    }

    private sealed record RoleNote(string Message, string Detail, string? Error = null);

    private static async Task<RoleNote> MakeAdvisorAsync(UserManager<PortalUser> users, PortalUser user)
    {
        if (await users.IsInRoleAsync(user, PortalRoles.Advisor))
        {
            return new RoleNote("", "");
        }

        var result = await users.AddToRoleAsync(user, PortalRoles.Advisor);
        var wasOwner = result.Succeeded && await users.IsInRoleAsync(user, PortalRoles.Owner);
        if (wasOwner)
        {
            // Every registration starts as an owner; an advisor's account must not open a firm of its own.
            result = await users.RemoveFromRoleAsync(user, PortalRoles.Owner);
        }

        if (result.Succeeded)
        {
            // A new security stamp makes the person's open sessions pick up the new roles.
            result = await users.UpdateSecurityStampAsync(user);
        }

        if (!result.Succeeded)
        {
            return new RoleNote("", "", string.Join(" ", result.Errors.Select(e => e.Description)));
        }

        return wasOwner
            ? new RoleNote(" The account had the Firm owner role; it now has the Trade advisor role instead.", " (gave the Advisor role in place of Owner)")
            : new RoleNote(" The account has been given the Trade advisor role.", " (gave the Advisor role)");
    }

    /// <summary>Cases the advisor held in the organisation go back to the organisation, so its other advisors see them as unassigned.</summary>
    private static Task<int> UnassignAsync(PortalDbContext db, Guid organisationId, string userId, CancellationToken ct) =>
        db.CaseFiles.Where(c => c.OrganisationId == organisationId && c.AssignedAdvisorId == userId)
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.AssignedAdvisorId, (string?)null), ct);

    /// <summary>
    /// Their messages still to go would name an organisation they no longer speak for (and a
    /// failed one must not be resent): cancelled with the move or removal.
    /// </summary>
    private static Task<int> CancelUnsentMessagesAsync(PortalDbContext db, string userId, DateTime now, CancellationToken ct) =>
        db.FollowUps.Where(f => f.Kind == EmailKind.AdvisorMessage && f.SenderId == userId
                && (f.Status == FollowUpStatus.Pending || f.Status == FollowUpStatus.Failed))
            .ExecuteUpdateAsync(s => s
                .SetProperty(f => f.Status, FollowUpStatus.Cancelled)
                .SetProperty(f => f.CancelledAt, now)
                .SetProperty(f => f.CancelReason, CancelReasons.AdvisorLeft), ct);

    private static string Unassigned(int count, string organisation) => count switch
    {
        0 => "",
        1 => $" The firm assigned to them in {organisation} is now unassigned.",
        _ => $" The {count} firms assigned to them in {organisation} are now unassigned.",
    };

    private static async Task<string> ActorEmailAsync(PortalDbContext db, string actorId, CancellationToken ct) =>
        await db.Users.Where(u => u.Id == actorId).Select(u => u.Email).FirstOrDefaultAsync(ct) ?? "";
}
