using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Portal.Domain.Content;
using Portal.Domain.Questionnaires;
using Portal.Domain.Scoring;
using Portal.Web.Data;
using Portal.Web.Data.Entities;
using Portal.Web.Features.Accounts;
using Portal.Web.Features.Assessments;

namespace Portal.Web.Features.DemoData;

/// <summary>
/// Development demo for programme staff: the Demo Trade Agency's programme with the demo staff
/// user on it, and a cohort of the case firms (which already share with the agency), their
/// first assessments as baselines and some reassessed since with better answers, so the
/// cohort shows distance travelled; and two invitations nobody has answered yet. Runs once
/// per database (the programme is the marker), after the advisors' demo.
/// </summary>
internal static class DemoProgrammeData
{
    public const string ProgrammeName = "Export Ready 2026";
    public const string CohortName = "Spring 2026";

    /// <summary>How many of the cohort's firms reassess: enough that a cohort breakdown of follow-ups is not suppressed.</summary>
    public const int Reassessed = 8;

    public static readonly IReadOnlyList<string> PendingInvitations = ["export.lead@northfield-ceramics.example", "director@harbour-foods.example"];

    /// <summary>Seeds the programme demo; returns a line for the console, or null when seeded before or there is no agency to run it.</summary>
    public static async Task<string?> SeedAsync(IServiceProvider services, DemoDataOptions demo, CancellationToken ct)
    {
        var dbFactory = services.GetRequiredService<IDbContextFactory<PortalDbContext>>();
        var users = services.GetRequiredService<UserManager<PortalUser>>();
        var content = services.GetRequiredService<ContentCatalog>().Current;
        var assessments = services.GetRequiredService<AssessmentService>();
        var now = services.GetRequiredService<TimeProvider>().GetUtcNow().UtcDateTime;

        var staffEmail = demo.Users.FirstOrDefault(u => u.Role == PortalRoles.ProgrammeStaff)?.Email;
        var staff = staffEmail is null ? null : await users.FindByEmailAsync(staffEmail);

        // The persona firms' owners, in a fixed order, so the same firms reassess on every machine.
        var owners = new List<(string PersonaId, string OwnerId)>();
        foreach (var persona in content.Personas.OrderBy(p => p.Id, StringComparer.Ordinal))
        {
            if (await users.FindByEmailAsync($"{persona.Id}@{DemoAdvisorData.OwnerEmailDomain}") is { } owner)
            {
                owners.Add((persona.Id, owner.Id));
            }
        }

        var ownerIds = owners.Select(o => o.OwnerId).ToList();
        await using (var db = await dbFactory.CreateDbContextAsync(ct))
        {
            if (await db.Programmes.AnyAsync(p => p.Name == ProgrammeName, ct))
            {
                return null;
            }

            var organisationId = await db.Organisations.Where(o => o.Name == DemoAdvisorData.OrganisationName).Select(o => (Guid?)o.Id).FirstOrDefaultAsync(ct);
            if (organisationId is null)
            {
                return null;
            }

            var programme = new Programme
            {
                OrganisationId = organisationId.Value,
                Name = ProgrammeName,
                Description = "Demo data: a year of export coaching for the case firms of the research papers.",
                CreatedAt = now.AddDays(-60),
            };
            var cohort = new Cohort
            {
                ProgrammeId = programme.Id,
                Name = CohortName,
                StartsOn = new DateOnly(2026, 3, 2),
                EndsOn = new DateOnly(2027, 2, 26),
                CreatedAt = now.AddDays(-60),
            };
            db.Programmes.Add(programme);
            db.Cohorts.Add(cohort);
            if (staff is not null)
            {
                db.ProgrammeStaff.Add(new ProgrammeStaffMember { ProgrammeId = programme.Id, UserId = staff.Id, AddedAt = now.AddDays(-60) });
            }

            // Firms that already share with the agency are enrolled directly: their latest
            // assessment at that moment is the baseline.
            var firms = await db.FirmMembers
                .Where(m => ownerIds.Contains(m.UserId) && db.FirmShares.Any(s => s.FirmId == m.FirmId && s.OrganisationId == organisationId && s.RevokedAt == null))
                .Select(m => new
                {
                    m.FirmId,
                    SharedAt = db.FirmShares.Where(s => s.FirmId == m.FirmId && s.OrganisationId == organisationId).Max(s => s.GrantedAt),
                    Latest = db.Assessments.Where(a => a.FirmId == m.FirmId && a.IsLatest).Select(a => (Guid?)a.Id).FirstOrDefault(),
                })
                .ToListAsync(ct);
            foreach (var firm in firms)
            {
                db.Enrolments.Add(new Enrolment
                {
                    CohortId = cohort.Id,
                    FirmId = firm.FirmId,
                    EnrolledAt = firm.SharedAt.AddHours(1),
                    EnrolledById = staff?.Id,
                    BaselineAssessmentId = firm.Latest,
                });
            }

            // The links of these invitations were never sent: only a hash of a token nobody holds is stored.
            for (var i = 0; i < PendingInvitations.Count; i++)
            {
                db.Enrolments.Add(new Enrolment
                {
                    CohortId = cohort.Id,
                    InvitedEmail = PendingInvitations[i],
                    TokenHash = Convert.ToHexStringLower(SHA256.HashData(RandomNumberGenerator.GetBytes(32))),
                    InvitedAt = now.AddDays(-3 - (6 * i)),
                    InvitedById = staff?.Id,
                });
            }

            await db.SaveChangesAsync(ct);
        }

        // Some firms reassess with better answers, through the owner's own service, as an owner would.
        var steered = SyntheticAnswers.SteeringQuestions(content.Questionnaire);
        var reassessed = 0;
        foreach (var (personaId, ownerId) in owners.Take(Reassessed))
        {
            await assessments.StartReassessmentAsync(ownerId, ct);
            var persona = content.Personas.Single(p => p.Id == personaId);
            foreach (var (questionId, value) in Better(content, persona.Answers.ToJson()["answers"]!.AsObject(), steered))
            {
                var saved = await assessments.SaveAnswerAsync(ownerId, questionId, value, ct);
                if (saved.Error is not null)
                {
                    throw new InvalidOperationException($"Demo firm {personaId} could not improve {questionId}: {saved.Error}");
                }
            }

            var submitted = await assessments.SubmitAsync(ownerId, ct);
            if (submitted.AssessmentId is null)
            {
                throw new InvalidOperationException($"Demo firm {personaId} could not reassess: {string.Join("; ", submitted.Missing.Select(m => m.Text))}");
            }

            reassessed++;
        }

        return $"{ProgrammeName}: cohort {CohortName} with {owners.Count} case firms ({reassessed} reassessed since their baseline) and "
            + $"{PendingInvitations.Count} open invitations; {staffEmail ?? "no demo staff user"} is on its staff.";
    }

    /// <summary>
    /// A step up on the answers that score: every scale answer two points higher, and each
    /// single choice the option worth most. Questions that decide which others are asked are
    /// left alone, so the answers stay complete.
    /// </summary>
    private static IEnumerable<(string QuestionId, JsonNode Value)> Better(PortalContent content, JsonObject answers, IReadOnlySet<string> steered)
    {
        foreach (var (questionId, value) in answers)
        {
            if (content.Questionnaire.Find(questionId) is not { } question || steered.Contains(questionId) || value is not JsonValue given)
            {
                continue;
            }

            if (question.Kind == QuestionKind.Scale && given.TryGetValue<int>(out var points) && points < 5)
            {
                yield return (questionId, JsonValue.Create(Math.Min(5, points + 2)));
            }
            else if (question.Kind == QuestionKind.Single && given.TryGetValue<string>(out var chosen) && question.FindOption(chosen) is { } option
                && question.Options.Where(o => !o.Exclusive).MaxBy(o => o.Points) is { } best && best.Points > option.Points)
            {
                yield return (questionId, JsonValue.Create(best.Id));
            }
        }
    }
}
