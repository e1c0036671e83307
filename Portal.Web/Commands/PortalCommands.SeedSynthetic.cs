using System.Globalization;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Portal.Web.Configuration;
using Portal.Web.Data;
using Portal.Web.Features.Accounts;
using Portal.Web.Features.Content;
using Portal.Web.Features.SyntheticData;

namespace Portal.Web.Commands;

/// <summary>Exit codes of <c>seed-synthetic</c>.</summary>
public static class SeedExitCodes
{
    public const int Seeded = 0;

    /// <summary>The settings or the content are invalid, or seeding failed: nothing was added.</summary>
    public const int Failed = 1;

    /// <summary>Bad arguments.</summary>
    public const int Usage = 2;

    /// <summary>Not in Development without --force, or synthetic data already there without --append: nothing was added.</summary>
    public const int Refused = 3;
}

public static partial class PortalCommands
{
    /// <summary>Where synthetic users' password comes from; unset in Development, the default below.</summary>
    public const string SyntheticPasswordSetting = "SyntheticData:Password";

    /// <summary>The synthetic users' password in Development when none is set: printed, as the demo users' are.</summary>
    public const string DevelopmentSyntheticPassword = "Synthetic-user-2026";

    private const string SeedUsage = "seed-synthetic --firms N [--assessments-per-firm K] [--seed S] [--append] [--force] [--Setting=value ...]";

    /// <summary>
    /// <c>seed-synthetic --firms N [--assessments-per-firm K] [--seed S]</c>: fills the configured
    /// database (migrated first, as the portal does at start-up) with synthetic firms, their
    /// owners and assessments, organisations, advisors, casework, programmes and cohorts, and
    /// follow-ups. The same seed on the same day gives the same data. Refuses outside
    /// Development unless <c>--force</c>, and on a database that has synthetic data unless
    /// <c>--append</c> (which adds a new batch beside it).
    /// </summary>
    private static async Task<int> SeedSyntheticAsync(string[] args, TextWriter output, TextWriter error, TimeProvider clock)
    {
        int firms = 0, assessmentsPerFirm = 1, seed = 1;
        bool append = false, force = false;
        var settings = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            switch (arg)
            {
                case "--firms" or "--assessments-per-firm" or "--seed":
                    if (i + 1 >= args.Length || !int.TryParse(args[++i], NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
                    {
                        return Usage(error, $"{arg} needs a whole number. Usage: {SeedUsage}");
                    }

                    if (arg == "--firms")
                    {
                        firms = value;
                    }
                    else if (arg == "--seed")
                    {
                        seed = value;
                    }
                    else
                    {
                        assessmentsPerFirm = value;
                    }

                    break;
                case "--append":
                    append = true;
                    break;
                case "--force":
                    force = true;
                    break;
                default:
                    if (!arg.StartsWith("--", StringComparison.Ordinal) || !arg.Contains('=', StringComparison.Ordinal))
                    {
                        return Usage(error, $"Unknown argument '{arg}'. Usage: {SeedUsage}");
                    }

                    settings.Add(arg);
                    break;
            }
        }

        if (firms is < 1 or > 1_000_000)
        {
            return Usage(error, $"--firms must be between 1 and 1,000,000. Usage: {SeedUsage}");
        }

        if (assessmentsPerFirm is < 1 or > 50)
        {
            return Usage(error, $"--assessments-per-firm must be between 1 and 50. Usage: {SeedUsage}");
        }

        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = [.. settings] });
        var development = builder.Environment.IsDevelopment();
        if (!development && !force)
        {
            error.WriteLine($"Refused: the environment is {builder.Environment.EnvironmentName}, and synthetic data is for development and benchmarks. "
                + "Add --force to fill this database anyway.");
            return SeedExitCodes.Refused;
        }

        if (builder.Configuration.GetSection(DatabaseOptions.SectionName).Get<DatabaseOptions>() is { Provider: not DatabaseProvider.Sqlite } configured)
        {
            // The bulk writer talks to SQLite directly (prepared inserts in one transaction, its journal modes).
            error.WriteLine($"Refused: seed-synthetic writes to SQLite only, and Database:Provider is {configured.Provider}. "
                + "Seed a SQLite database and copy it over, or run with --Database:Provider=Sqlite.");
            return SeedExitCodes.Refused;
        }

        builder.Services.AddSingleton(clock);
        // Only the data, content and accounts parts of the portal: the UI services Identity's pages need are not here, and never asked for.
        builder.Host.UseDefaultServiceProvider(o => o.ValidateOnBuild = false);
        builder.AddPortalCore();
        builder.AddPortalContent();
        builder.AddPortalData();
        builder.AddPortalAccounts();
        await using var app = builder.Build();
        if (!app.HasValidSettings() || !app.HasValidContent())
        {
            return SeedExitCodes.Failed;
        }

        var password = app.Configuration[SyntheticPasswordSetting];
        var passwordSource = string.IsNullOrEmpty(password) ? null : SyntheticPasswordSetting;
        // Outside Development nobody is told a default: users get a password nobody knows, until one is reset.
        password ??= development ? DevelopmentSyntheticPassword : Convert.ToBase64String(RandomNumberGenerator.GetBytes(24));
        using (var scope = app.Services.CreateScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<PortalUser>>();
            foreach (var validator in users.PasswordValidators)
            {
                if (await validator.ValidateAsync(users, new PortalUser(), password) is { Succeeded: false } refused)
                {
                    error.WriteLine($"{SyntheticPasswordSetting} is not a password the portal accepts: {string.Join(" ", refused.Errors.Select(e => e.Description))}");
                    return SeedExitCodes.Usage;
                }
            }
        }

        // The database is migrated and the roles made exactly as when the portal starts.
        foreach (var startup in app.Services.GetServices<IHostedService>().Where(s => s is DatabaseStartup or RoleStartup))
        {
            await startup.StartAsync(CancellationToken.None);
        }

        var dbFactory = app.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>();
        string database;
        await using (var db = await dbFactory.CreateDbContextAsync())
        {
            database = Path.GetFullPath(new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(db.Database.GetConnectionString()).DataSource);
            var batches = await SyntheticDataSeeder.BatchesAsync(db, CancellationToken.None);
            if (batches > 0 && !append)
            {
                error.WriteLine($"Refused: {database} already has synthetic data ({batches} batch{(batches == 1 ? "" : "es")}). "
                    + "Add --append to add another batch beside it, or start from an empty database.");
                return SeedExitCodes.Refused;
            }
        }

        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Seeding {database}: {firms:N0} synthetic firms, {assessmentsPerFirm} assessment{(assessmentsPerFirm == 1 ? "" : "s")} each, seed {seed}"));
        SyntheticDataSummary summary;
        try
        {
            summary = await SyntheticDataSeeder.SeedAsync(app.Services, new SyntheticDataRequest(firms, assessmentsPerFirm, seed, password), output, CancellationToken.None);
        }
        catch (Exception e) when (e is InvalidOperationException or Microsoft.Data.Sqlite.SqliteException or IOException)
        {
            error.WriteLine($"Seeding failed, nothing was added: {e.Message}");
            return SeedExitCodes.Failed;
        }

        var inv = CultureInfo.InvariantCulture;
        output.WriteLine(string.Create(inv, $"Added batch {summary.Batch} in {summary.Elapsed.TotalSeconds:0.0} s "
            + $"(writing {summary.Writing.TotalSeconds:0.0} s, waiting for firms {summary.WaitingForFirms.TotalSeconds:0.0} s, back to WAL or checkpoint {summary.Checkpoint.TotalSeconds:0.0} s); "
            + $"the database is now {summary.DatabaseBytes / (1024.0 * 1024):N0} MB."));
        if (summary.ThroughWriteAheadLog)
        {
            output.WriteLine("The database was open elsewhere (a running portal?), so the rows went through the write-ahead log, about twice as slow.");
        }
        output.WriteLine("Rows added:");
        foreach (var (table, rows) in summary.Rows)
        {
            output.WriteLine(string.Create(inv, $"  {table,-28} {rows,12:N0}"));
        }

        var examples = string.Join(", ", new[] { "owner000001", "advisor001", "staff001" }.Select(u => SyntheticDataSeeder.Email(u, summary.Batch)));
        output.WriteLine(passwordSource is not null
            ? $"Users ({examples}, ...) sign in with the password in {passwordSource}."
            : development
                ? $"Users ({examples}, ...) sign in with the password {password} (Development only)."
                : $"Users have a password nobody knows; set {SyntheticPasswordSetting} to choose one, or reset it.");
        return SeedExitCodes.Seeded;
    }
}
