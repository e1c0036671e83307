using System.ComponentModel.DataAnnotations;

namespace Portal.Web.Features.Programmes;

/// <summary>Section <c>Programmes</c>: cohorts, their anonymity threshold and invitations.</summary>
public sealed class ProgrammeOptions
{
    public const string SectionName = "Programmes";

    /// <summary>
    /// A breakdown over fewer firms than this is suppressed: with a handful of firms a figure
    /// can point at one firm that staff could recognise. 1 shows every breakdown (a programme
    /// whose firms agreed to be seen individually).
    /// </summary>
    [Range(1, 100, ErrorMessage = "must be between 1 and 100 firms")]
    public int MinGroupSize { get; set; } = 5;

    /// <summary>Days an invitation link stays valid.</summary>
    [Range(1, 365, ErrorMessage = "must be between 1 and 365 days")]
    public int InvitationValidDays { get; set; } = 30;
}
