using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Portal.Web.Data;
using Portal.Web.Data.Entities;
using Portal.Web.Features.Accounts;
using Portal.Web.Features.Advisors;
using Portal.Web.Features.Audit;

namespace Portal.Web.Features.Programmes;

public sealed record ProgrammeRow(Guid Id, string Name, string OrganisationName, string? Description, int Staff, int Cohorts, DateTime CreatedAt);

/// <param name="HasStaffRole">False when someone took the role away on the Users page: the person cannot open programme pages.</param>
public sealed record StaffRow(string UserId, string Email, DateTime Since, bool HasStaffRole);

public sealed record ProgrammeAdminDetail(Guid Id, string Name, Guid OrganisationId, string OrganisationName, string? Description, DateTime CreatedAt, int Cohorts, IReadOnlyList<StaffRow> Staff);

public sealed record OrganisationOption(Guid Id, string Name);

/// <summary>Admins create the programmes organisations run, and say who is on each programme's staff.</summary>
public sealed class ProgrammeAdminService(IDbContextFactory<PortalDbContext> dbFactory, IServiceScopeFactory scopes, AuditLog audit, TimeProvider clock)
{
    public const int MaxName = 200;

    public const int MaxDescription = 2000;

    public const int MaxEmail = 256;

    public const string CreatedAction = "created a programme";

    public const string AddedStaffAction = "added a member of staff to a programme";

    public const string RemovedStaffAction = "removed a member of staff from a programme";

    public async Task<IReadOnlyList<ProgrammeRow>> ListAsync(CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.Programmes.AsNoTracking()
            .OrderBy(p => p.Organisation.Name).ThenBy(p => p.Name)
            .Select(p => new ProgrammeRow(p.Id, p.Name, p.Organisation.Name, p.Description,
                db.ProgrammeStaff.Count(s => s.ProgrammeId == p.Id), p.Cohorts.Count, p.CreatedAt))
            .ToListAsync(ct);
    }

    public async Task<IReadOnlyList<OrganisationOption>> OrganisationsAsync(CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.Organisations.AsNoTracking().OrderBy(o => o.Name).Select(o => new OrganisationOption(o.Id, o.Name)).ToListAsync(ct);
    }

    /// <summary>The programme with its staff, or null when there is no such programme.</summary>
    public async Task<ProgrammeAdminDetail?> GetAsync(Guid id, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var programme = await db.Programmes.AsNoTracking().Where(p => p.Id == id)
            .Select(p => new { p.Id, p.Name, p.OrganisationId, Organisation = p.Organisation.Name, p.Description, p.CreatedAt, Cohorts = p.Cohorts.Count })
            .FirstOrDefaultAsync(ct);
        if (programme is null)
        {
            return null;
        }

        var staffRoleId = db.Roles.Where(r => r.Name == PortalRoles.ProgrammeStaff).Select(r => r.Id);
        var staff = await db.ProgrammeStaff.AsNoTracking().Where(s => s.ProgrammeId == id)
            .OrderBy(s => s.User.NormalizedEmail)
            .Select(s => new StaffRow(s.UserId, s.User.Email ?? "", s.AddedAt,
                db.UserRoles.Any(ur => ur.UserId == s.UserId && staffRoleId.Contains(ur.RoleId))))
            .ToListAsync(ct);
        return new ProgrammeAdminDetail(programme.Id, programme.Name, programme.OrganisationId, programme.Organisation, programme.Description,
            programme.CreatedAt, programme.Cohorts, staff);
    }

    /// <summary>Creates a programme of an organisation; the errors by field (name, organisation, description), or the new programme's id.</summary>
    public async Task<(Guid? Id, IReadOnlyDictionary<string, string> Errors)> CreateAsync(string? name, Guid? organisationId, string? description, string actorId, CancellationToken ct = default)
    {
        name = name?.Trim() ?? "";
        description = string.IsNullOrWhiteSpace(description) ? null : description.Trim();
        var errors = new Dictionary<string, string>();
        if (name.Length == 0)
        {
            errors["name"] = "Enter the programme's name";
        }
        else if (name.Length > MaxName)
        {
            errors["name"] = $"The name must be {MaxName} characters or fewer";
        }

        if (description is { Length: > MaxDescription })
        {
            errors["description"] = $"The description must be {MaxDescription} characters or fewer";
        }

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var organisation = organisationId is { } orgId
            ? await db.Organisations.Where(o => o.Id == orgId).Select(o => o.Name).FirstOrDefaultAsync(ct)
            : null;
        if (organisation is null)
        {
            errors["organisation"] = "Choose the organisation that runs the programme";
        }
        else if (!errors.ContainsKey("name") && await db.Programmes.AnyAsync(p => p.OrganisationId == organisationId && p.Name == name, ct))
        {
            errors["name"] = $"{organisation} already has a programme called “{name}”";
        }

        if (errors.Count > 0)
        {
            return (null, errors);
        }

        var programme = new Programme { OrganisationId = organisationId!.Value, Name = name, Description = description, CreatedAt = clock.GetUtcNow().UtcDateTime };
        db.Programmes.Add(programme);
        audit.Add(db, actorId, await ActorEmailAsync(db, actorId, ct), null, CreatedAction, $"{name} of {organisation}");
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            // Another Admin created the same programme at the same moment: the unique index keeps one.
            return (null, new Dictionary<string, string> { ["name"] = $"{organisation} already has a programme called “{name}”" });
        }

        return (programme.Id, errors);
    }

    /// <summary>
    /// Puts the account with this email on the programme's staff. The account must exist and
    /// must not act for a firm (staff read the results of the firms in their cohorts: a firm's
    /// owner among them would be a conflict of interest). An account without the role gets the
    /// ProgrammeStaff role, in place of the Owner role every registration starts with.
    /// </summary>
    public async Task<FormOutcome> AddStaffAsync(Guid programmeId, string? email, string actorId, CancellationToken ct = default)
    {
        email = email?.Trim() ?? "";
        if (email.Length == 0)
        {
            return FormOutcome.Refused("email", "Enter the email address of the person's account");
        }

        if (email.Length > MaxEmail || !new EmailAddressAttribute().IsValid(email))
        {
            return FormOutcome.Refused("email", "Enter an email address in the correct format, like name@example.org");
        }

        await using var scope = scopes.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<PortalUser>>();
        // The context UserManager saves through, so the roles, the membership and the audit entry commit together.
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        var programme = await db.Programmes.Where(p => p.Id == programmeId).Select(p => new { p.Name, Organisation = p.Organisation.Name }).FirstOrDefaultAsync(ct);
        if (programme is null)
        {
            return FormOutcome.NotFound;
        }

        var user = await users.FindByEmailAsync(email);
        if (user is null)
        {
            return FormOutcome.Refused("email", $"No account uses {email}. Ask the person to register on the portal first, then add them here");
        }

        var firmName = await db.FirmMembers.Where(m => m.UserId == user.Id).Select(m => m.Firm.Name).FirstOrDefaultAsync(ct);
        if (firmName is not null)
        {
            var firm = firmName.Length > 0 ? $"the firm “{firmName}”" : "a firm";
            return FormOutcome.Refused("email", $"{email} is the account of {firm}. A firm owner's account cannot also be on a programme's staff: ask the person to register a separate account with their work email");
        }

        if (await db.ProgrammeStaff.AnyAsync(s => s.ProgrammeId == programmeId && s.UserId == user.Id, ct))
        {
            return FormOutcome.Refused("email", $"{user.Email} is already on the staff of {programme.Name}");
        }

        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var role = await MakeStaffAsync(users, user);
        if (role.Error is { } roleError)
        {
            return FormOutcome.Refused("email", roleError);
        }

        db.ProgrammeStaff.Add(new ProgrammeStaffMember { ProgrammeId = programmeId, UserId = user.Id, AddedAt = clock.GetUtcNow().UtcDateTime });
        audit.Add(db, actorId, await ActorEmailAsync(db, actorId, ct), null, AddedStaffAction, $"{user.Email} to {programme.Name} ({programme.Organisation}){role.Detail}");
        try
        {
            await db.SaveChangesAsync(ct);
            await transaction.CommitAsync(ct);
        }
        catch (DbUpdateException)
        {
            return FormOutcome.Refused("email", $"{user.Email} was added to {programme.Name} by someone else just now");
        }

        return FormOutcome.Success($"{user.Email} is now on the staff of {programme.Name}.{role.Message}");
    }

    /// <summary>Takes the person off the programme's staff: they lose its pages at once and keep their account and role (they may be on other programmes).</summary>
    public async Task<FormOutcome> RemoveStaffAsync(Guid programmeId, string? userId, string actorId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        if (!await db.Programmes.AnyAsync(p => p.Id == programmeId, ct))
        {
            return FormOutcome.NotFound;
        }

        var member = await db.ProgrammeStaff.Include(s => s.Programme).Include(s => s.User)
            .FirstOrDefaultAsync(s => s.ProgrammeId == programmeId && s.UserId == userId, ct);
        if (member is null)
        {
            return FormOutcome.Refused("staff", "That person is no longer on the programme's staff");
        }

        var email = member.User.Email ?? "";
        db.ProgrammeStaff.Remove(member);
        audit.Add(db, actorId, await ActorEmailAsync(db, actorId, ct), null, RemovedStaffAction, $"{email} from {member.Programme.Name}");
        await db.SaveChangesAsync(ct);
        return FormOutcome.Success($"{email} is no longer on the staff of {member.Programme.Name}.");
    }

    private sealed record RoleNote(string Message, string Detail, string? Error = null);

    private static async Task<RoleNote> MakeStaffAsync(UserManager<PortalUser> users, PortalUser user)
    {
        if (await users.IsInRoleAsync(user, PortalRoles.ProgrammeStaff))
        {
            return new RoleNote("", "");
        }

        var result = await users.AddToRoleAsync(user, PortalRoles.ProgrammeStaff);
        var wasOwner = result.Succeeded && await users.IsInRoleAsync(user, PortalRoles.Owner);
        if (wasOwner)
        {
            // Every registration starts as an owner; a staff account must not open a firm of its own.
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
            ? new RoleNote(" The account had the Firm owner role; it now has the Programme staff role instead.", " (gave the ProgrammeStaff role in place of Owner)")
            : new RoleNote(" The account has been given the Programme staff role.", " (gave the ProgrammeStaff role)");
    }

    private static async Task<string> ActorEmailAsync(PortalDbContext db, string actorId, CancellationToken ct) =>
        await db.Users.Where(u => u.Id == actorId).Select(u => u.Email).FirstOrDefaultAsync(ct) ?? "";
}
