using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Portal.Web.Data;
using Portal.Web.Data.Entities;
using Portal.Web.Features.Accounts;
using Portal.Web.Features.Advisors;
using Portal.Web.Features.Audit;
using Portal.Web.Features.FollowUps;

namespace Portal.Web.Features.DataRights;

/// <summary>What deleting would remove, for the owner to read before confirming.</summary>
/// <param name="ConfirmationText">What the owner types to confirm: the firm's name, or a phrase when the firm has none.</param>
/// <param name="CoOwners">The email addresses of the others who act for the firm: their accounts stay, without the firm.</param>
/// <param name="OtherRoles">Roles besides Owner; an account with one is not deleted here (an Admin removes the role first).</param>
public sealed record DeletionPreview(
    Guid? FirmId,
    string FirmName,
    string ConfirmationText,
    IReadOnlyList<string> CoOwners,
    int Assessments,
    int Organisations,
    int EmailsSent,
    int EmailsPlanned,
    int Cohorts,
    bool NeedsPassword,
    IReadOnlyList<string> OtherRoles);

/// <summary>Errors by field ("confirm-name", "password"); none when the firm and account are gone.</summary>
public sealed record DeletionOutcome(IReadOnlyDictionary<string, string> Errors)
{
    public bool Deleted => Errors.Count == 0;
}

/// <summary>
/// Deletes an owner's firm and account at the owner's request, in one transaction: every row
/// about the firm (through the database's cascades from Firms, checked by a test that walks
/// every foreign key), the emails of the firm and of the account, pending or sent, and the
/// account itself through Identity's UserManager. What a cohort's funnel counted of the firm
/// stays as an <see cref="AnonymousEnrolment"/>; audit entries stay, with the person's address
/// and the firm's name taken out of them, and one more records the deletion, naming no one.
/// </summary>
/// <remarks>
/// Scoped, and working on the request's own <see cref="PortalDbContext"/> rather than one from
/// the factory: Identity's user store uses that same context, so the firm's rows and the
/// account are deleted in one transaction, or neither is.
/// </remarks>
public sealed class FirmDeletion(
    PortalDbContext db,
    UserManager<PortalUser> users,
    SignInManager<PortalUser> signIn,
    AuditLog audit,
    TimeProvider clock,
    ILogger<FirmDeletion> logger)
{
    /// <summary>The actor of the deletion's audit entry: a role, not a person.</summary>
    public const string DeletedOwner = "the firm's owner (account deleted)";

    public const string DeletedAction = "deleted the firm and owner account at the owner's request";

    /// <summary>What an owner whose firm has no name types to confirm.</summary>
    public const string NoNamePhrase = "delete my account";

    public const string RemovedAddress = "[deleted address]";

    public const string RemovedFirm = "[deleted firm]";

    public const string RemovedText = "[removed when the firm was deleted]";

    /// <summary>What deleting the account's firm would remove; null when the account does not exist.</summary>
    public async Task<DeletionPreview?> PreviewAsync(string userId, CancellationToken ct = default)
    {
        var user = await db.Users.AsNoTracking().Where(u => u.Id == userId).Select(u => new { u.Id, HasPassword = u.PasswordHash != null }).FirstOrDefaultAsync(ct);
        if (user is null)
        {
            return null;
        }

        var otherRoles = await db.UserRoles.Where(ur => ur.UserId == userId)
            .Join(db.Roles, ur => ur.RoleId, r => r.Id, (_, r) => r.Name!)
            .Where(name => name != PortalRoles.Owner)
            .OrderBy(name => name)
            .ToListAsync(ct);
        var firm = await FirmOfAsync(userId, ct);
        var emails = Emails(firm?.Id, userId, [await AddressOfAsync(userId, ct)]);
        var sent = await emails.CountAsync(f => f.Status == FollowUpStatus.Sent, ct);
        var planned = await emails.CountAsync(f => f.Status == FollowUpStatus.Pending, ct);
        if (firm is null)
        {
            return new DeletionPreview(null, "", NoNamePhrase, [], 0, 0, sent, planned, 0, user.HasPassword, otherRoles);
        }

        var firmId = firm.Id;
        var coOwners = await db.FirmMembers.AsNoTracking().Where(m => m.FirmId == firmId && m.UserId != userId)
            .OrderBy(m => m.JoinedAt).Select(m => m.User.Email ?? "").ToListAsync(ct);
        var assessments = await db.Assessments.CountAsync(a => a.FirmId == firmId, ct);
        var organisations = await db.FirmShares.Where(s => s.FirmId == firmId).Select(s => s.OrganisationId)
            .Union(db.CaseFiles.Where(c => c.FirmId == firmId).Select(c => c.OrganisationId)).CountAsync(ct);
        var cohorts = await db.Enrolments.CountAsync(e => e.FirmId == firmId, ct);
        return new DeletionPreview(firmId, firm.Name, firm.Name.Trim().Length > 0 ? firm.Name.Trim() : NoNamePhrase, coOwners,
            assessments, organisations, sent, planned, cohorts, user.HasPassword, otherRoles);
    }

    /// <summary>
    /// Checks the confirmation (the firm's name typed, the password) and, when both are right,
    /// deletes the firm and the account and signs the owner out. Nothing is deleted otherwise.
    /// </summary>
    public async Task<DeletionOutcome> DeleteAsync(string userId, string? typedName, string? password, CancellationToken ct = default)
    {
        var preview = await PreviewAsync(userId, ct);
        var user = preview is null ? null : await users.FindByIdAsync(userId);
        if (preview is null || user is null)
        {
            return Refused("confirm-name", "Your account no longer exists");
        }

        if (preview.OtherRoles.Count > 0)
        {
            return Refused("confirm-name", $"Your account is also used as {string.Join(", ", preview.OtherRoles)}: ask an Admin to remove that role first");
        }

        var errors = new Dictionary<string, string>();
        var typed = Collapse(typedName);
        if (typed.Length == 0)
        {
            errors["confirm-name"] = preview.FirmId is null || preview.FirmName.Trim().Length == 0
                ? $"Type “{NoNamePhrase}” to confirm"
                : "Type your firm's name to confirm";
        }
        else if (!string.Equals(typed, Collapse(preview.ConfirmationText), StringComparison.OrdinalIgnoreCase))
        {
            errors["confirm-name"] = $"What you typed is not “{preview.ConfirmationText}”: type it as shown";
        }

        if (preview.NeedsPassword)
        {
            if (string.IsNullOrEmpty(password))
            {
                errors["password"] = "Enter your password";
            }
            else
            {
                // Counts towards lockout like the sign-in form, so this form cannot be used to guess the password.
                var check = await signIn.CheckPasswordSignInAsync(user, password, lockoutOnFailure: true);
                if (check.IsLockedOut)
                {
                    errors["password"] = "Too many wrong passwords: your account is locked for a while. Try again later";
                }
                else if (!check.Succeeded)
                {
                    errors["password"] = "The password is not right";
                }
            }
        }

        if (errors.Count > 0)
        {
            return new DeletionOutcome(errors);
        }

        await DeleteConfirmedAsync(user, preview, ct);
        await signIn.SignOutAsync();
        logger.LogInformation("Firm {FirmId} and its owner's account were deleted at the owner's request", preview.FirmId);
        return new DeletionOutcome(new Dictionary<string, string>());
    }

    private async Task DeleteConfirmedAsync(PortalUser user, DeletionPreview preview, CancellationToken ct)
    {
        var userId = user.Id;
        var firmId = preview.FirmId;
        var today = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
        await using var transaction = await db.BeginWriteTransactionAsync(firmId is { } id ? WriteLocks.Firm(id) : WriteLocks.Account(userId), ct);

        var invitedAddresses = firmId is null ? []
            : await db.Enrolments.Where(e => e.FirmId == firmId && e.InvitedEmail != null).Select(e => e.InvitedEmail!).Distinct().ToListAsync(ct);
        // Every spelling the address may have been stored in: SQLite's replace() and = are case-sensitive.
        var addresses = new[] { user.Email, user.UserName }.Concat(invitedAddresses)
            .Where(a => !string.IsNullOrWhiteSpace(a)).Select(a => a!)
            .SelectMany(a => new[] { a, a.ToLowerInvariant() })
            .Distinct(StringComparer.Ordinal)
            .ToList();
        var lowerAddresses = addresses.Select(a => a.ToLowerInvariant()).Distinct().ToList();

        await KeepCohortHistoryAsync(firmId, user.NormalizedEmail, today, ct);
        var scrubbed = await ScrubAuditAsync(userId, firmId, preview.FirmName.Trim(), addresses, ct);

        // Pending and sent alike: a pending row deleted here is never claimed, and one a
        // dispatcher claimed already fails its "still mine" check before it is sent.
        await Emails(firmId, userId, lowerAddresses).ExecuteDeleteAsync(ct);
        if (firmId is not null)
        {
            // The database cascades from the firm: members, profile answers, assessments (answers,
            // scores, flags, plan items, earlier results, advisors' answer checks), shares, case
            // files (notes, status history) and enrolments.
            await db.Firms.Where(f => f.Id == firmId).ExecuteDeleteAsync(ct);
        }

        var kept = scrubbed == 0 ? "" : $"; {scrubbed} earlier audit entr{(scrubbed == 1 ? "y" : "ies")} kept with the owner's address and the firm's name removed";
        audit.Add(db, "", DeletedOwner, firmId, DeletedAction, $"The firm's data and the owner's account were deleted{kept}.");

        // Saves the audit entry and the anonymous records with the account's removal, in the transaction above.
        var result = await users.DeleteAsync(user);
        if (!result.Succeeded)
        {
            throw new InvalidOperationException($"The account could not be deleted: {string.Join("; ", result.Errors.Select(e => e.Code))}");
        }

        await transaction.CommitAsync(ct);
    }

    /// <summary>
    /// Each cohort enrolment of the firm, and each open invitation to the account's address,
    /// leaves a record of the funnel steps it counted in, with no firm, name or address. The
    /// enrolments themselves go with the firm; the invitations are deleted here.
    /// </summary>
    private async Task KeepCohortHistoryAsync(Guid? firmId, string? normalizedEmail, DateOnly today, CancellationToken ct)
    {
        if (firmId is not null)
        {
            // "Enrolled" as the funnel counts it now: ProgrammeAccess.VisibleEnrolments.
            var enrolments = await db.Enrolments.AsNoTracking().Where(e => e.FirmId == firmId && e.EnrolledAt != null)
                .Select(e => new
                {
                    e.CohortId,
                    Invited = e.InvitedEmail != null,
                    e.EnrolledAt,
                    e.LeftAt,
                    Counted = e.LeftAt == null
                        && db.FirmShares.Any(s => s.FirmId == e.FirmId && s.RevokedAt == null && s.OrganisationId == e.Cohort.Programme.OrganisationId),
                    Baseline = e.BaselineAssessmentId != null,
                    FollowUp = e.BaselineAssessmentId != null && db.Assessments.Any(a => a.FirmId == e.FirmId && a.IsLatest && a.Id != e.BaselineAssessmentId),
                })
                .ToListAsync(ct);
            db.AnonymousEnrolments.AddRange(enrolments.Select(e => new AnonymousEnrolment
            {
                CohortId = e.CohortId,
                WasInvited = e.Invited,
                WasRegistered = e.Invited,
                WasEnrolled = e.Counted,
                HadBaseline = e.Baseline,
                HadFollowUp = e.FollowUp,
                EnrolledOn = DateOnly.FromDateTime(e.EnrolledAt!.Value),
                LeftOn = e.LeftAt is { } left ? DateOnly.FromDateTime(left) : null,
                DeletedOn = today,
            }));
        }

        if (normalizedEmail is null)
        {
            return;
        }

        // Open invitations to the account's address counted as invited and registered (an account used the address).
        var open = db.Enrolments.Where(e => e.FirmId == null && e.InvitedEmail != null && e.InvitedEmail.ToUpper() == normalizedEmail);
        var cohorts = await open.Select(e => e.CohortId).ToListAsync(ct);
        db.AnonymousEnrolments.AddRange(cohorts.Select(c => new AnonymousEnrolment { CohortId = c, WasInvited = true, WasRegistered = true, DeletedOn = today }));
        await open.ExecuteDeleteAsync(ct);
    }

    /// <summary>
    /// Audit entries stay (they record what staff did), without the person: entries the owner
    /// made lose their actor, and the owner's and the invitations' addresses and the firm's name
    /// are replaced in the text. Advisors' message subjects about the firm are free text that
    /// may name the owner, so they go. Returns how many entries of the firm or the owner remain.
    /// </summary>
    private async Task<int> ScrubAuditAsync(string userId, Guid? firmId, string firmName, IReadOnlyList<string> addresses, CancellationToken ct)
    {
        foreach (var address in addresses)
        {
            await db.AuditEntries.Where(e => e.Detail != null && e.Detail.Contains(address))
                .ExecuteUpdateAsync(s => s.SetProperty(e => e.Detail, e => e.Detail!.Replace(address, RemovedAddress)), ct);
        }

        var ofTheFirm = db.AuditEntries.Where(e => (firmId != null && e.FirmId == firmId) || e.ActorId == userId);
        if (firmName.Length > 0)
        {
            await ofTheFirm.Where(e => e.Detail != null && e.Detail.Contains(firmName))
                .ExecuteUpdateAsync(s => s.SetProperty(e => e.Detail, e => e.Detail!.Replace(firmName, RemovedFirm)), ct);
        }

        await ofTheFirm.Where(e => e.Action == FirmFileAudit.ScheduledMessage || e.Action == DeliveryLogService.ResentAction)
            .ExecuteUpdateAsync(s => s.SetProperty(e => e.Detail, RemovedText), ct);
        var count = await ofTheFirm.CountAsync(ct);
        await db.AuditEntries.Where(e => e.ActorId == userId)
            .ExecuteUpdateAsync(s => s.SetProperty(e => e.ActorId, "").SetProperty(e => e.ActorEmail, DeletedOwner), ct);
        return count;
    }

    /// <summary>The firm's emails (to any owner), the account's, and those addressed to the account's or the invitations' addresses.</summary>
    private IQueryable<FollowUp> Emails(Guid? firmId, string userId, IReadOnlyList<string> lowerAddresses) =>
        db.FollowUps.Where(f => (firmId != null && f.FirmId == firmId)
            || f.UserId == userId
            || (f.UserId == null && f.RecipientEmail != null && lowerAddresses.Contains(f.RecipientEmail.ToLower())));

    private Task<Firm?> FirmOfAsync(string userId, CancellationToken ct) =>
        db.FirmMembers.AsNoTracking().Where(m => m.UserId == userId).Select(m => m.Firm).FirstOrDefaultAsync(ct);

    private async Task<string> AddressOfAsync(string userId, CancellationToken ct) =>
        (await db.Users.Where(u => u.Id == userId).Select(u => u.Email).FirstOrDefaultAsync(ct) ?? "").ToLowerInvariant();

    private static string Collapse(string? text) => string.Join(' ', (text ?? "").Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));

    private static DeletionOutcome Refused(string field, string message) => new(new Dictionary<string, string> { [field] = message });
}
