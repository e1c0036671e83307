using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using Portal.Web.Data;
using Portal.Web.Data.Entities;

namespace Portal.Tests.TestSupport;

/// <summary>
/// Several portal processes (nodes) on one PostgreSQL database of the test server, each with a
/// data folder of its own (so nothing but the database is shared, as on separate machines), all
/// sending to the same SMTP server. Disposing kills the nodes, drops the database and deletes
/// the folders.
/// </summary>
public sealed class PostgresNodes : IAsyncDisposable
{
    private readonly PostgresTestDatabase database;
    private readonly Dictionary<string, string> settings;
    private readonly List<PortalServerProcess> nodes = [];
    private readonly List<string> folders = [];

    private PostgresNodes(PostgresTestDatabase database, MailDevServer mail, IReadOnlyDictionary<string, string> extra)
    {
        this.database = database;
        settings = new Dictionary<string, string>
        {
            ["Database:Provider"] = "Postgres",
            ["Database:ConnectionString"] = database.ConnectionString,
            ["Email:Smtp:Host"] = "127.0.0.1",
            ["Email:Smtp:Port"] = mail.SmtpPort.ToString(CultureInfo.InvariantCulture),
            ["Email:Smtp:Security"] = "None",
            ["Jobs:SchedulePollingIntervalSeconds"] = "1",
            // The test signs in and asks for emails from one address many times.
            ["RateLimits:SignIn:Permits"] = "1000000",
            ["RateLimits:AccountEmails:Permits"] = "1000000",
        };
        foreach (var (key, value) in extra)
        {
            settings[key] = value;
        }
    }

    public string ConnectionString => database.ConnectionString;

    /// <summary>A new, empty database; nodes started on it migrate it.</summary>
    public static PostgresNodes Create(MailDevServer mail, IReadOnlyDictionary<string, string>? settings = null) =>
        new(PostgresTestDatabase.Create(), mail, settings ?? new Dictionary<string, string>());

    /// <summary>Starts a node (the built Portal.Web.dll, Production) and waits until it answers /health.</summary>
    public async Task<PortalServerProcess> StartNodeAsync()
    {
        var folder = Directory.CreateTempSubdirectory("portal-node-").FullName;
        lock (folders)
        {
            folders.Add(folder);
        }

        var node = await PortalServerProcess.StartAsync(folder, settings: settings);
        lock (nodes)
        {
            nodes.Add(node);
        }

        return node;
    }

    public PostgresPortalDbContext OpenDatabase() => new(new DbContextOptionsBuilder<PostgresPortalDbContext>().UseNpgsql(database.ConnectionString).Options);

    public async Task<T> QueryAsync<T>(Func<PostgresPortalDbContext, Task<T>> query)
    {
        await using var db = OpenDatabase();
        return await query(db);
    }

    /// <summary>A confirmed owner of a new firm, written straight to the database (the roles exist once a node has started).</summary>
    public async Task<(string UserId, Guid FirmId)> AddOwnerAsync(string email, string password)
    {
        var user = new PortalUser
        {
            UserName = email,
            NormalizedUserName = email.ToUpperInvariant(),
            Email = email,
            NormalizedEmail = email.ToUpperInvariant(),
            EmailConfirmed = true,
            SecurityStamp = Guid.NewGuid().ToString("N"),
            ConcurrencyStamp = Guid.NewGuid().ToString(),
        };
        user.PasswordHash = new PasswordHasher<PortalUser>().HashPassword(user, password);
        var firm = new Firm { Name = $"Firm of {email}", CreatedAt = DateTime.UtcNow };
        await using var db = OpenDatabase();
        db.Users.Add(user);
        db.Firms.Add(firm);
        db.FirmMembers.Add(new FirmMember { FirmId = firm.Id, UserId = user.Id, JoinedAt = DateTime.UtcNow });
        var owner = await db.Roles.Where(r => r.Name == Portal.Web.Features.Accounts.PortalRoles.Owner).Select(r => r.Id).SingleAsync();
        db.UserRoles.Add(new IdentityUserRole<string> { UserId = user.Id, RoleId = owner });
        await db.SaveChangesAsync();
        return (user.Id, firm.Id);
    }

    /// <summary>
    /// <paramref name="count"/> advisor messages to the firm's owner, already due (the nodes run
    /// on the real clock), in one insert.
    /// </summary>
    public async Task<List<Guid>> AddDueMessagesAsync(string userId, Guid firmId, int count)
    {
        var past = DateTime.UtcNow.AddMinutes(-5);
        var rows = Enumerable.Range(1, count).Select(i => new FollowUp
        {
            Kind = EmailKind.AdvisorMessage,
            Template = Portal.Domain.Emails.EmailModels.AdvisorMessage,
            Topic = Portal.Web.Features.FollowUps.EmailTopics.AdvisorMessages,
            FirmId = firmId,
            UserId = userId,
            Subject = $"Message {i}",
            Body = $"Message {i} of {count}.",
            CreatedAt = past,
            DueAt = past,
            NextAttemptAt = past,
            Status = FollowUpStatus.Pending,
        }).ToList();
        await using var db = OpenDatabase();
        db.FollowUps.AddRange(rows);
        await db.SaveChangesAsync();
        return rows.Select(r => r.Id).ToList();
    }

    /// <summary>
    /// Asks <paramref name="node"/> for a password reset email: the portal then enqueues a
    /// dispatcher run at once (Outbox.DispatchNow), as for every account email.
    /// </summary>
    public static async Task RequestDispatchAsync(PortalServerProcess node, string email)
    {
        using var client = node.CreateClient();
        var response = await client.SubmitFormAsync("/Account/ForgotPassword", "forgot-password", new Dictionary<string, string> { ["Input.Email"] = email });
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
    }

    /// <summary>The dispatcher runs <paramref name="node"/> has in hand now, as Hangfire's shared storage records them.</summary>
    public async Task<int> RunningDispatchesAsync(PortalServerProcess node)
    {
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT count(*) FROM hangfire.job j JOIN hangfire.state s ON s.id = j.stateid " +
            "WHERE j.statename = 'Processing' AND j.invocationdata::text LIKE '%DispatchDueFollowUpsJob%' AND s.data::text LIKE @server", connection);
        command.Parameters.AddWithValue("server", $"%:{node.ProcessId}:%");
        return Convert.ToInt32(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var node in nodes)
        {
            await node.DisposeAsync();
        }

        await database.DisposeAsync();
        foreach (var folder in folders)
        {
            try
            {
                Directory.Delete(folder, recursive: true);
            }
            catch (IOException)
            {
                // a temp folder left behind is no failure of the test
            }
        }
    }
}
