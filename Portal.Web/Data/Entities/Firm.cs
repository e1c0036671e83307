namespace Portal.Web.Data.Entities;

/// <summary>A firm that assesses itself. It has members (owner accounts); one today, more can be invited later.</summary>
public sealed class Firm
{
    public Guid Id { get; set; } = Guid.NewGuid();

    public string Name { get; set; } = "";

    public DateTime CreatedAt { get; set; }

    public List<FirmMember> Members { get; set; } = [];

    public List<FirmProfileAnswer> ProfileAnswers { get; set; } = [];

    public List<Assessment> Assessments { get; set; } = [];

    public List<FirmShare> Shares { get; set; } = [];
}

/// <summary>An account that may act for a firm.</summary>
public sealed class FirmMember
{
    public const string OwnerRole = "Owner";

    public Guid FirmId { get; set; }

    public Firm Firm { get; set; } = default!;

    public string UserId { get; set; } = "";

    public PortalUser User { get; set; } = default!;

    public string Role { get; set; } = OwnerRole;

    public DateTime JoinedAt { get; set; }
}

/// <summary>An answer to a profile question (sector, size, ...), kept with the firm across assessments.</summary>
public sealed class FirmProfileAnswer : IStoredAnswer
{
    public Guid FirmId { get; set; }

    public string QuestionId { get; set; } = "";

    /// <summary>The answer in the canonical JSON shape ("manufacturing", 1997, ["DE"]).</summary>
    public string ValueJson { get; set; } = "";

    public DateTime UpdatedAt { get; set; }
}

/// <summary>An answer row: a question's answer as canonical JSON, and when it was last given.</summary>
public interface IStoredAnswer
{
    string ValueJson { get; set; }

    DateTime UpdatedAt { get; set; }
}
