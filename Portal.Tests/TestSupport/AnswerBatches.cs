using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Portal.Web.Data;
using Portal.Web.Data.Entities;

namespace Portal.Tests.TestSupport;

/// <summary>
/// Numbered batches of answers for the answers API. Batch k sets the same seven questions
/// (two profile answers, five of the assessment) to values that spell k, so what is stored
/// tells which batch it came from, and a batch stored in part shows as values of two batches.
/// </summary>
public static class AnswerBatches
{
    private const string Founded = "founded";
    private const string FirstExport = "ti.first-export-year";
    private static readonly string[] Scales = ["cp.language", "cp.culture", "cs.team-collaboration", "kl.market", "kl.technological"];

    public static IReadOnlyList<string> Questions { get; } = [Founded, FirstExport, .. Scales];

    /// <summary>
    /// The values of batch <paramref name="batch"/> (1 to 12,000): the two years spell it, each
    /// scale follows from it. The years are real ones: the first export after the founding,
    /// neither in the future.
    /// </summary>
    public static JsonObject Values(int batch)
    {
        var values = new JsonObject
        {
            [Founded] = 1800 + (batch % 100),
            [FirstExport] = 1900 + (batch / 100),
        };
        for (var i = 0; i < Scales.Length; i++)
        {
            values[Scales[i]] = 1 + ((batch + i) % 5);
        }

        return values;
    }

    public static string Body(int batch) => new JsonObject { ["answers"] = Values(batch) }.ToJsonString();

    /// <summary>The batch the stored values are, entire; or null and what is wrong (missing answers, values of another batch).</summary>
    public static (int? Batch, string Problem) Identify(IReadOnlyDictionary<string, string> stored)
    {
        if (!stored.TryGetValue(Founded, out var founded) || !stored.TryGetValue(FirstExport, out var firstExport))
        {
            return (null, $"the years are missing: {Show(stored)}");
        }

        var batch = ((int.Parse(firstExport, System.Globalization.CultureInfo.InvariantCulture) - 1900) * 100)
            + (int.Parse(founded, System.Globalization.CultureInfo.InvariantCulture) - 1800);
        var expected = Values(batch);
        var wrong = Questions.Where(q => !stored.TryGetValue(q, out var json) || json != expected[q]!.ToJsonString()).ToList();
        return wrong.Count == 0 ? (batch, "") : (null, $"not batch {batch} entire ({string.Join(", ", wrong)} differ): {Show(stored)}");
    }

    /// <summary>The batch answers stored for each owner (by user id): profile answers and the open draft's answers.</summary>
    public static async Task<Dictionary<string, Dictionary<string, string>>> StoredAsync(PortalDbContext db, IReadOnlyCollection<string> userIds)
    {
        var questions = Questions.ToList();
        var profile = await (
            from answer in db.FirmProfileAnswers
            join member in db.FirmMembers on answer.FirmId equals member.FirmId
            where userIds.Contains(member.UserId) && questions.Contains(answer.QuestionId)
            select new { member.UserId, answer.QuestionId, answer.ValueJson }).ToListAsync();
        var draft = await (
            from answer in db.AssessmentAnswers
            join assessment in db.Assessments on answer.AssessmentId equals assessment.Id
            join member in db.FirmMembers on assessment.FirmId equals member.FirmId
            where userIds.Contains(member.UserId) && assessment.Status == AssessmentStatus.Draft && questions.Contains(answer.QuestionId)
            select new { member.UserId, answer.QuestionId, answer.ValueJson }).ToListAsync();
        return userIds.ToDictionary(
            id => id,
            id => profile.Concat(draft).Where(a => a.UserId == id).ToDictionary(a => a.QuestionId, a => a.ValueJson));
    }

    private static string Show(IReadOnlyDictionary<string, string> stored) =>
        string.Join(", ", stored.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value}"));
}

/// <summary>
/// An owner's client saving batch after batch through <c>POST /api/v1/assessment/answers</c>,
/// recording which batches the portal acknowledged (200, after its commit).
/// </summary>
public sealed class SavingOwner(string email, string userId, HttpClient client)
{
    private int attempted;
    private int acknowledged;

    public string Email => email;

    public string UserId => userId;

    public HttpClient Client => client;

    /// <summary>The last batch sent (acknowledged or not).</summary>
    public int Attempted => Volatile.Read(ref attempted);

    /// <summary>The last batch the portal answered 200 to.</summary>
    public int LastAcknowledged => Volatile.Read(ref acknowledged);

    public int AcknowledgedCount { get; private set; }

    /// <summary>Why the last request got no answer (the server went away), if one did not.</summary>
    public string? NoAnswer { get; private set; }

    /// <summary>
    /// Saves the next batch, and the next, until <paramref name="stop"/> is cancelled; returns
    /// early when a request gets no answer (the process died). Any answer other than 200 fails.
    /// </summary>
    public async Task SaveUntilAsync(CancellationToken stop)
    {
        NoAnswer = null;
        while (!stop.IsCancellationRequested)
        {
            if (!await SaveNextAsync())
            {
                return;
            }
        }
    }

    /// <summary>Saves the next batch: true when acknowledged, false when no answer came.</summary>
    public async Task<bool> SaveNextAsync()
    {
        var batch = Interlocked.Increment(ref attempted);
        HttpResponseMessage response;
        try
        {
            using var content = new StringContent(AnswerBatches.Body(batch), Encoding.UTF8, "application/json");
            response = await client.PostAsync("api/v1/assessment/answers", content);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            NoAnswer = $"batch {batch}: {e.GetType().Name}: {e.Message}";
            return false;
        }

        using (response)
        {
            if (response.StatusCode != HttpStatusCode.OK)
            {
                throw new InvalidOperationException($"{email}, batch {batch}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            }
        }

        Volatile.Write(ref acknowledged, batch);
        AcknowledgedCount++;
        return true;
    }
}
