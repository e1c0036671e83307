using System.Net.Http.Json;
using Portal.Web.Features.FollowUps;

namespace Portal.Tests.TestSupport;

public static class MailDevArrivals
{
    private static readonly HttpClient Http = new();

    /// <summary>
    /// How many messages arrived for each outbox row (the portal's X-Portal-Email-Id header),
    /// among the emails to <paramref name="recipients"/>: one read of maildev's list, so a test
    /// can watch hundreds of emails arrive.
    /// </summary>
    public static async Task<Dictionary<Guid, int>> OutboxArrivalsAsync(this MailDevServer mail, IReadOnlySet<string> recipients)
    {
        var all = await Http.GetFromJsonAsync<List<MailDevEmail>>($"http://127.0.0.1:{mail.WebPort}/email") ?? [];
        var counts = new Dictionary<Guid, int>();
        foreach (var email in all.Where(e => e.To.Any(t => recipients.Contains(t.Address))))
        {
            var header = email.Headers.FirstOrDefault(h => string.Equals(h.Key, FollowUpMessages.OutboxIdHeader, StringComparison.OrdinalIgnoreCase));
            if (header.Key is not null && Guid.TryParse(header.Value.ToString(), out var id))
            {
                counts[id] = counts.GetValueOrDefault(id) + 1;
            }
        }

        return counts;
    }
}
