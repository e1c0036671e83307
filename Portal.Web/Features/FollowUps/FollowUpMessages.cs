using System.Text.Json;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using MimeKit;
using Portal.Domain.Content;
using Portal.Domain.Emails;
using Portal.Web.Configuration;
using Portal.Web.Data;
using Portal.Web.Data.Entities;
using Portal.Web.Email;

namespace Portal.Web.Features.FollowUps;

/// <summary>A claimed row made ready: a message to send, or why it will not be sent.</summary>
public sealed record PreparedEmail(FollowUp Row, MimeMessage? Message, string? Failure = null, bool OptedOut = false);

/// <summary>An account email's variables, kept encrypted in the outbox row (a link may carry a secret token).</summary>
public sealed record AccountEmailPayload(string? Link, string? Code, ProgrammeInvitationDetails? Invitation = null);

/// <summary>What an invitation to a programme's cohort says, as it was when staff sent it.</summary>
public sealed record ProgrammeInvitationDetails(
    string Programme, string? Description, string Cohort, DateOnly StartsOn, DateOnly EndsOn, string Organisation, DateTime ExpiresAt);

/// <summary>
/// Renders outbox rows into messages with the content's templates: the data each row
/// needs is loaded for the whole batch at once.
/// </summary>
public sealed class FollowUpMessages(ContentCatalog catalog, EmailComposer composer, PublicLinks links, UnsubscribeTokens tokens, IDataProtectionProvider protection)
{
    public const string OutboxIdHeader = "X-Portal-Email-Id";

    private readonly IDataProtector payloads = protection.CreateProtector("Portal.Email.Payload.v1");

    public string ProtectPayload(AccountEmailPayload payload) => payloads.Protect(JsonSerializer.Serialize(payload));

    public async Task<IReadOnlyList<PreparedEmail>> PrepareAsync(PortalDbContext db, IReadOnlyList<FollowUp> rows, CancellationToken ct)
    {
        var userIds = rows.Where(r => r.UserId is not null).Select(r => r.UserId!).Distinct().ToList();
        var firmIds = rows.Where(r => r.FirmId is not null).Select(r => r.FirmId!.Value).Distinct().ToList();
        var assessmentIds = rows.Where(r => r.AssessmentId is not null).Select(r => r.AssessmentId!.Value).Distinct().ToList();

        var users = await db.Users.AsNoTracking().Where(u => userIds.Contains(u.Id))
            .Select(u => new { u.Id, u.Email, u.TimeZoneId }).ToDictionaryAsync(u => u.Id, ct);
        var optOuts = (await db.EmailOptOuts.AsNoTracking().Where(o => userIds.Contains(o.UserId)).Select(o => new { o.UserId, o.Topic }).ToListAsync(ct))
            .Select(o => (o.UserId, o.Topic)).ToHashSet();
        var firms = await db.Firms.AsNoTracking().Where(f => firmIds.Contains(f.Id)).Select(f => new { f.Id, f.Name }).ToDictionaryAsync(f => f.Id, f => f.Name, ct);
        var submitted = await db.Assessments.AsNoTracking().Where(a => assessmentIds.Contains(a.Id))
            .Select(a => new { a.Id, a.SubmittedAt }).ToDictionaryAsync(a => a.Id, a => a.SubmittedAt, ct);
        var senderIds = rows.Where(r => r.SenderId is not null).Select(r => r.SenderId!).Distinct().ToList();
        var senders = await db.Users.AsNoTracking().Where(u => senderIds.Contains(u.Id))
            .Select(u => new { u.Id, u.Email, Organisation = db.OrganisationMembers.Where(m => m.UserId == u.Id).Select(m => m.Organisation.Name).FirstOrDefault() })
            .ToDictionaryAsync(u => u.Id, ct);
        var latest = await db.Assessments.AsNoTracking().Where(a => a.IsLatest && firmIds.Contains(a.FirmId))
            .Select(a => new { a.FirmId, a.Id }).ToDictionaryAsync(a => a.FirmId, a => a.Id, ct);
        var scores = (await db.AssessmentFactorScores.AsNoTracking().Where(s => assessmentIds.Contains(s.AssessmentId)).ToListAsync(ct))
            .ToDictionary(s => (s.AssessmentId, s.FactorId), s => s.Score);

        var content = catalog.Current;
        var prepared = new List<PreparedEmail>(rows.Count);
        foreach (var row in rows)
        {
            try
            {
                prepared.Add(Prepare(row));
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // One email that cannot be built (an address MimeKit cannot parse, a template
                // that fails on this data) fails alone, with the reason; the batch goes on.
                prepared.Add(new PreparedEmail(row, null, $"The email could not be built: {e.Message}"));
            }
        }

        return prepared;

        PreparedEmail Prepare(FollowUp row)
        {
            var user = row.UserId is not null ? users.GetValueOrDefault(row.UserId) : null;
            if (row.Kind == EmailKind.Account)
            {
                return Account(row);
            }

            if (row.Topic is not null && row.UserId is not null && optOuts.Contains((row.UserId, row.Topic)))
            {
                return new PreparedEmail(row, null, OptedOut: true);
            }

            if (user?.Email is not { Length: > 0 } email)
            {
                return new PreparedEmail(row, null, "The recipient's account has no email address.");
            }

            if (row.Kind == EmailKind.AdvisorMessage)
            {
                var sender = row.SenderId is null ? null : senders.GetValueOrDefault(row.SenderId);
                var firm = row.FirmId is { } f ? firms.GetValueOrDefault(f, "your firm") : "your firm";
                var messageLinks = Links(row.UserId!, row.FirmId!.Value, UnsubscribeScope.AdvisorMessages);
                var results = row.FirmId is { } fid && latest.TryGetValue(fid, out var latestId) ? links.To($"results/{latestId}") : links.To("assessment");
                var messageModel = EmailModels.AdvisorMessageModel(firm, sender?.Email ?? "An advisor", sender?.Organisation ?? "an organisation you share results with",
                    row.Subject ?? "", row.Body ?? "", results, messageLinks);
                var because = $"You get this email because {firm} shares its results with {sender?.Organisation ?? "an advisor organisation"} on the {EmailModels.PortalName}.";
                var written = Compose(row, email, messageModel, because, messageLinks);
                written.Headers.Add("List-Unsubscribe", $"<{OneClick(messageLinks)}>");
                written.Headers.Add("List-Unsubscribe-Post", "List-Unsubscribe=One-Click");
                if (sender?.Email is { Length: > 0 } replyTo)
                {
                    written.ReplyTo.Add(MailboxAddress.Parse(replyTo)); // "To answer, reply": the answer goes to the advisor
                }

                return new PreparedEmail(row, written);
            }

            if (row.AdviceId is null || !content.Advice.TryGetValue(row.AdviceId, out var advice))
            {
                return new PreparedEmail(row, null, $"The advice item '{row.AdviceId}' is no longer in the content.");
            }

            var firmName = row.FirmId is { } firmId ? firms.GetValueOrDefault(firmId, "your firm") : "your firm";
            var zone = TimeZones.Resolve(user.TimeZoneId);
            var when = row.AssessmentId is { } a && submitted.GetValueOrDefault(a) is { } at ? at : row.CreatedAt;
            var score = row.AssessmentId is { } id ? scores.GetValueOrDefault((id, advice.FactorId)) : null;
            var band = score is { } s ? content.Model.BandFor(s).Name : null;
            var emailLinks = Links(row.UserId!, row.FirmId!.Value);
            var model = EmailModels.FollowUpModel(content, advice, firmName, score, band, TimeZones.ToLocal(when, zone),
                links.To($"results/{row.AssessmentId}"), links.To($"advice/{advice.Id}"), emailLinks);
            var reason = $"You get this email because {firmName} assessed its readiness to sell abroad on the {EmailModels.PortalName} and advice emails are on.";
            var message = Compose(row, email, model, reason, emailLinks);

            // RFC 8058: mail programs show an unsubscribe button that posts to this address, no sign-in needed.
            message.Headers.Add("List-Unsubscribe", $"<{OneClick(emailLinks)}>");
            message.Headers.Add("List-Unsubscribe-Post", "List-Unsubscribe=One-Click");
            return new PreparedEmail(row, message);
        }
    }

    private PreparedEmail Account(FollowUp row)
    {
        AccountEmailPayload? payload;
        try
        {
            payload = row.ProtectedPayload is null ? null : JsonSerializer.Deserialize<AccountEmailPayload>(payloads.Unprotect(row.ProtectedPayload));
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            payload = null;
        }

        if (payload is null || row.RecipientEmail is null)
        {
            return new PreparedEmail(row, null, "The email's link could not be read (the data-protection keys changed).");
        }

        var emailLinks = new EmailLinks(links.BaseUrl, null, null);
        if (payload.Invitation is { } invitation)
        {
            var invitationModel = EmailModels.ProgrammeInvitationModel(invitation.Programme, invitation.Description, invitation.Cohort,
                Day(invitation.StartsOn), Day(invitation.EndsOn), invitation.Organisation, payload.Link ?? "",
                TimeZones.Date(invitation.ExpiresAt, TimeZoneInfo.Utc), emailLinks);
            var because = $"You get this email because the staff of {invitation.Programme} ({invitation.Organisation}) invited this address on the {EmailModels.PortalName}.";
            return new PreparedEmail(row, Compose(row, row.RecipientEmail, invitationModel, because, emailLinks));
        }

        var model = payload.Code is { } code ? EmailModels.CodeModel(code, emailLinks) : EmailModels.LinkModel(payload.Link ?? "", emailLinks);
        var reason = $"You get this email because someone used this address on the {EmailModels.PortalName}.";
        return new PreparedEmail(row, Compose(row, row.RecipientEmail, model, reason, emailLinks));
    }

    private MimeMessage Compose(FollowUp row, string to, Dictionary<string, object?> model, string reason, EmailLinks emailLinks)
    {
        var content = catalog.Current;
        var rendered = content.EmailTemplates[row.Template].Render(model, content.EmailTemplates[EmailModels.Layout], EmailModels.LayoutModel(reason, emailLinks));
        var message = composer.Compose(to, rendered.Subject, rendered.Html, rendered.Text);
        // Ties a message in anyone's mailbox to its line in the delivery log.
        message.Headers.Add(OutboxIdHeader, row.Id.ToString());
        return message;
    }

    private static string Day(DateOnly day) => day.ToString("d MMMM yyyy", System.Globalization.CultureInfo.InvariantCulture);

    private static string OneClick(EmailLinks links) =>
        links.Unsubscribe!.Replace("/email/unsubscribe?", "/email/unsubscribe/one-click?", StringComparison.Ordinal);

    private EmailLinks Links(string userId, Guid firmId, UnsubscribeScope scope = UnsubscribeScope.Advice)
    {
        var token = Uri.EscapeDataString(tokens.Create(userId, firmId, scope));
        return new EmailLinks(links.BaseUrl, links.To($"email/unsubscribe?token={token}"), links.To("settings/emails"));
    }
}
