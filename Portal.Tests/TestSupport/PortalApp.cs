using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Portal.Web.Data;

namespace Portal.Tests.TestSupport;

/// <summary>
/// The real portal host (Program.cs, real SQLite file in a temporary folder, real email
/// delivery) for one test. Dispose it to stop the host and delete its data.
/// </summary>
public sealed class PortalApp : WebApplicationFactory<Program>
{
    private readonly Dictionary<string, string?> settings;
    private readonly string environment;
    private readonly TimeProvider? clock;
    private readonly PostgresTestDatabase? postgres;

    public PortalApp(Action<PortalAppOptions>? configure = null)
    {
        var options = new PortalAppOptions();
        configure?.Invoke(options);
        DataDirectory = Directory.CreateTempSubdirectory("portal-test-").FullName;
        environment = options.Environment;
        clock = options.Clock;
        settings = new Dictionary<string, string?>
        {
            ["Portal:DataDirectory"] = DataDirectory,
            ["DemoData:Enabled"] = "false",
            ["Jobs:SchedulePollingIntervalSeconds"] = "1",
            ["Email:Smtp:Host"] = "",
            // Tests sign many people in from one address; the rate-limit tests set their own low limits.
            ["RateLimits:SignIn:Permits"] = "1000000",
            ["RateLimits:Registration:Permits"] = "1000000",
            ["RateLimits:AccountEmails:Permits"] = "1000000",
        };
        if (environment != "Development")
        {
            settings["Portal:PublicBaseUrl"] = "http://localhost"; // required outside Development; the test server's address
        }

        if (options.Postgres)
        {
            postgres = PostgresTestDatabase.Create();
            settings["Database:Provider"] = "Postgres";
            settings["Database:ConnectionString"] = postgres.ConnectionString;
        }

        foreach (var (key, value) in options.Settings)
        {
            settings[key] = value;
        }

        if (options.RealServer)
        {
            // Chromium needs a real socket; tests listen on loopback only.
            this.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        }
    }

    public string DataDirectory { get; }

    /// <summary>This host's PostgreSQL database, or null when it runs on SQLite.</summary>
    public string? PostgresConnectionString => postgres?.ConnectionString;

    /// <summary>What the host logged.</summary>
    public CapturedLogs Logs { get; } = new();

    public string PickupFolder => Path.Combine(DataDirectory, "mail-pickup");

    /// <summary>The address of the real server (only with <see cref="PortalAppOptions.RealServer"/>).</summary>
    public Uri BaseAddress
    {
        get
        {
            StartServer();
            var addresses = Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
            return new Uri(addresses.First());
        }
    }

    /// <summary>A client that keeps cookies and shows redirects instead of following them.</summary>
    public HttpClient CreateBrowserlikeClient() =>
        CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });

    public async Task<PortalUser> CreateUserAsync(string email, string password, params string[] roles)
    {
        await using var scope = Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<PortalUser>>();
        var user = new PortalUser { UserName = email, Email = email, EmailConfirmed = true };
        Check(await users.CreateAsync(user, password));
        if (roles.Length > 0)
        {
            Check(await users.AddToRolesAsync(user, roles));
        }

        return user;
    }

    public async Task<IList<string>> RolesOfAsync(string email)
    {
        await using var scope = Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<PortalUser>>();
        var user = await users.FindByEmailAsync(email) ?? throw new InvalidOperationException($"No user {email}");
        return await users.GetRolesAsync(user);
    }

    /// <summary>A client signed in through the real sign-in form.</summary>
    public async Task<HttpClient> SignedInClientAsync(string email, string password)
    {
        var client = CreateBrowserlikeClient();
        var response = await client.SubmitFormAsync("/Account/Login", "login", new()
        {
            ["Input.Email"] = email,
            ["Input.Password"] = password,
        });
        if (response.StatusCode != HttpStatusCode.Redirect)
        {
            throw new InvalidOperationException($"Sign-in of {email} failed: {(int)response.StatusCode}");
        }

        return client;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment(environment);
        builder.ConfigureLogging(logging => logging.AddProvider(Logs));
        builder.ConfigureAppConfiguration((_, config) => config.AddInMemoryCollection(settings));
        if (clock is not null)
        {
            builder.ConfigureServices(services => services.Replace(ServiceDescriptor.Singleton(clock)));
        }
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();

        // A host that logged errors leaves its log behind, to read when a test failed.
        if (Logs.Lines.Any(l => l.StartsWith("Error ", StringComparison.Ordinal) || l.StartsWith("Critical ", StringComparison.Ordinal)))
        {
            var folder = Directory.CreateDirectory(Path.Combine(RepoPaths.Artifacts, "host-logs")).FullName;
            Logs.WriteTo(Path.Combine(folder, $"{Path.GetFileName(DataDirectory)}.log"));
        }

        SqliteConnection.ClearAllPools();
        if (postgres is not null)
        {
            await postgres.DisposeAsync();
        }

        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A file still open by a pooled connection of another test: the OS temp cleaner gets it.
        }
    }

    private static void Check(IdentityResult result)
    {
        if (!result.Succeeded)
        {
            throw new InvalidOperationException(string.Join("; ", result.Errors.Select(e => e.Description)));
        }
    }
}

public sealed class PortalAppOptions
{
    public Dictionary<string, string?> Settings { get; } = [];

    public bool RealServer { get; set; }

    public string Environment { get; set; } = "Development";

    public TimeProvider? Clock { get; set; }

    /// <summary>
    /// The host's data in a new database on the test PostgreSQL server (<see cref="PostgresTestDatabase"/>),
    /// dropped when the host is disposed, instead of a SQLite file.
    /// </summary>
    /// <remarks>On by default in a PostgreSQL run (<see cref="PostgresTestDatabase.IsPostgresRun"/>).</remarks>
    public bool Postgres { get; set; } = PostgresTestDatabase.IsPostgresRun;

    public PortalAppOptions UsePostgres()
    {
        Postgres = true;
        return this;
    }

    /// <summary>
    /// A SQLite file even in a PostgreSQL run: for tests of what only SQLite has (the file,
    /// its pragmas, backups, a data folder that outlives the host).
    /// </summary>
    public PortalAppOptions UseSqlite()
    {
        Postgres = false;
        return this;
    }

    /// <summary>
    /// A restart: the data folder and database of <paramref name="other"/> (its SQLite file, or its
    /// PostgreSQL database, which <paramref name="other"/> still owns and drops).
    /// </summary>
    public PortalAppOptions SameDataAs(PortalApp other)
    {
        Postgres = false;
        Settings["Portal:DataDirectory"] = other.DataDirectory;
        if (other.PostgresConnectionString is { } database)
        {
            Settings["Database:Provider"] = "Postgres";
            Settings["Database:ConnectionString"] = database;
        }

        return this;
    }

    public PortalAppOptions UseSmtp(MailDevServer mail)
    {
        Settings["Email:Smtp:Host"] = "127.0.0.1";
        Settings["Email:Smtp:Port"] = mail.SmtpPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        Settings["Email:Smtp:Security"] = "None";
        return this;
    }
}
