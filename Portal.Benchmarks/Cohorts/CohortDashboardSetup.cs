using System.Diagnostics;
using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Portal.Web.Commands;
using Portal.Web.Configuration;
using Portal.Web.Data;
using Portal.Web.Features.Accounts;
using Portal.Web.Features.Advisors;
using Portal.Web.Features.Audit;
using Portal.Web.Features.Content;
using Portal.Web.Features.Programmes;

namespace Portal.Benchmarks.Cohorts;

/// <summary>A cohort to time the dashboard of: how it came about, how many firms staff see in it, and the scope staff reach it by.</summary>
public sealed record DashboardScenario(string Name, int Firms, int Assessments, CohortScope Scope);

/// <summary>
/// A database of synthetic firms (made once by the portal's <c>seed-synthetic</c> command,
/// then kept under artifacts/ and reused), opened with the portal's own services, and two
/// cohorts to time: the largest cohort the synthetic data has, and one with every firm that
/// shares with the national agency, enrolled through the portal's own ProgrammeService.
/// </summary>
public sealed class CohortDashboardSetup : IAsyncDisposable
{
    public const string WholeAgencyCohort = "Every sharing firm (benchmark)";

    private CohortDashboardSetup(WebApplication app, string database, TimeSpan seeding, TimeSpan migrating)
    {
        App = app;
        Database = database;
        Seeding = seeding;
        Migrating = migrating;
    }

    public WebApplication App { get; }

    public string Database { get; }

    /// <summary>Zero when the seeded database was reused.</summary>
    public TimeSpan Seeding { get; }

    /// <summary>Applying migrations the cached database did not have yet (a new index on 100,000 assessments).</summary>
    public TimeSpan Migrating { get; }

    public CohortDashboardService Dashboards => App.Services.GetRequiredService<CohortDashboardService>();

    public static string DefaultFolder(int firms, int assessmentsPerFirm, int seed) =>
        Path.Combine(FindRoot(), "artifacts", "benchmarks", $"cohort-dashboard-{firms}x{assessmentsPerFirm}-seed{seed}");

    public static async Task<CohortDashboardSetup> OpenAsync(string folder, int firms, int assessmentsPerFirm, int seed, TextWriter log)
    {
        var database = Path.Combine(folder, "portal.db");
        var seeding = TimeSpan.Zero;
        var marker = Path.Combine(folder, "seeded.txt");
        if (!File.Exists(marker))
        {
            // A folder left by a run that stopped half-way is started again.
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }

            Directory.CreateDirectory(folder);
            log.WriteLine($"Seeding {firms:N0} firms x {assessmentsPerFirm} assessments (seed {seed}) into {database}; it is kept for later runs.");
            var watch = Stopwatch.StartNew();
            var exitCode = await PortalCommands.TryRunAsync(
                ["seed-synthetic", "--firms", $"{firms}", "--assessments-per-firm", $"{assessmentsPerFirm}", "--seed", $"{seed}",
                    $"--Portal:DataDirectory={folder}", "--environment=Development", "--Logging:LogLevel:Default=Warning"],
                log, log, TimeProvider.System);
            if (exitCode != 0)
            {
                throw new InvalidOperationException($"seed-synthetic failed with exit code {exitCode}.");
            }

            seeding = watch.Elapsed;
            await File.WriteAllTextAsync(marker, string.Create(CultureInfo.InvariantCulture, $"{firms} firms x {assessmentsPerFirm}, seed {seed}, seeded in {seeding.TotalSeconds:0.0} s\n"));
        }

        var app = Build(folder);
        var migrating = Stopwatch.StartNew();
        foreach (var startup in app.Services.GetServices<IHostedService>().Where(s => s is DatabaseStartup or RoleStartup))
        {
            await startup.StartAsync(CancellationToken.None);
        }

        migrating.Stop();
        return new CohortDashboardSetup(app, database, seeding, migrating.Elapsed);
    }

    /// <summary>The largest seeded cohort and the whole-agency one (made on first use, kept in the database).</summary>
    public async Task<IReadOnlyList<DashboardScenario>> ScenariosAsync()
    {
        var dbFactory = App.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>();
        await using var db = await dbFactory.CreateDbContextAsync();
        var national = await db.Programmes.Where(p => p.Name == "National Export Accelerator").Select(p => new { p.Id, p.OrganisationId }).FirstAsync();
        var staffId = await db.ProgrammeStaff.Where(s => s.ProgrammeId == national.Id).OrderBy(s => s.User.Email).Select(s => s.UserId).FirstAsync();
        var access = App.Services.GetRequiredService<ProgrammeAccess>();
        var programme = (await access.ForStaffAsync(staffId, national.Id))!;

        if (!await db.Cohorts.AnyAsync(c => c.ProgrammeId == national.Id && c.Name == WholeAgencyCohort))
        {
            // Made and filled through the portal's own services, as staff would with the cohort form.
            var programmes = App.Services.GetRequiredService<ProgrammeService>();
            var today = DateOnly.FromDateTime(DateTime.UtcNow);
            await programmes.CreateCohortAsync(programme, WholeAgencyCohort, today.AddMonths(-1).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), today.AddMonths(11).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), staffId);
            var cohortId = await db.Cohorts.Where(c => c.ProgrammeId == national.Id && c.Name == WholeAgencyCohort).Select(c => c.Id).SingleAsync();
            var sharing = await AdvisorAccess.SharingFirms(db, national.OrganisationId).Select(f => f.Id).ToListAsync();
            await programmes.EnrolAsync(programme, cohortId, sharing, staffId);
        }

        var scenarios = new List<DashboardScenario>();
        var cohorts = await db.Cohorts.Where(c => c.ProgrammeId == national.Id).Select(c => new { c.Id, c.Name }).ToListAsync();
        var sizes = new Dictionary<Guid, int>();
        foreach (var cohort in cohorts)
        {
            sizes[cohort.Id] = await ProgrammeAccess.VisibleEnrolments(db, cohort.Id).CountAsync();
        }

        var largest = cohorts.Where(c => c.Name != WholeAgencyCohort).MaxBy(c => sizes[c.Id])!;
        foreach (var (name, cohort) in new[] { ($"largest seeded cohort ({largest.Name})", largest), ("every firm sharing with the agency", cohorts.Single(c => c.Name == WholeAgencyCohort)) })
        {
            var scope = (await Dashboards.FindAsync(staffId, national.Id, cohort.Id))!;
            var visible = ProgrammeAccess.VisibleEnrolments(db, cohort.Id);
            var assessments = await db.Assessments.CountAsync(a => visible.Any(e => e.FirmId == a.FirmId));
            scenarios.Add(new DashboardScenario(name, sizes[cohort.Id], assessments, scope));
        }

        return scenarios;
    }

    public async ValueTask DisposeAsync()
    {
        await App.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
    }

    /// <summary>The portal's data, content and programme services over the folder, nothing else (no web server, no jobs).</summary>
    private static WebApplication Build(string folder)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Production", ContentRootPath = folder });
        builder.AddPortalCore();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Portal:DataDirectory"] = folder,
            ["Portal:PublicBaseUrl"] = "https://portal.example.org",
            ["Logging:LogLevel:Default"] = "Warning",
        });
        builder.AddPortalContent();
        builder.AddPortalData();
        builder.AddPortalAccounts();
        builder.AddPortalProgrammes();
        builder.Services.AddSingleton<AuditLog>();
        return builder.Build();
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Portal.sln")))
            {
                return dir.FullName;
            }
        }

        return Directory.GetCurrentDirectory();
    }
}
