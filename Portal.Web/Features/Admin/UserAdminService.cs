using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Portal.Web.Data;
using Portal.Web.Features.Accounts;

namespace Portal.Web.Features.Admin;

public sealed record UserRow(string Id, string Email, bool EmailConfirmed, bool LockedOut, IReadOnlyList<string> Roles);

public sealed record UserPage(IReadOnlyList<UserRow> Users, int Total, int Page, int PageSize)
{
    public int PageCount => Math.Max(1, (Total + PageSize - 1) / PageSize);
}

/// <summary>Lists accounts and changes their roles; used by the Admin users page.</summary>
public sealed class UserAdminService(IDbContextFactory<PortalDbContext> dbFactory, IServiceScopeFactory scopes, TimeProvider clock)
{
    public const int PageSize = 25;

    public async Task<UserPage> ListAsync(string? search, int page, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var query = db.Users.AsNoTracking();
        if (!string.IsNullOrWhiteSpace(search))
        {
            var term = search.Trim().ToUpperInvariant();
            query = query.Where(u => u.NormalizedEmail!.Contains(term));
        }

        var total = await query.CountAsync(ct);
        page = Math.Clamp(page, 1, Math.Max(1, (total + PageSize - 1) / PageSize));
        var now = clock.GetUtcNow();
        var users = await query.OrderBy(u => u.NormalizedEmail)
            .Skip((page - 1) * PageSize).Take(PageSize)
            .Select(u => new { u.Id, u.Email, u.EmailConfirmed, u.LockoutEnd })
            .ToListAsync(ct);

        var ids = users.Select(u => u.Id).ToList();
        var roles = await (from ur in db.UserRoles
                           join r in db.Roles on ur.RoleId equals r.Id
                           where ids.Contains(ur.UserId)
                           select new { ur.UserId, r.Name }).ToListAsync(ct);
        var byUser = roles.ToLookup(r => r.UserId, r => r.Name!);

        var rows = users.Select(u => new UserRow(u.Id, u.Email ?? "", u.EmailConfirmed, u.LockoutEnd > now,
            byUser[u.Id].OrderBy(r => PortalRolesOrder(r)).ToList())).ToList();
        return new UserPage(rows, total, page, PageSize);
    }

    /// <summary>
    /// Gives the user exactly <paramref name="roles"/>. Refuses unknown roles and taking the
    /// Admin role from the last Admin, which would leave nobody able to manage the portal.
    /// </summary>
    public async Task<RoleChangeResult> SetRolesAsync(string userId, IReadOnlyCollection<string> roles, CancellationToken ct = default)
    {
        var unknown = roles.Except(PortalRoles.All).ToList();
        if (unknown.Count > 0)
        {
            return RoleChangeResult.Fail($"Unknown role: {string.Join(", ", unknown)}.");
        }

        await using var scope = scopes.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<PortalUser>>();
        var user = await users.FindByIdAsync(userId);
        if (user is null)
        {
            return RoleChangeResult.Fail("This account no longer exists.");
        }

        var current = await users.GetRolesAsync(user);
        var toRemove = current.Except(roles).ToList();
        var toAdd = roles.Except(current).ToList();
        if (toRemove.Contains(PortalRoles.Admin) && (await users.GetUsersInRoleAsync(PortalRoles.Admin)).Count <= 1)
        {
            return RoleChangeResult.Fail("This is the only Admin. Make someone else an Admin first.");
        }

        var result = await users.RemoveFromRolesAsync(user, toRemove);
        if (result.Succeeded)
        {
            result = await users.AddToRolesAsync(user, toAdd);
        }

        if (!result.Succeeded)
        {
            return RoleChangeResult.Fail(string.Join(" ", result.Errors.Select(e => e.Description)));
        }

        // A new security stamp makes the person's open sessions pick up the change.
        await users.UpdateSecurityStampAsync(user);
        return RoleChangeResult.Success;
    }

    private static int PortalRolesOrder(string role) => PortalRoles.All.ToList().IndexOf(role) is var i and >= 0 ? i : int.MaxValue;
}

public sealed record RoleChangeResult(bool Succeeded, string? Error)
{
    public static readonly RoleChangeResult Success = new(true, null);

    public static RoleChangeResult Fail(string error) => new(false, error);
}
