using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Domain.Content;
using Portal.Tests.TestSupport;
using Portal.Web.Data.Entities;
using Portal.Web.Features.DataRights;

namespace Portal.Tests.Integration.DataRights;

/// <summary>
/// The owner's download, parsed back and compared field by field with the database: the firm,
/// its profile, owners, both assessments with answers and results, the share, the casework and
/// the advisor's message, every email, the programme, the activity log. Nothing of the other
/// firm in the same organisation and cohort is in it; only owners get it; it is audited.
/// </summary>
public sealed class FirmDataExportTests(MailDevServer mail)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Download_HoldsEverythingAboutTheFirm_AsTheDatabaseHasIt_AndNothingOfAnotherFirm()
    {
        await using var s = await DataRightsScenario.CreateAsync(mail);
        var client = await s.App.SignedInClientAsync(s.OwnerEmail, DataRightsScenario.Password);

        var page = await client.GetDocumentAsync("/firm/data");
        Assert.NotNull(page.QuerySelector("a[href='firm/data/export'][download]"));
        var response = await client.GetAsync("/firm/data/export", Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal("utf-8", response.Content.Headers.ContentType.CharSet);
        Assert.Equal("attachment", response.Content.Headers.ContentDisposition!.DispositionType);
        var today = s.Clock.GetUtcNow().UtcDateTime.AddHours(1).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture); // Paris, the owner's zone
        Assert.Equal($"kestrel-céramique-{s.FirmName.Split(' ')[^1]}-portal-data-{today}.json", response.Content.Headers.ContentDisposition.FileNameStar);
        Assert.Contains("no-store", response.Headers.CacheControl!.ToString(), StringComparison.Ordinal);

        var bytes = await response.Content.ReadAsByteArrayAsync(Ct);
        var text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes);
        Assert.Contains(s.FirmName, text, StringComparison.Ordinal); // "é" as itself, not \u00E9
        Assert.Contains("\n  \"about\": {", text, StringComparison.Ordinal); // indented, the about header first
        var json = JsonNode.Parse(text)!;

        var about = json["about"]!;
        Assert.Equal(FirmDataExport.FormatVersion, (int)about["formatVersion"]!);
        Assert.Equal(s.App.Services.GetRequiredService<ContentCatalog>().Current.Version, (string)about["contentVersion"]!);
        Assert.Contains(about["notIncluded"]!.AsArray(), n => ((string)n!).StartsWith("Advisors' internal notes", StringComparison.Ordinal));

        await s.App.QueryAsync(async db =>
        {
            // The firm, its profile and its owners.
            var firm = json["firm"]!;
            Assert.Equal((s.FirmId, s.FirmName), ((Guid)firm["id"]!, (string)firm["name"]!));
            var profile = await db.FirmProfileAnswers.AsNoTracking().Where(a => a.FirmId == s.FirmId).OrderBy(a => a.QuestionId).ToListAsync(Ct);
            Assert.NotEmpty(profile);
            Assert.Equal(profile.Select(a => a.QuestionId), firm["profile"]!.AsArray().Select(a => (string)a!["questionId"]!));
            Assert.All(profile.Zip(firm["profile"]!.AsArray()), p => Assert.True(JsonNode.DeepEquals(JsonNode.Parse(p.First.ValueJson), p.Second!["value"]), p.First.QuestionId));
            var owners = await db.FirmMembers.Where(m => m.FirmId == s.FirmId).OrderBy(m => m.JoinedAt).Select(m => new { m.User.Email, m.JoinedAt }).ToListAsync(Ct);
            Assert.Equal([s.OwnerEmail, s.CoOwnerEmail], owners.Select(o => o.Email));
            Assert.Equal(owners.Select(o => (o.Email, o.JoinedAt)), json["owners"]!.AsArray().Select(o => ((string?)o!["email"], (DateTime)o["joinedAt"]!)));

            // Both assessments, with answers and every part of the results.
            var assessments = await db.Assessments.AsNoTracking().Where(a => a.FirmId == s.FirmId).OrderBy(a => a.Number).ToListAsync(Ct);
            Assert.Equal([s.FirstAssessment, s.SecondAssessment], assessments.Select(a => a.Id));
            var exported = json["assessments"]!.AsArray();
            Assert.Equal(2, exported.Count);
            foreach (var (stored, file) in assessments.Zip(exported))
            {
                Assert.Equal((stored.Id, stored.Number, "Submitted", stored.SubmittedAt, stored.ContentVersion),
                    ((Guid)file!["id"]!, (int)file["number"]!, (string)file["status"]!, (DateTime?)file["submittedAt"], (string?)file["contentVersion"]));
                var answers = await db.AssessmentAnswers.Where(a => a.AssessmentId == stored.Id).OrderBy(a => a.QuestionId).Select(a => a.QuestionId).ToListAsync(Ct);
                Assert.Equal(answers, file["answers"]!.AsArray().Select(a => (string)a!["questionId"]!));
                Assert.True(JsonNode.DeepEquals(JsonNode.Parse(stored.AnswersJson!), file["submittedAnswers"]));
                var result = file["result"]!;
                Assert.Equal((stored.OverallScore, stored.BandId, stored.StageId, stored.StageGroupId, stored.IsLatest),
                    ((double?)result["overallScore"], (string?)result["bandId"], (string?)result["stageId"], (string?)result["stageGroupId"], (bool)result["latest"]!));
                var scores = await db.AssessmentFactorScores.Where(f => f.AssessmentId == stored.Id).ToDictionaryAsync(f => f.FactorId, f => f.Score, Ct);
                Assert.Equal(scores.OrderBy(p => p.Key), result["factorScores"]!.AsArray().ToDictionary(f => (string)f!["factorId"]!, f => (double?)f!["score"]).OrderBy(p => p.Key));
                var flags = await db.AssessmentFlags.Where(f => f.AssessmentId == stored.Id).Select(f => f.FlagId).OrderBy(f => f).ToListAsync(Ct);
                Assert.Equal(flags, result["flags"]!.AsArray().Select(f => (string)f!["id"]!));
                var plan = await db.AssessmentPlanItems.Where(p => p.AssessmentId == stored.Id).OrderBy(p => p.Rank).Select(p => new { p.Rank, p.AdviceId }).ToListAsync(Ct);
                Assert.NotEmpty(plan);
                Assert.Equal(plan.Select(p => (p.Rank, p.AdviceId)), result["actionPlan"]!.AsArray().Select(p => ((int)p!["rank"]!, (string)p["adviceId"]!)));
                Assert.True(JsonNode.DeepEquals(JsonNode.Parse(stored.ResultJson!), result["report"]));
                Assert.Empty(file["earlierResults"]!.AsArray());
            }

            // The share, the case and the message.
            var share = await db.FirmShares.Where(f => f.FirmId == s.FirmId).SingleAsync(Ct);
            Assert.Equal([("Northern Trade Agency", share.GrantedAt, (DateTime?)null)],
                json["sharing"]!.AsArray().Select(x => ((string)x!["organisation"]!, (DateTime)x["grantedAt"]!, (DateTime?)x["revokedAt"])));
            var caseFile = await db.CaseFiles.Where(c => c.FirmId == s.FirmId).Select(c => new { c.Status, c.LastContactAt, Notes = c.Notes.Count, Changes = c.StatusChanges.Count }).SingleAsync(Ct);
            var exportedCase = json["casework"]!.AsArray().Single()!;
            Assert.Equal(("InSupport", caseFile.LastContactAt, 1, caseFile.Changes),
                ((string)exportedCase["status"]!, (DateTime?)exportedCase["lastContactAt"], (int)exportedCase["internalNotes"]!["count"]!, exportedCase["statusHistory"]!.AsArray().Count));
            Assert.DoesNotContain(DataRightsScenario.NoteText, text, StringComparison.Ordinal);
            var message = json["advisorMessages"]!.AsArray().Single()!;
            Assert.Equal((s.OwnerEmail, s.Advisor.Email, "Northern Trade Agency", DataRightsScenario.MessageSubject, DataRightsScenario.MessageBody),
                ((string?)message["to"], (string?)message["from"], (string?)message["organisation"], (string?)message["subject"], (string?)message["body"]));

            // Every email of the firm and the owner, sent and planned, with its status and dates.
            var emails = await s.EmailsOfTheFirmAndOwnerAsync();
            Assert.Contains(emails, e => e.Status == FollowUpStatus.Sent && e.Kind == EmailKind.Advice);
            Assert.Contains(emails, e => e.Status == FollowUpStatus.Pending && e.Kind == EmailKind.Advice);
            Assert.Contains(emails, e => e.Status == FollowUpStatus.Sent && e.Template == Portal.Domain.Emails.EmailModels.ProgrammeInvitation);
            Assert.Equal(emails.Select(e => (e.Template, e.AdviceId, e.Status.ToString(), e.DueAt, e.SentAt, e.Subject)).Order(),
                json["emails"]!.AsArray().Select(e => ((string)e!["template"]!, (string?)e["adviceId"], (string)e["status"]!, (DateTime)e["dueAt"]!, (DateTime?)e["sentAt"], (string?)e["subject"])).Order());
            var optOuts = await db.EmailOptOuts.Where(o => o.UserId == s.Owner.Id).Select(o => o.Topic).OrderBy(t => t).ToListAsync(Ct);
            Assert.NotEmpty(optOuts);
            var preferences = json["account"]!["emailPreferences"]!;
            Assert.Equal(optOuts, preferences["turnedOff"]!.AsArray().Select(o => (string)o!["topic"]!));
            Assert.Equal("Europe/Paris", (string?)preferences["timeZone"]);

            // The cohort, and who looked at the firm.
            var programme = json["programmes"]!.AsArray().Single()!;
            var enrolment = await db.Enrolments.Where(e => e.FirmId == s.FirmId).SingleAsync(Ct);
            Assert.Equal(("Export Ready", "Spring 2027", s.OwnerEmail, enrolment.EnrolledAt, 1),
                ((string)programme["programme"]!, (string)programme["cohort"]!, (string?)programme["invitedEmail"], (DateTime?)programme["enrolledAt"], (int)programme["baselineAssessmentNumber"]!));
            var activity = await db.AuditEntries.Where(e => e.FirmId == s.FirmId).OrderBy(e => e.At).ThenBy(e => e.Id).Select(e => new { e.At, e.ActorEmail, e.Action }).ToListAsync(Ct);
            Assert.True(activity.Count >= 4, "a view, a note, a status change and a message at least");
            Assert.Equal(activity.Select(a => (a.At, a.ActorEmail, a.Action)),
                json["activity"]!.AsArray().Select(a => ((DateTime)a!["at"]!, (string)a["who"]!, (string)a["action"]!)));

            // Nothing of the other firm; and the download is in the audit log.
            Assert.DoesNotContain(s.OtherFirmName, text, StringComparison.Ordinal);
            Assert.DoesNotContain(s.OtherOwnerEmail, text, StringComparison.Ordinal);
            Assert.DoesNotContain(s.OtherFirmId.ToString(), text, StringComparison.OrdinalIgnoreCase);
            var otherAssessments = await db.Assessments.Where(a => a.FirmId == s.OtherFirmId).Select(a => a.Id).ToListAsync(Ct);
            Assert.All(otherAssessments, id => Assert.DoesNotContain(id.ToString(), text, StringComparison.OrdinalIgnoreCase));
            var audited = await db.AuditEntries.Where(e => e.ActorId == s.Owner.Id && e.Action == FirmDataExport.ExportedAction).SingleAsync(Ct);
            Assert.Equal((s.OwnerEmail, s.FirmName, (Guid?)null), (audited.ActorEmail, audited.Detail, audited.FirmId));
            return 0;
        });
    }

    [Fact]
    public async Task OnlyOwnersGetTheirData_OtherRolesAre403_AndAnonymousIsSentToSignIn()
    {
        await using var s = await DataRightsScenario.CreateAsync(mail);
        foreach (var path in new[] { "/firm/data", "/firm/data/export", "/firm/data/delete" })
        {
            var anonymous = await s.App.CreateBrowserlikeClient().GetAsync(path, Ct);
            Assert.Equal(HttpStatusCode.Redirect, anonymous.StatusCode);
            Assert.Contains("/Account/Login", anonymous.Headers.Location!.ToString(), StringComparison.Ordinal);
            foreach (var other in new[] { s.Advisor, s.Staff, s.Admin })
            {
                var client = await s.SignInAsync(other);
                Assert.Equal(HttpStatusCode.Forbidden, (await client.GetAsync(path, Ct)).StatusCode);
            }
        }

        // The other firm's owner gets their own firm's data, never this one's.
        var otherOwner = await s.App.SignedInClientAsync(s.OtherOwnerEmail, DataRightsScenario.Password);
        var theirs = await otherOwner.GetStringAsync("/firm/data/export", Ct);
        Assert.Contains(s.OtherFirmName, theirs, StringComparison.Ordinal);
        Assert.DoesNotContain(s.FirmName, theirs, StringComparison.Ordinal);
        Assert.DoesNotContain(s.OwnerEmail, theirs, StringComparison.Ordinal);
        Assert.DoesNotContain(s.FirmId.ToString(), theirs, StringComparison.OrdinalIgnoreCase);
    }
}
