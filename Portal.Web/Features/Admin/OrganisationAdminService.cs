using Microsoft.EntityFrameworkCore;
using Portal.Web.Data;
using Portal.Web.Data.Entities;

namespace Portal.Web.Features.Admin;

public sealed record OrganisationRow(Guid Id, string Name, string? Description, DateTime CreatedAt, int ActiveShares);

/// <summary>Admins create the advisor organisations that firms can share results with.</summary>
public sealed class OrganisationAdminService(IDbContextFactory<PortalDbContext> dbFactory, TimeProvider clock)
{
    public const int MaxName = 200;

    public async Task<IReadOnlyList<OrganisationRow>> ListAsync(CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.Organisations.AsNoTracking().OrderBy(o => o.Name)
            .Select(o => new OrganisationRow(o.Id, o.Name, o.Description, o.CreatedAt, db.FirmShares.Count(s => s.OrganisationId == o.Id && s.RevokedAt == null)))
            .ToListAsync(ct);
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
}
