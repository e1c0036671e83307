namespace Portal.Web.Data.Entities;

/// <summary>An advisor organisation (a trade agency, a chamber) that firms may share results with.</summary>
public sealed class Organisation
{
    public Guid Id { get; set; } = Guid.NewGuid();

    public string Name { get; set; } = "";

    public string? Description { get; set; }

    public DateTime CreatedAt { get; set; }
}

/// <summary>
/// A firm's consent for an organisation to see its results. Revoking sets <see cref="RevokedAt"/>;
/// the row stays as the record of what was shared and when.
/// </summary>
public sealed class FirmShare
{
    public Guid Id { get; set; } = Guid.NewGuid();

    public Guid FirmId { get; set; }

    public Firm Firm { get; set; } = default!;

    public Guid OrganisationId { get; set; }

    public Organisation Organisation { get; set; } = default!;

    public DateTime GrantedAt { get; set; }

    public string GrantedByUserId { get; set; } = "";

    public DateTime? RevokedAt { get; set; }

    public string? RevokedByUserId { get; set; }
}
