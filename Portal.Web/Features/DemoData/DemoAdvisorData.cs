using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Portal.Domain.Content;
using Portal.Web.Data;
using Portal.Web.Data.Entities;
using Portal.Web.Features.Accounts;
using Portal.Web.Features.Advisors;
using Portal.Web.Features.Assessments;
using Portal.Web.Features.Sharing;

namespace Portal.Web.Features.DemoData;

/// <summary>
/// Development demo for advisors: an organisation with the demo advisors in it, and the case
/// firms of content/personas as firms that submitted their assessment and share it with the
/// organisation, so the triage queue has something to rank on the first run. Runs once per
/// database (the organisation is the marker).
/// </summary>
internal static class DemoAdvisorData
{
    public const string OrganisationName = "Demo Trade Agency";
    public const string OwnerEmailDomain = "demo.test";

    /// <summary>Seeds the advisors' demo; returns a line for the console, or null when it was seeded before.</summary>
    public static async Task<string?> SeedAsync(IServiceProvider services, DemoDataOptions demo, CancellationToken ct)
    {
        var dbFactory = services.GetRequiredService<IDbContextFactory<PortalDbContext>>();
        var users = services.GetRequiredService<UserManager<PortalUser>>();
        var content = services.GetRequiredService<ContentCatalog>().Current;
        var assessments = services.GetRequiredService<AssessmentService>();
        var sharing = services.GetRequiredService<SharingService>();
        var now = services.GetRequiredService<TimeProvider>().GetUtcNow().UtcDateTime;

        Guid organisationId;
        var advisorIds = new List<string>();
        await using (var db = await dbFactory.CreateDbContextAsync(ct))
        {
            if (await db.Organisations.AnyAsync(o => o.Name == OrganisationName, ct))
            {
                return null;
            }

            var organisation = new Organisation
            {
                Name = OrganisationName,
                Description = "Demo data: trade advisors for the case firms of the research papers.",
                CreatedAt = now,
            };
            db.Organisations.Add(organisation);
            foreach (var demoAdvisor in demo.Users.Where(u => u.Role == PortalRoles.Advisor))
            {
                if (await users.FindByEmailAsync(demoAdvisor.Email) is { } advisor
                    && !await db.OrganisationMembers.AnyAsync(m => m.UserId == advisor.Id, ct))
                {
                    db.OrganisationMembers.Add(new OrganisationMember { UserId = advisor.Id, OrganisationId = organisation.Id, JoinedAt = now });
                    advisorIds.Add(advisor.Id);
                }
            }

            await db.SaveChangesAsync(ct);
            organisationId = organisation.Id;
        }

        var firms = new List<Guid>();
        foreach (var persona in content.Personas.OrderBy(p => p.Id, StringComparer.Ordinal))
        {
            var email = $"{persona.Id}@{OwnerEmailDomain}";
            if (await users.FindByEmailAsync(email) is not null)
            {
                continue;
            }

            // No password: the demo firms' owners exist to own the firms, not to sign in.
            var owner = new PortalUser { UserName = email, Email = email };
            Check(await users.CreateAsync(owner), email);
            Check(await users.AddToRoleAsync(owner, PortalRoles.Owner), email);
            firms.Add(await WriteAnswersAsync(dbFactory, owner.Id, persona, now, ct));

            // Submitted and shared through the owner's own services, as an owner would.
            var submitted = await assessments.SubmitAsync(owner.Id, ct);
            if (submitted.AssessmentId is null)
            {
                throw new InvalidOperationException($"Demo firm {persona.Id} could not be submitted: {string.Join("; ", submitted.Missing.Select(m => m.Text))}");
            }

            await sharing.ShareAsync(owner.Id, organisationId, ct);
        }

        // Demo owners given a persona: the same firm, their own, to sign in as.
        foreach (var demoOwner in demo.Users.Where(u => u.Role == PortalRoles.Owner && !string.IsNullOrWhiteSpace(u.Persona)))
        {
            var persona = content.Personas.FirstOrDefault(p => p.Id == demoOwner.Persona)
                ?? throw new InvalidOperationException($"DemoData:Users: {demoOwner.Email} has persona '{demoOwner.Persona}', which is not in content/personas");
            var owner = await users.FindByEmailAsync(demoOwner.Email) ?? throw new InvalidOperationException($"Demo user {demoOwner.Email} was not created");
            firms.Add(await WriteAnswersAsync(dbFactory, owner.Id, persona, now, ct));
            var submitted = await assessments.SubmitAsync(owner.Id, ct);
            if (submitted.AssessmentId is null)
            {
                throw new InvalidOperationException($"Demo firm of {demoOwner.Email} could not be submitted: {string.Join("; ", submitted.Missing.Select(m => m.Text))}");
            }

            await sharing.ShareAsync(owner.Id, organisationId, ct);
        }

        await SpreadOverTimeAsync(dbFactory, organisationId, firms, advisorIds.FirstOrDefault(), now, ct);
        return $"{OrganisationName}: {firms.Count} case firms share their results with it; its advisors ({string.Join(", ", demo.Users.Where(u => u.Role == PortalRoles.Advisor).Select(u => u.Email))}) see them in the triage queue at /advisor.";
    }

    /// <summary>The firm, its profile and a draft with the persona's answers, as the questionnaire would have saved them.</summary>
    private static async Task<Guid> WriteAnswersAsync(IDbContextFactory<PortalDbContext> dbFactory, string ownerId, Persona persona, DateTime now, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var firm = new Firm { Name = persona.Name.Length > AssessmentService.MaxFirmName ? persona.Name[..AssessmentService.MaxFirmName] : persona.Name, CreatedAt = now };
        firm.Members.Add(new FirmMember { UserId = ownerId, Role = FirmMember.OwnerRole, JoinedAt = now });
        var draft = new Assessment { FirmId = firm.Id, Number = 1, Status = AssessmentStatus.Draft, StartedAt = now, UpdatedAt = now };
        var json = persona.Answers.ToJson();
        foreach (var (questionId, value) in json["profile"]!.AsObject())
        {
            firm.ProfileAnswers.Add(new FirmProfileAnswer { FirmId = firm.Id, QuestionId = questionId, ValueJson = value!.ToJsonString(), UpdatedAt = now });
        }

        foreach (var (questionId, value) in json["answers"]!.AsObject())
        {
            draft.Answers.Add(new AssessmentAnswer { AssessmentId = draft.Id, QuestionId = questionId, ValueJson = value!.ToJsonString(), UpdatedAt = now });
        }

        db.Firms.Add(firm);
        db.Assessments.Add(draft);
        await db.SaveChangesAsync(ct);
        return firm.Id;
    }

    /// <summary>
    /// Moves each firm's submission and consent back by a few days to some weeks, and gives a
    /// few cases an advisor, a status and notes, so the queue shows ages, overdue firms and
    /// "mine" as it would after weeks of use. (The planned advice emails keep their dates.)
    /// </summary>
    private static async Task SpreadOverTimeAsync(
        IDbContextFactory<PortalDbContext> dbFactory, Guid organisationId, IReadOnlyList<Guid> firms, string? advisorId, DateTime now, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        for (var i = 0; i < firms.Count; i++)
        {
            var firmId = firms[i];
            var submittedAt = now.AddDays(-(2 + (i * 3))).AddHours(-i);
            var sharedAt = submittedAt.AddHours(2);
            await db.Firms.Where(f => f.Id == firmId).ExecuteUpdateAsync(s => s.SetProperty(f => f.CreatedAt, submittedAt.AddDays(-1)), ct);
            await db.Assessments.Where(a => a.FirmId == firmId).ExecuteUpdateAsync(s => s
                .SetProperty(a => a.StartedAt, submittedAt.AddDays(-1))
                .SetProperty(a => a.UpdatedAt, submittedAt)
                .SetProperty(a => a.SubmittedAt, submittedAt), ct);
            await db.FirmShares.Where(s => s.FirmId == firmId && s.OrganisationId == organisationId)
                .ExecuteUpdateAsync(s => s.SetProperty(x => x.GrantedAt, sharedAt), ct);
            await db.CaseFiles.Where(c => c.FirmId == firmId && c.OrganisationId == organisationId)
                .ExecuteUpdateAsync(s => s.SetProperty(c => c.OpenedAt, sharedAt).SetProperty(c => c.StatusChangedAt, sharedAt), ct);
        }

        if (advisorId is null)
        {
            return;
        }

        // Two cases in hand: one called recently, one in support but not called for weeks (overdue).
        // Added through their sets: their ids are set on creation, which EF would take for existing rows if found through the case.
        (int Index, CaseStatus Status, int ContactDaysAgo, string Note)[] cases =
        [
            (1, CaseStatus.Contacted, 3, "Called the managing director to introduce the export support programme. They want to talk about partners abroad after their next trade fair."),
            (6, CaseStatus.InSupport, 16, "First meeting held: agreed a market-selection workshop and an introduction to the overseas office. Waiting for their sales figures."),
        ];
        foreach (var (index, status, contactDaysAgo, text) in cases.Where(c => c.Index < firms.Count))
        {
            var file = await db.CaseFiles.SingleAsync(c => c.FirmId == firms[index] && c.OrganisationId == organisationId, ct);
            var contactAt = now.AddDays(-contactDaysAgo);
            file.AssignedAdvisorId = advisorId;
            file.Status = status;
            file.StatusChangedAt = contactAt;
            file.LastContactAt = contactAt;
            if (status == CaseStatus.InSupport)
            {
                db.CaseStatusChanges.Add(new CaseStatusChange { CaseFileId = file.Id, From = CaseStatus.New, To = CaseStatus.Contacted, At = contactAt.AddDays(-2), ByUserId = advisorId });
            }

            db.CaseStatusChanges.Add(new CaseStatusChange { CaseFileId = file.Id, From = status == CaseStatus.InSupport ? CaseStatus.Contacted : CaseStatus.New, To = status, At = contactAt, ByUserId = advisorId });
            db.CaseNotes.Add(new CaseNote { CaseFileId = file.Id, AuthorId = advisorId, At = contactAt, Text = text, IsContact = true });
        }

        await db.SaveChangesAsync(ct);
    }

    private static void Check(IdentityResult result, string email)
    {
        if (!result.Succeeded)
        {
            throw new InvalidOperationException($"Could not create demo firm owner {email}: {string.Join("; ", result.Errors.Select(e => e.Description))}");
        }
    }
}
