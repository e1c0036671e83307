using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using Portal.Web.Data.Entities;

namespace Portal.Web.Data;

/// <summary>
/// The portal's model, whichever engine holds it. The engine's own context
/// (<see cref="SqlitePortalDbContext"/>, <see cref="PostgresPortalDbContext"/>) derives from it
/// only so each has its own migrations; the application asks for this type
/// (<c>IDbContextFactory&lt;PortalDbContext&gt;</c>, or the scoped context).
/// </summary>
public abstract class PortalDbContext(DbContextOptions options) : IdentityDbContext<PortalUser>(options)
{
    public DbSet<Firm> Firms => Set<Firm>();

    public DbSet<FirmMember> FirmMembers => Set<FirmMember>();

    public DbSet<FirmProfileAnswer> FirmProfileAnswers => Set<FirmProfileAnswer>();

    public DbSet<Assessment> Assessments => Set<Assessment>();

    public DbSet<AssessmentAnswer> AssessmentAnswers => Set<AssessmentAnswer>();

    public DbSet<AssessmentFactorScore> AssessmentFactorScores => Set<AssessmentFactorScore>();

    public DbSet<AssessmentFlag> AssessmentFlags => Set<AssessmentFlag>();

    public DbSet<Organisation> Organisations => Set<Organisation>();

    public DbSet<FirmShare> FirmShares => Set<FirmShare>();

    public DbSet<FollowUp> FollowUps => Set<FollowUp>();

    public DbSet<EmailOptOut> EmailOptOuts => Set<EmailOptOut>();

    public DbSet<OrganisationMember> OrganisationMembers => Set<OrganisationMember>();

    public DbSet<CaseFile> CaseFiles => Set<CaseFile>();

    public DbSet<CaseNote> CaseNotes => Set<CaseNote>();

    public DbSet<CaseStatusChange> CaseStatusChanges => Set<CaseStatusChange>();

    public DbSet<AnswerValidation> AnswerValidations => Set<AnswerValidation>();

    public DbSet<AuditEntry> AuditEntries => Set<AuditEntry>();

    public DbSet<Programme> Programmes => Set<Programme>();

    public DbSet<ProgrammeStaffMember> ProgrammeStaff => Set<ProgrammeStaffMember>();

    public DbSet<Cohort> Cohorts => Set<Cohort>();

    public DbSet<Enrolment> Enrolments => Set<Enrolment>();

    public DbSet<AssessmentPlanItem> AssessmentPlanItems => Set<AssessmentPlanItem>();

    public DbSet<AssessmentResultVersion> AssessmentResultVersions => Set<AssessmentResultVersion>();

    public DbSet<AnonymousEnrolment> AnonymousEnrolments => Set<AnonymousEnrolment>();

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);

        builder.Entity<Firm>(firm =>
        {
            firm.Property(f => f.Name).HasMaxLength(200);
            firm.HasIndex(f => f.Name);
        });

        builder.Entity<FirmMember>(member =>
        {
            member.HasKey(m => new { m.FirmId, m.UserId });
            member.HasIndex(m => m.UserId);
            member.Property(m => m.Role).HasMaxLength(32);
            member.HasOne(m => m.Firm).WithMany(f => f.Members).HasForeignKey(m => m.FirmId).OnDelete(DeleteBehavior.Cascade);
            member.HasOne(m => m.User).WithMany().HasForeignKey(m => m.UserId).OnDelete(DeleteBehavior.Cascade);
        });

        builder.Entity<FirmProfileAnswer>(answer =>
        {
            answer.HasKey(a => new { a.FirmId, a.QuestionId });
            answer.Property(a => a.QuestionId).HasMaxLength(100);
            answer.HasOne<Firm>().WithMany(f => f.ProfileAnswers).HasForeignKey(a => a.FirmId).OnDelete(DeleteBehavior.Cascade);
        });

        builder.Entity<Assessment>(assessment =>
        {
            assessment.HasIndex(a => new { a.FirmId, a.Number }).IsUnique();
            assessment.HasIndex(a => new { a.FirmId, a.Status, a.SubmittedAt });
            // A firm's assessments with the summary columns queues and cohort figures read, so a
            // lookup of its latest one (or of one by firm and id, such as a cohort baseline) is
            // answered from the index alone: in the row these columns come after the answers and
            // the full result (about 100 KB), which SQLite reads through to reach them
            // (docs/benchmarks.md, cohort dashboard).
            assessment.HasIndex(a => new { a.FirmId, a.Id, a.IsLatest, a.OverallScore, a.BandId, a.StageGroupId }, "IX_Assessments_FirmSummary");
            assessment.Property(a => a.Status).HasConversion<int>();
            // The submission snapshot (about 100 KB a row) is stored last in the row, so a query
            // that reads only the summary columns (queues, cohort figures) finds them on the
            // row's first page instead of walking its overflow chain (docs/benchmarks.md). EF
            // places ordered columns before unordered ones, so every column is given its place.
            string[] layout =
            [
                nameof(Assessment.Id), nameof(Assessment.FirmId), nameof(Assessment.Number), nameof(Assessment.Status),
                nameof(Assessment.StartedAt), nameof(Assessment.UpdatedAt), nameof(Assessment.LastSectionId),
                nameof(Assessment.SubmittedAt), nameof(Assessment.ContentVersion), nameof(Assessment.IsLatest),
                nameof(Assessment.OverallScore), nameof(Assessment.BandId), nameof(Assessment.StageId),
                nameof(Assessment.StageGroupId), nameof(Assessment.TriagePriority),
                nameof(Assessment.AnswersJson), nameof(Assessment.ResultJson),
            ];
            for (var i = 0; i < layout.Length; i++)
            {
                assessment.Property(layout[i]).HasColumnOrder(i);
            }
            assessment.Property(a => a.LastSectionId).HasMaxLength(100);
            assessment.Property(a => a.ContentVersion).HasMaxLength(50);
            assessment.Property(a => a.BandId).HasMaxLength(100);
            assessment.Property(a => a.StageId).HasMaxLength(100);
            assessment.Property(a => a.StageGroupId).HasMaxLength(100);
            assessment.HasOne(a => a.Firm).WithMany(f => f.Assessments).HasForeignKey(a => a.FirmId).OnDelete(DeleteBehavior.Cascade);
        });

        builder.Entity<AssessmentAnswer>(answer =>
        {
            answer.HasKey(a => new { a.AssessmentId, a.QuestionId });
            answer.Property(a => a.QuestionId).HasMaxLength(100);
            answer.HasOne<Assessment>().WithMany(a => a.Answers).HasForeignKey(a => a.AssessmentId).OnDelete(DeleteBehavior.Cascade);
        });

        builder.Entity<AssessmentFactorScore>(score =>
        {
            score.HasKey(s => new { s.AssessmentId, s.FactorId });
            score.Property(s => s.FactorId).HasMaxLength(100);
            score.HasIndex(s => new { s.FactorId, s.Score });
            // An assessment's scores read from the index alone (the key does not hold the score):
            // cohort figures read them for thousands of latest assessments at a time.
            score.HasIndex(s => new { s.AssessmentId, s.FactorId, s.Score }, "IX_AssessmentFactorScores_Scores");
            score.HasOne<Assessment>().WithMany(a => a.FactorScores).HasForeignKey(s => s.AssessmentId).OnDelete(DeleteBehavior.Cascade);
        });

        builder.Entity<AssessmentFlag>(flag =>
        {
            flag.HasKey(f => new { f.AssessmentId, f.FlagId });
            flag.Property(f => f.FlagId).HasMaxLength(100);
            flag.HasIndex(f => f.FlagId);
            flag.HasOne<Assessment>().WithMany(a => a.Flags).HasForeignKey(f => f.AssessmentId).OnDelete(DeleteBehavior.Cascade);
        });

        builder.Entity<Organisation>(organisation =>
        {
            organisation.Property(o => o.Name).HasMaxLength(200);
            organisation.HasIndex(o => o.Name).IsUnique();
            organisation.Property(o => o.Description).HasMaxLength(1000);
        });

        builder.Entity<FirmShare>(share =>
        {
            share.HasIndex(s => new { s.OrganisationId, s.RevokedAt });
            // At most one active consent per firm and organisation.
            share.HasIndex(s => new { s.FirmId, s.OrganisationId }).IsUnique().HasFilter("\"RevokedAt\" IS NULL");
            share.HasOne(s => s.Firm).WithMany(f => f.Shares).HasForeignKey(s => s.FirmId).OnDelete(DeleteBehavior.Cascade);
            share.HasOne(s => s.Organisation).WithMany().HasForeignKey(s => s.OrganisationId).OnDelete(DeleteBehavior.Restrict);
        });

        OnFollowUpsCreating(builder);
        OnCaseworkCreating(builder);
        OnProgrammesCreating(builder);

        builder.Entity<AnonymousEnrolment>(record =>
        {
            record.HasIndex(r => r.CohortId);
            record.HasOne<Cohort>().WithMany().HasForeignKey(r => r.CohortId).OnDelete(DeleteBehavior.Cascade);
        });
    }

    private static void OnFollowUpsCreating(ModelBuilder builder)
    {
        builder.Entity<FollowUp>(followUp =>
        {
            followUp.Property(f => f.Kind).HasConversion<int>();
            followUp.Property(f => f.Status).HasConversion<int>();
            followUp.Property(f => f.Template).HasMaxLength(50);
            followUp.Property(f => f.Topic).HasMaxLength(100);
            followUp.Property(f => f.RecipientEmail).HasMaxLength(256);
            followUp.Property(f => f.AdviceId).HasMaxLength(100);
            followUp.Property(f => f.LastError).HasMaxLength(2000);
            followUp.Property(f => f.Subject).HasMaxLength(500);
            followUp.Property(f => f.MessageId).HasMaxLength(200);
            followUp.Property(f => f.CancelReason).HasMaxLength(100);

            // The dispatcher's question: what is pending and due?
            followUp.HasIndex(f => new { f.Status, f.NextAttemptAt });
            followUp.HasIndex(f => f.ClaimToken);
            followUp.HasIndex(f => new { f.UserId, f.Status });
            followUp.HasIndex(f => new { f.FirmId, f.Status });
            followUp.HasIndex(f => f.AssessmentId);
            followUp.HasIndex(f => f.CreatedAt);

            // Deleting a firm or an account deletes the emails still meant for it.
            followUp.HasOne<Firm>().WithMany().HasForeignKey(f => f.FirmId).OnDelete(DeleteBehavior.Cascade);
            followUp.HasOne<Assessment>().WithMany().HasForeignKey(f => f.AssessmentId).OnDelete(DeleteBehavior.Cascade);
            followUp.HasOne<PortalUser>().WithMany().HasForeignKey(f => f.UserId).OnDelete(DeleteBehavior.Cascade);
        });

        builder.Entity<EmailOptOut>(optOut =>
        {
            optOut.HasKey(o => new { o.UserId, o.Topic });
            optOut.Property(o => o.Topic).HasMaxLength(100);
            optOut.HasOne<PortalUser>().WithMany().HasForeignKey(o => o.UserId).OnDelete(DeleteBehavior.Cascade);
        });

        builder.Entity<PortalUser>().Property(u => u.TimeZoneId).HasMaxLength(100);
    }

    private static void OnCaseworkCreating(ModelBuilder builder)
    {
        builder.Entity<OrganisationMember>(member =>
        {
            member.HasKey(m => m.UserId); // one organisation per advisor
            member.HasIndex(m => m.OrganisationId);
            member.HasOne(m => m.User).WithMany().HasForeignKey(m => m.UserId).OnDelete(DeleteBehavior.Cascade);
            member.HasOne(m => m.Organisation).WithMany().HasForeignKey(m => m.OrganisationId).OnDelete(DeleteBehavior.Cascade);
        });

        builder.Entity<CaseFile>(file =>
        {
            file.HasIndex(c => new { c.OrganisationId, c.FirmId }).IsUnique();
            file.HasIndex(c => new { c.OrganisationId, c.Status });
            file.HasIndex(c => c.AssignedAdvisorId);
            file.Property(c => c.Status).HasConversion<int>();
            file.HasOne(c => c.Firm).WithMany().HasForeignKey(c => c.FirmId).OnDelete(DeleteBehavior.Cascade);
            file.HasOne(c => c.Organisation).WithMany().HasForeignKey(c => c.OrganisationId).OnDelete(DeleteBehavior.Cascade);
            file.HasOne(c => c.AssignedAdvisor).WithMany().HasForeignKey(c => c.AssignedAdvisorId).OnDelete(DeleteBehavior.SetNull);
            file.HasMany(c => c.Notes).WithOne().HasForeignKey(n => n.CaseFileId).OnDelete(DeleteBehavior.Cascade);
            file.HasMany(c => c.StatusChanges).WithOne().HasForeignKey(s => s.CaseFileId).OnDelete(DeleteBehavior.Cascade);
        });

        builder.Entity<CaseStatusChange>(change =>
        {
            change.Property(c => c.From).HasConversion<int>();
            change.Property(c => c.To).HasConversion<int>();
        });

        builder.Entity<CaseNote>(note =>
        {
            note.Property(n => n.Text).HasMaxLength(4000);
            note.HasIndex(n => new { n.CaseFileId, n.At });
            note.HasOne(n => n.Author).WithMany().HasForeignKey(n => n.AuthorId).OnDelete(DeleteBehavior.Restrict);
        });

        builder.Entity<AnswerValidation>(validation =>
        {
            validation.HasIndex(v => new { v.AssessmentId, v.OrganisationId, v.QuestionId }).IsUnique();
            validation.Property(v => v.QuestionId).HasMaxLength(100);
            validation.Property(v => v.Reason).HasMaxLength(1000);
            validation.HasOne<Assessment>().WithMany().HasForeignKey(v => v.AssessmentId).OnDelete(DeleteBehavior.Cascade);
            validation.HasOne<Organisation>().WithMany().HasForeignKey(v => v.OrganisationId).OnDelete(DeleteBehavior.Cascade);
        });

        builder.Entity<AuditEntry>(entry =>
        {
            entry.HasIndex(e => new { e.FirmId, e.At });
            entry.HasIndex(e => e.At);
            entry.Property(e => e.ActorEmail).HasMaxLength(256);
            entry.Property(e => e.Action).HasMaxLength(100);
            entry.Property(e => e.Detail).HasMaxLength(1000);
            // No foreign keys: the log outlives the accounts and firms it names.
        });

        builder.Entity<Assessment>().HasIndex(a => new { a.IsLatest, a.FirmId });
        builder.Entity<FollowUp>().Property(f => f.Body).HasMaxLength(10_000);
    }

    private static void OnProgrammesCreating(ModelBuilder builder)
    {
        builder.Entity<Programme>(programme =>
        {
            programme.Property(p => p.Name).HasMaxLength(200);
            programme.Property(p => p.Description).HasMaxLength(2000);
            programme.HasIndex(p => new { p.OrganisationId, p.Name }).IsUnique();
            programme.HasOne(p => p.Organisation).WithMany().HasForeignKey(p => p.OrganisationId).OnDelete(DeleteBehavior.Cascade);
            programme.HasMany(p => p.Cohorts).WithOne(c => c.Programme).HasForeignKey(c => c.ProgrammeId).OnDelete(DeleteBehavior.Cascade);
        });

        builder.Entity<ProgrammeStaffMember>(staff =>
        {
            staff.HasKey(s => new { s.ProgrammeId, s.UserId });
            staff.HasIndex(s => s.UserId);
            staff.HasOne(s => s.Programme).WithMany().HasForeignKey(s => s.ProgrammeId).OnDelete(DeleteBehavior.Cascade);
            staff.HasOne(s => s.User).WithMany().HasForeignKey(s => s.UserId).OnDelete(DeleteBehavior.Cascade);
        });

        builder.Entity<Cohort>(cohort =>
        {
            cohort.Property(c => c.Name).HasMaxLength(200);
            cohort.HasIndex(c => new { c.ProgrammeId, c.Name }).IsUnique();
            cohort.HasMany(c => c.Enrolments).WithOne(e => e.Cohort).HasForeignKey(e => e.CohortId).OnDelete(DeleteBehavior.Cascade);
        });

        builder.Entity<Enrolment>(enrolment =>
        {
            enrolment.Property(e => e.InvitedEmail).HasMaxLength(256);
            enrolment.Property(e => e.TokenHash).HasMaxLength(64);
            enrolment.HasIndex(e => e.TokenHash).IsUnique();
            enrolment.HasIndex(e => new { e.CohortId, e.FirmId });
            enrolment.HasIndex(e => e.FirmId);
            enrolment.HasOne(e => e.Firm).WithMany().HasForeignKey(e => e.FirmId).OnDelete(DeleteBehavior.Cascade);
            enrolment.HasOne<Assessment>().WithMany().HasForeignKey(e => e.BaselineAssessmentId).OnDelete(DeleteBehavior.SetNull);
        });

        builder.Entity<AssessmentPlanItem>(item =>
        {
            item.HasKey(i => new { i.AssessmentId, i.Rank });
            item.Property(i => i.AdviceId).HasMaxLength(100);
            item.HasIndex(i => i.AdviceId);
            // An assessment's plan read from the index alone, as the cohort's most common items are counted.
            item.HasIndex(i => new { i.AssessmentId, i.Rank, i.AdviceId }, "IX_AssessmentPlanItems_Plan");
            item.HasOne<Assessment>().WithMany().HasForeignKey(i => i.AssessmentId).OnDelete(DeleteBehavior.Cascade);
        });

        builder.Entity<AssessmentResultVersion>(version =>
        {
            version.Property(v => v.ContentVersion).HasMaxLength(50);
            version.Property(v => v.BandId).HasMaxLength(100);
            version.Property(v => v.StageId).HasMaxLength(100);
            version.HasIndex(v => v.AssessmentId);
            version.HasOne<Assessment>().WithMany().HasForeignKey(v => v.AssessmentId).OnDelete(DeleteBehavior.Cascade);
        });
    }

    protected override void ConfigureConventions(ModelConfigurationBuilder configuration)
    {
        // Times are stored in UTC and read back as UTC (SQLite keeps no kind).
        configuration.Properties<DateTime>().HaveConversion<UtcDateTimeConverter>();
        configuration.Properties<DateTime?>().HaveConversion<NullableUtcDateTimeConverter>();
    }

    private sealed class UtcDateTimeConverter() : ValueConverter<DateTime, DateTime>(
        v => v.Kind == DateTimeKind.Utc ? v : v.ToUniversalTime(),
        v => DateTime.SpecifyKind(v, DateTimeKind.Utc));

    private sealed class NullableUtcDateTimeConverter() : ValueConverter<DateTime?, DateTime?>(
        v => v == null ? v : v.Value.Kind == DateTimeKind.Utc ? v : v.Value.ToUniversalTime(),
        v => v == null ? v : DateTime.SpecifyKind(v.Value, DateTimeKind.Utc));
}
