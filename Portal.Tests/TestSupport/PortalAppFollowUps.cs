using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;
using Portal.Domain.Scoring;
using Portal.Web.Data;
using Portal.Web.Features.FollowUps;
using Portal.Web.Jobs;

namespace Portal.Tests.TestSupport;

/// <summary>Shortcuts for tests of the email outbox.</summary>
public static class PortalAppFollowUps
{
    /// <summary>A dispatcher run, as the recurring job would start one.</summary>
    public static DispatchDueFollowUpsJob Dispatcher(this PortalApp app) => app.Services.GetRequiredService<DispatchDueFollowUpsJob>();

    public static async Task<T> QueryAsync<T>(this PortalApp app, Func<PortalDbContext, Task<T>> query)
    {
        await using var db = await app.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        return await query(db);
    }

    public static Task<AssessmentReport> ReportAsync(this PortalApp app, Guid assessmentId) =>
        app.QueryAsync(async db => AssessmentReport.FromJson(await db.Assessments.Where(a => a.Id == assessmentId).Select(a => a.ResultJson!).SingleAsync()));

    /// <summary>The message as it arrived, parsed with MimeKit (headers, parts).</summary>
    public static async Task<MimeMessage> MimeAsync(this MailDevServer mail, MailDevEmail email)
    {
        using var stream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(await mail.RawAsync(email)));
        return await MimeMessage.LoadAsync(stream);
    }

    /// <summary>How many messages arrived for each outbox row (by the portal's own header).</summary>
    public static async Task<Dictionary<string, int>> ArrivalsByOutboxIdAsync(this MailDevServer mail, string to)
    {
        var counts = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        foreach (var email in await mail.EmailsToAsync(to))
        {
            var id = (await mail.MimeAsync(email)).Headers[FollowUpMessages.OutboxIdHeader] ?? "";
            counts[id] = counts.GetValueOrDefault(id) + 1;
        }

        return counts;
    }
}
