using System.Diagnostics;
using MailKit.Net.Smtp;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using MailKit.Security;
using Microsoft.EntityFrameworkCore;
using MimeKit;
using Portal.Domain.Content;
using Portal.Web.Configuration;
using Portal.Web.Data;
using Portal.Web.Data.Entities;
using Portal.Web.Email;
using Portal.Web.Features.Accounts;
using Portal.Web.Features.Content;
using Portal.Web.Features.FollowUps;
using Portal.Web.Jobs;

namespace Portal.Benchmarks.Dispatch;

/// <summary>
/// Issue 5's figure: the portal's dispatcher sending N due follow-ups from the outbox (claim,
/// render, send over one connection, record each outcome in SQLite) beside a plain MailKit
/// loop sending the same, already rendered messages over one connection. Rounds alternate
/// between the two so both see the same machine; the medians and their ratio are printed.
///
///   dotnet run -c Release --project Portal.Benchmarks -- dispatch [--count 10000] [--rounds 3] [--smtp 127.0.0.1:1025]
///
/// Without --smtp it uses an in-process SMTP sink on 127.0.0.1 (SmtpSink), so the mail
/// server is not what is measured.
/// </summary>
public static class DispatchBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        var count = IntArg(args, "--count", 10_000);
        var rounds = IntArg(args, "--rounds", 3);
        var smtp = Arg(args, "--smtp");
        await using var sink = smtp is null ? new SmtpSink() : null;
        var (host, port) = smtp is null ? ("127.0.0.1", sink!.Port) : (smtp.Split(':')[0], int.Parse(smtp.Split(':')[1], System.Globalization.CultureInfo.InvariantCulture));
        var data = Directory.CreateTempSubdirectory("portal-dispatch-benchmark-");
        try
        {
            await using var app = Build(data.FullName, host, port);
            await app.StartAsync();
            var content = app.Services.GetRequiredService<ContentCatalog>().Current;
            await SeedAsync(app.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>(), content, count);

            Console.WriteLine($"Dispatching {count:N0} follow-ups to {(smtp ?? $"an SMTP sink on 127.0.0.1:{port}")}, {rounds} rounds each, alternating.");
            await PortalRoundAsync(app, Math.Min(200, count)); // warm-up: JIT, connection pools
            await PlainRoundAsync(app, host, port, Math.Min(200, count), noDelay: false);
            var portal = new List<double>();
            var plain = new List<double>();
            var plainNoDelay = new List<double>();
            for (var round = 1; round <= rounds; round++)
            {
                portal.Add(await PortalRoundAsync(app, count));
                // At ~40 ms a message this baseline would take minutes for 10,000; its rate is flat, so 1,000 tell it.
                plain.Add(await PlainRoundAsync(app, host, port, Math.Min(count, 1000), noDelay: false));
                plainNoDelay.Add(await PlainRoundAsync(app, host, port, count, noDelay: true));
                Console.WriteLine($"  round {round}: portal {portal[^1]:N0} msg/s, plain MailKit {plain[^1]:N0} msg/s, plain MailKit without Nagle {plainNoDelay[^1]:N0} msg/s");
            }

            var (p, q, r) = (Median(portal), Median(plain), Median(plainNoDelay));
            Console.WriteLine();
            Console.WriteLine("| Sender | Messages per second (median) |");
            Console.WriteLine("|---|---|");
            Console.WriteLine($"| Portal dispatcher (claim, render, send, record each) | {p:N0} |");
            Console.WriteLine($"| Plain MailKit loop (pre-rendered, one connection, ConnectAsync(host, port); {Math.Min(count, 1000):N0} messages) | {q:N0} |");
            Console.WriteLine($"| Plain MailKit loop, socket with Nagle off as the portal opens it | {r:N0} |");
            Console.WriteLine($"| Ratio portal / plain | {p / q:0.00} |");
            Console.WriteLine($"| Ratio portal / plain without Nagle | {p / r:0.00} |");
            return 0;
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            data.Delete(recursive: true);
        }
    }

    private static WebApplication Build(string data, string host, int port)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Production", ContentRootPath = data });
        builder.AddPortalCore();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Portal:DataDirectory"] = data,
            ["Portal:PublicBaseUrl"] = "https://portal.example.org",
            ["Email:Smtp:Host"] = host,
            ["Email:Smtp:Port"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Email:Smtp:Security"] = "None",
            ["FollowUps:DispatchEveryMinutes"] = "0",
            ["Logging:LogLevel:Default"] = "Warning",
        });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.AddPortalContent();
        builder.AddPortalData();
        builder.AddPortalAccounts();
        builder.AddPortalEmail();
        builder.AddPortalJobs();
        builder.AddPortalFollowUps();
        return builder.Build();
    }

    /// <summary>100 firms with an owner and a submitted assessment each; their follow-ups, due now, cycling through the owner advice.</summary>
    private static async Task SeedAsync(IDbContextFactory<PortalDbContext> dbFactory, PortalContent content, int count)
    {
        await using var db = await dbFactory.CreateDbContextAsync();
        var now = DateTime.UtcNow;
        var advice = content.AdviceList.Where(a => a.Audience == Audience.Owner).ToList();
        var firms = new List<(Guid Firm, Guid Assessment, string User)>();
        for (var i = 0; i < 100; i++)
        {
            var user = new PortalUser { UserName = $"owner{i}@example.org", Email = $"owner{i}@example.org", EmailConfirmed = true };
            var firm = new Firm { Name = $"Benchmark Firm {i}", CreatedAt = now };
            firm.Members.Add(new FirmMember { UserId = user.Id, JoinedAt = now });
            var assessment = new Assessment { FirmId = firm.Id, Number = 1, Status = AssessmentStatus.Submitted, StartedAt = now, UpdatedAt = now, SubmittedAt = now };
            assessment.FactorScores.AddRange(content.Model.Factors.Select(f => new AssessmentFactorScore { FactorId = f.Id, Score = 20 + (i * 7 + f.Index * 13) % 70 }));
            firm.Assessments.Add(assessment);
            db.Users.Add(user);
            db.Firms.Add(firm);
            firms.Add((firm.Id, assessment.Id, user.Id));
        }

        for (var i = 0; i < count; i++)
        {
            var (firm, assessment, user) = firms[i % firms.Count];
            var item = advice[i % advice.Count];
            db.FollowUps.Add(new FollowUp
            {
                Kind = EmailKind.Advice, Template = Portal.Domain.Emails.EmailModels.FollowUp, Topic = EmailTopics.ForAdvice(content, item),
                FirmId = firm, AssessmentId = assessment, UserId = user, AdviceId = item.Id, CreatedAt = now, DueAt = now, NextAttemptAt = now,
            });
        }

        await db.SaveChangesAsync();
    }

    /// <summary>Makes the first <paramref name="count"/> rows due and unsent, runs the dispatcher once, returns messages per second.</summary>
    private static async Task<double> PortalRoundAsync(WebApplication app, int count)
    {
        await ResetAsync(app, count);
        var job = app.Services.GetRequiredService<DispatchDueFollowUpsJob>();
        var watch = Stopwatch.StartNew();
        var summary = await job.RunAsync(CancellationToken.None);
        watch.Stop();
        if (summary.Sent != count)
        {
            throw new InvalidOperationException($"The dispatcher sent {summary.Sent} of {count} ({summary}).");
        }

        return count / watch.Elapsed.TotalSeconds;
    }

    /// <summary>The same messages, rendered beforehand (not timed), sent by MailKit over one connection.</summary>
    private static async Task<double> PlainRoundAsync(WebApplication app, string host, int port, int count, bool noDelay)
    {
        var dbFactory = app.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>();
        List<MimeMessage> messages;
        await using (var db = await dbFactory.CreateDbContextAsync())
        {
            var rows = await db.FollowUps.AsNoTracking().OrderBy(f => f.Id).Take(count).ToListAsync();
            messages = (await app.Services.GetRequiredService<FollowUpMessages>().PrepareAsync(db, rows, CancellationToken.None)).Select(p => p.Message!).ToList();
        }

        using var client = new SmtpClient();
        var watch = Stopwatch.StartNew();
        if (noDelay)
        {
            var socket = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp) { NoDelay = true };
            await socket.ConnectAsync(host, port);
            await client.ConnectAsync(socket, host, port, SecureSocketOptions.None);
        }
        else
        {
            await client.ConnectAsync(host, port, SecureSocketOptions.None);
        }
        foreach (var message in messages)
        {
            await client.SendAsync(message);
        }

        await client.DisconnectAsync(quit: true);
        watch.Stop();
        return count / watch.Elapsed.TotalSeconds;
    }

    private static async Task ResetAsync(WebApplication app, int count)
    {
        await using var db = await app.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        var now = DateTime.UtcNow;
        await db.FollowUps.ExecuteUpdateAsync(s => s.SetProperty(f => f.Status, FollowUpStatus.Sent));
        var ids = await db.FollowUps.OrderBy(f => f.Id).Select(f => f.Id).Take(count).ToListAsync();
        await db.FollowUps.Where(f => ids.Contains(f.Id)).ExecuteUpdateAsync(s => s
            .SetProperty(f => f.Status, FollowUpStatus.Pending).SetProperty(f => f.Attempts, 0)
            .SetProperty(f => f.NextAttemptAt, now).SetProperty(f => f.SentAt, (DateTime?)null));
    }

    private static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);

    private static string? Arg(string[] args, string name) => Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : null;

    private static int IntArg(string[] args, string name, int fallback) => Arg(args, name) is { } value ? int.Parse(value, System.Globalization.CultureInfo.InvariantCulture) : fallback;
}
