using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Identity;
using Portal.Domain.Emails;
using Portal.Domain.Scoring;
using Portal.Web.Data;
using Portal.Web.Data.Entities;
using Portal.Web.Features.Assessments;
using Portal.Web.Features.FollowUps;

namespace Portal.Web.Features.SyntheticData;

/// <summary>
/// One synthetic firm and everything that hangs off it, as the portal would hold it after
/// the firm's years of use: its owner, profile, K assessments submitted months apart (answers
/// from a persona with noise, each reassessment a little better or worse), each stored
/// through <see cref="SubmittedResult"/> and planned through <see cref="FollowUpPlanner"/> as
/// a submission is; its follow-up emails sent, replaced or still to come by their dates; its
/// shares with organisations, their case files and notes; and its cohort enrolments.
/// </summary>
internal sealed class SyntheticFirm
{
    public required PortalUser Owner { get; init; }

    public required IdentityUserRole<string> OwnerRole { get; init; }

    public required Firm Firm { get; init; }

    public required FirmMember Member { get; init; }

    public List<FirmProfileAnswer> Profile { get; } = [];

    public List<EmailOptOut> OptOuts { get; } = [];

    public List<Assessment> Assessments { get; } = [];

    public List<AssessmentAnswer> Answers { get; } = [];

    public List<AssessmentFactorScore> FactorScores { get; } = [];

    public List<AssessmentFlag> Flags { get; } = [];

    public List<AssessmentPlanItem> PlanItems { get; } = [];

    public List<FirmShare> Shares { get; } = [];

    public List<CaseFile> Cases { get; } = [];

    public List<CaseStatusChange> StatusChanges { get; } = [];

    public List<CaseNote> Notes { get; } = [];

    public List<Enrolment> Enrolments { get; } = [];

    public List<FollowUp> FollowUps { get; } = [];

    /// <summary>How often an email the dispatcher tried gave up (the rest were sent).</summary>
    private const double FailedRate = 0.01;

    public static SyntheticFirm Make(SyntheticContext context, SyntheticWorld world, int index, int assessments, int maxAttempts)
    {
        var random = context.RandomFor(index);
        var content = context.Content;
        var anchor = context.Anchor;

        // Submissions months apart (now and then a quick second go within weeks, which replaces
        // the first plan's emails not yet sent), the latest within the last five months.
        var submitted = new DateTime[assessments];
        var day = anchor.AddDays(-random.Next(1, 150));
        for (var i = assessments - 1; i >= 0; i--)
        {
            submitted[i] = day.AddMinutes(random.Next(8 * 60, 18 * 60));
            day = day.AddDays(-(random.NextDouble() < 0.15 ? random.Next(14, 45) : random.Next(60, 300)));
        }

        var started = new DateTime[assessments];
        for (var i = 0; i < assessments; i++)
        {
            var earliest = i == 0 ? DateTime.MinValue : submitted[i - 1].AddDays(1);
            started[i] = SyntheticWorld.Max(submitted[i].AddMinutes(-random.Next(10, 14 * 24 * 60)), earliest);
        }

        var created = started[0].AddMinutes(-random.Next(1, 30));
        var owner = context.NewUser($"owner{index + 1:D6}", random);
        var firm = new Firm { Id = context.Guid(random), Name = SyntheticNames.Firm(random), CreatedAt = created };
        var rows = new SyntheticFirm
        {
            Owner = owner,
            OwnerRole = new IdentityUserRole<string> { UserId = owner.Id, RoleId = context.OwnerRoleId },
            Firm = firm,
            Member = new FirmMember { FirmId = firm.Id, UserId = owner.Id, Role = FirmMember.OwnerRole, JoinedAt = created },
        };

        // One owner in twenty has turned off one kind of email.
        var topics = EmailTopics.All(content);
        if (random.NextDouble() < 0.05)
        {
            rows.OptOuts.Add(new EmailOptOut { UserId = owner.Id, Topic = topics[random.Next(topics.Count)].Id, At = created.AddMinutes(5) });
        }

        var optedOut = rows.OptOuts.Select(o => (o.UserId, o.Topic)).ToHashSet();
        var persona = content.Personas[random.Next(content.Personas.Count)];
        // The case firms of the papers are mostly strong exporters; most synthetic firms are less far along.
        var tendency = (random.NextDouble() * 1.4) - 1;
        JsonObject? json = null;
        var lastSection = content.Questionnaire.Sections[^1].Id;
        for (var i = 0; i < assessments; i++)
        {
            var year = submitted[i].Year;
            // Parsed once completed: the set StoredAnswers.Assemble would build from the rows, as every one of them fits.
            var (completed, answerSet) = SyntheticAnswers.Complete(content,
                json is null ? SyntheticAnswers.Vary(content, persona.Answers.ToJson(), random, noise: 0.5, tendency: tendency) : SyntheticAnswers.Progress(content, json, random),
                random, year);
            json = completed;
            var profile = json["profile"]!.AsObject().Select(p => (QuestionId: p.Key, ValueJson: p.Value!.ToJsonString())).ToList();
            var answers = json["answers"]!.AsObject().Select(p => (QuestionId: p.Key, ValueJson: p.Value!.ToJsonString())).ToList();

            var assessment = new Assessment
            {
                Id = context.Guid(random),
                FirmId = firm.Id,
                Number = i + 1,
                Status = AssessmentStatus.Draft,
                StartedAt = started[i],
                UpdatedAt = started[i],
                LastSectionId = lastSection,
            };
            var stored = SubmittedResult.Record(content, assessment, answerSet, submitted[i]);
            assessment.IsLatest = i == assessments - 1;
            rows.Assessments.Add(assessment);
            rows.FactorScores.AddRange(stored.FactorScores);
            rows.Flags.AddRange(stored.Flags);
            rows.PlanItems.AddRange(stored.PlanItems);

            // The draft's answer rows stay after submission, as the questionnaire saved them.
            var span = (submitted[i] - started[i]).Ticks;
            rows.Answers.AddRange(answers.Select((a, n) => new AssessmentAnswer
            {
                AssessmentId = assessment.Id,
                QuestionId = a.QuestionId,
                ValueJson = a.ValueJson,
                UpdatedAt = started[i].AddTicks(span * (n + 1) / (answers.Count + 1)),
            }));
            if (i == 0)
            {
                rows.Profile.AddRange(profile.Select(p => new FirmProfileAnswer { FirmId = firm.Id, QuestionId = p.QuestionId, ValueJson = p.ValueJson, UpdatedAt = started[0] }));
            }

            DateTime? replacedAt = i + 1 < assessments ? submitted[i + 1] : null;
            foreach (var followUp in FollowUpPlanner.Plan(content, firm.Id, assessment.Id, stored.Report, submitted[i], [owner.Id], optedOut))
            {
                followUp.Id = context.Guid(random);
                if (followUp.Status == FollowUpStatus.Pending)
                {
                    Outcome(followUp, replacedAt, anchor, owner.Email!, content.Advice[followUp.AdviceId!].Title, maxAttempts, context, random);
                }

                rows.FollowUps.Add(followUp);
            }
        }

        // The latest profile is the firm's.
        foreach (var answer in rows.Profile)
        {
            answer.ValueJson = json!["profile"]![answer.QuestionId]!.ToJsonString();
        }

        foreach (var organisation in Sharing(world, random))
        {
            Share(rows, context, organisation, submitted, created, random);
        }

        return rows;
    }

    /// <summary>Most firms share with the national agency, many with their region's chamber too.</summary>
    private static IEnumerable<SyntheticOrganisation> Sharing(SyntheticWorld world, Random random)
    {
        if (random.NextDouble() < world.National.ShareRate)
        {
            yield return world.National;
        }

        if (random.NextDouble() < SyntheticWorld.RegionalShareRate)
        {
            yield return world.Regional[random.Next(world.Regional.Count)];
        }
    }

    /// <summary>What became of a planned email by now: replaced by a reassessment before it was due, sent, given up, or still to come.</summary>
    private static void Outcome(FollowUp followUp, DateTime? replacedAt, DateTime anchor, string email, string subject, int maxAttempts, SyntheticContext context, Random random)
    {
        if (replacedAt is { } replaced && replaced < followUp.DueAt)
        {
            followUp.Status = FollowUpStatus.Cancelled;
            followUp.CancelledAt = replaced;
            followUp.CancelReason = CancelReasons.Reassessed;
        }
        else if (followUp.DueAt < anchor)
        {
            Sent(followUp, email, subject, maxAttempts, context, random);
        }
    }

    private static void Sent(FollowUp followUp, string email, string subject, int maxAttempts, SyntheticContext context, Random random)
    {
        if (random.NextDouble() < FailedRate)
        {
            followUp.Status = FollowUpStatus.Failed;
            followUp.Attempts = maxAttempts;
            followUp.LastError = "550 5.1.1 The email account that you tried to reach does not exist";
            return;
        }

        followUp.Status = FollowUpStatus.Sent;
        followUp.Attempts = 1;
        followUp.SentAt = followUp.DueAt.AddSeconds(random.Next(1, 120));
        followUp.RecipientEmail = email;
        followUp.Subject = subject;
        followUp.MessageId = $"<{context.Guid(random):N}@{SyntheticWorld.EmailDomain}>";
    }

    /// <summary>
    /// The firm's consent for the organisation, the case it opens, and (often) the firm's place
    /// in one of the organisation's cohorts: through an invitation (the consent comes with
    /// accepting it) or enrolled by staff from the firms already sharing.
    /// </summary>
    private static void Share(SyntheticFirm rows, SyntheticContext context, SyntheticOrganisation organisation, DateTime[] submitted, DateTime created, Random random)
    {
        var anchor = context.Anchor;
        var owner = rows.Owner;
        SyntheticCohort? cohort = null;
        DateTime? enrolledAt = null;
        if (random.NextDouble() < organisation.EnrolRate)
        {
            cohort = organisation.Cohorts[random.Next(organisation.Cohorts.Count)];
            var at = cohort.StartsAt.AddDays(random.Next(0, 45)).AddMinutes(random.Next(8 * 60, 18 * 60));
            enrolledAt = at > created && at < anchor ? at : null;
        }

        var invited = enrolledAt is not null && random.NextDouble() < 0.5;
        var granted = enrolledAt is { } enrolled
            ? invited ? enrolled : SyntheticWorld.Max(created.AddHours(1), enrolled.AddDays(-random.Next(1, 60)))
            : SyntheticWorld.Min(submitted[random.Next(submitted.Length)].AddHours(random.Next(1, 7 * 24)), anchor.AddHours(-1));
        var share = new FirmShare { Id = context.Guid(random), FirmId = rows.Firm.Id, OrganisationId = organisation.Organisation.Id, GrantedAt = granted, GrantedByUserId = owner.Id };
        if (enrolledAt is null && random.NextDouble() < 0.05 && granted.AddDays(10) < anchor)
        {
            share.RevokedAt = SyntheticWorld.Between(granted.AddDays(10), anchor.AddHours(-1), random);
            share.RevokedByUserId = owner.Id;
        }

        rows.Shares.Add(share);
        Casework(rows, context, organisation, granted, share.RevokedAt ?? anchor, random);

        if (enrolledAt is { } joined)
        {
            // The baseline is the latest assessment when the firm enrolled, or its first one after.
            var baseline = rows.Assessments.LastOrDefault(a => a.SubmittedAt <= joined) ?? rows.Assessments.First(a => a.SubmittedAt > joined);
            var left = random.NextDouble() < 0.04 && joined.AddDays(30) < anchor ? SyntheticWorld.Between(joined.AddDays(30), anchor.AddHours(-1), random) : (DateTime?)null;
            rows.Enrolments.Add(new Enrolment
            {
                Id = context.Guid(random),
                CohortId = cohort!.Cohort.Id,
                FirmId = rows.Firm.Id,
                InvitedEmail = invited ? owner.Email : null,
                TokenHash = invited ? context.TokenHash(random) : null,
                InvitedAt = invited ? joined.AddDays(-random.Next(1, 10)) : null,
                InvitedById = invited ? cohort.StaffId : null,
                EnrolledAt = joined,
                EnrolledById = invited ? owner.Id : cohort.StaffId,
                BaselineAssessmentId = baseline.Id,
                LeftAt = left,
            });
        }
    }

    /// <summary>
    /// The case the share opened, moved along by an advisor as far as time allowed: half are
    /// still new, the rest contacted, in support or closed, with dated steps and notes, and
    /// now and then a message to the firm.
    /// </summary>
    private static void Casework(SyntheticFirm rows, SyntheticContext context, SyntheticOrganisation organisation, DateTime opened, DateTime until, Random random)
    {
        var roll = random.NextDouble();
        var target = roll < 0.5 ? CaseStatus.New : roll < 0.7 ? CaseStatus.Contacted : roll < 0.88 ? CaseStatus.InSupport : CaseStatus.Closed;
        var advisor = organisation.Advisors[random.Next(organisation.Advisors.Count)];
        var file = new CaseFile
        {
            Id = context.Guid(random),
            FirmId = rows.Firm.Id,
            OrganisationId = organisation.Organisation.Id,
            Status = CaseStatus.New,
            StatusChangedAt = opened,
            OpenedAt = opened,
            AssignedAdvisorId = target == CaseStatus.New && random.NextDouble() < 0.9 ? null : advisor.Id,
        };
        rows.Cases.Add(file);

        var at = opened;
        foreach (var next in new[] { CaseStatus.Contacted, CaseStatus.InSupport, CaseStatus.Closed }.Where(s => s <= target))
        {
            var step = at.AddDays(random.Next(1, 40)).AddMinutes(random.Next(0, 8 * 60));
            if (step >= until)
            {
                break;
            }

            rows.StatusChanges.Add(new CaseStatusChange { Id = context.Guid(random), CaseFileId = file.Id, From = file.Status, To = next, At = step, ByUserId = advisor.Id });
            file.Status = next;
            file.StatusChangedAt = step;
            var isContact = next != CaseStatus.Closed || random.NextDouble() < 0.5;
            rows.Notes.Add(new CaseNote
            {
                Id = context.Guid(random),
                CaseFileId = file.Id,
                AuthorId = advisor.Id,
                At = step,
                Text = SyntheticNames.Notes[random.Next(SyntheticNames.Notes.Length)],
                IsContact = isContact,
            });
            if (isContact)
            {
                file.LastContactAt = step;
            }

            at = step;
        }

        if (file.Status != CaseStatus.New && random.NextDouble() < 0.1)
        {
            var (subject, body) = SyntheticNames.Messages[random.Next(SyntheticNames.Messages.Length)];
            var written = at.AddHours(random.Next(1, 48));
            if (written < until)
            {
                var message = new FollowUp
                {
                    Id = context.Guid(random),
                    Kind = EmailKind.AdvisorMessage,
                    Template = EmailModels.AdvisorMessage,
                    Topic = EmailTopics.AdvisorMessages,
                    FirmId = rows.Firm.Id,
                    UserId = rows.Owner.Id,
                    SenderId = advisor.Id,
                    Subject = subject,
                    Body = body,
                    CreatedAt = written,
                    DueAt = written,
                    NextAttemptAt = written,
                    Status = FollowUpStatus.Pending,
                };
                if (rows.OptOuts.Any(o => o.Topic == EmailTopics.AdvisorMessages))
                {
                    message.Status = FollowUpStatus.Cancelled;
                    message.CancelledAt = written;
                    message.CancelReason = CancelReasons.Unsubscribed;
                }
                else
                {
                    message.Status = FollowUpStatus.Sent;
                    message.Attempts = 1;
                    message.SentAt = written.AddSeconds(random.Next(1, 120));
                    message.RecipientEmail = rows.Owner.Email;
                    message.MessageId = $"<{context.Guid(random):N}@{SyntheticWorld.EmailDomain}>";
                }

                rows.FollowUps.Add(message);
            }
        }
    }
}
