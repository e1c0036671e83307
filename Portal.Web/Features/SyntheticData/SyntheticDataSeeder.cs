using System.Diagnostics;
using System.Globalization;
using System.Threading.Channels;
using Microsoft.AspNetCore.Identity;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Portal.Domain.Content;
using Portal.Web.Data;
using Portal.Web.Data.Entities;
using Portal.Web.Features.Accounts;
using Portal.Web.Features.FollowUps;

namespace Portal.Web.Features.SyntheticData;

public sealed record SyntheticDataRequest(int Firms, int AssessmentsPerFirm, int Seed, string Password);

public sealed record TableCount(string Table, long Rows);

/// <summary>What one run added, and where the time went.</summary>
/// <param name="ThroughWriteAheadLog">The database was in use elsewhere, so the run went through the write-ahead log (slower).</param>
public sealed record SyntheticDataSummary(
    int Batch, IReadOnlyList<TableCount> Rows, TimeSpan Elapsed, TimeSpan WaitingForFirms, TimeSpan Writing, TimeSpan Checkpoint, long DatabaseBytes, bool ThroughWriteAheadLog);

/// <summary>
/// Fills the database with synthetic firms and the world around them (<see cref="SyntheticWorld"/>,
/// <see cref="SyntheticFirm"/>) for benchmarks and demos. Firms are made in parallel, each
/// from its own random source, and written by one connection in one transaction with a
/// prepared INSERT per table (<see cref="BulkTable{T}"/>): all of it or nothing is stored.
/// </summary>
public static class SyntheticDataSeeder
{
    /// <summary>How many runs (batches) have added synthetic data to this database.</summary>
    public static Task<int> BatchesAsync(PortalDbContext db, CancellationToken ct) =>
        db.Organisations.CountAsync(o => o.Name.StartsWith(SyntheticWorld.NationalAgency), ct);

    /// <summary>The address of a synthetic user of a batch, such as owner000001@synthetic.test.</summary>
    public static string Email(string local, int batch) => batch == 1 ? $"{local}@{SyntheticWorld.EmailDomain}" : $"{local}.b{batch}@{SyntheticWorld.EmailDomain}";

    public static async Task<SyntheticDataSummary> SeedAsync(IServiceProvider services, SyntheticDataRequest request, TextWriter progress, CancellationToken ct)
    {
        var started = Stopwatch.StartNew();
        var dbFactory = services.GetRequiredService<IDbContextFactory<PortalDbContext>>();
        var content = services.GetRequiredService<ContentCatalog>().Current;
        var clock = services.GetRequiredService<TimeProvider>();
        var maxAttempts = services.GetRequiredService<IConfiguration>().GetValue($"{FollowUpOptions.SectionName}:{nameof(FollowUpOptions.MaxAttempts)}", new FollowUpOptions().MaxAttempts);

        IModel model;
        string connectionString;
        int batch;
        Dictionary<string, string> roles;
        await using (var db = await dbFactory.CreateDbContextAsync(ct))
        {
            model = db.Model;
            connectionString = db.Database.GetConnectionString() ?? throw new InvalidOperationException("The database has no connection string.");
            batch = await BatchesAsync(db, ct) + 1;
            roles = await db.Roles.Where(r => r.Name != null).ToDictionaryAsync(r => r.Name!, r => r.Id, ct);
        }

        // One hash for every synthetic user: hashing is deliberately slow (PBKDF2), and per user it would take minutes.
        var hash = services.GetRequiredService<IPasswordHasher<PortalUser>>().HashPassword(new PortalUser(), request.Password);
        var anchor = clock.GetUtcNow().UtcDateTime.Date;
        var context = new SyntheticContext(content, anchor, batch, request.Seed, hash, services.GetRequiredService<ILookupNormalizer>(),
            roles[PortalRoles.Owner], roles[PortalRoles.Advisor], roles[PortalRoles.ProgrammeStaff]);
        var world = new SyntheticWorld(context, request.Firms, context.RandomFor(-1));

        // Firms are made on the other cores while this one writes; two chunks ahead at most, as
        // a firm's stored results take about 100 KB each.
        var chunk = Math.Max(8, 400 / request.AssessmentsPerFirm);
        var made = Channel.CreateBounded<SyntheticFirm[]>(2);
        var maker = Task.Run(async () =>
        {
            try
            {
                for (var first = 0; first < request.Firms; first += chunk)
                {
                    var firms = new SyntheticFirm[Math.Min(chunk, request.Firms - first)];
                    var from = first;
                    Parallel.For(0, firms.Length, new ParallelOptions { CancellationToken = ct }, i => firms[i] = SyntheticFirm.Make(context, world, from + i, request.AssessmentsPerFirm, maxAttempts));
                    await made.Writer.WriteAsync(firms, ct);
                }

                made.Writer.Complete();
            }
            catch (Exception e)
            {
                made.Writer.Complete(e);
            }
        }, ct);

        var waiting = TimeSpan.Zero;
        var writing = Stopwatch.StartNew();
        writing.Stop();
        var dataSource = new SqliteConnectionStringBuilder(connectionString).DataSource;
        SqliteConnection.ClearAllPools(); // this process's idle connections, which would keep the database in use
        await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder(connectionString) { Pooling = false }.ToString());
        await connection.OpenAsync(ct);
        Execute(connection, "PRAGMA foreign_keys = ON; PRAGMA cache_size = -262144;");

        // When nobody else has the database open, the run writes with SQLite's rollback journal
        // instead of the write-ahead log, which takes every page twice (into the log, then back)
        // and made 10,000 firms take 95 s instead of 44 s; the one transaction is all or nothing
        // either way. A portal running on the database keeps it in WAL mode: SQLite then refuses
        // the change at once (no busy wait here) and the run goes through the log.
        string journal;
        try
        {
            using var change = connection.CreateCommand();
            change.CommandText = "PRAGMA journal_mode=DELETE";
            change.CommandTimeout = 1; // Microsoft.Data.Sqlite retries a busy database for this long
            journal = change.ExecuteScalar() as string ?? "wal";
        }
        catch (SqliteException e) when (e.SqliteErrorCode == 5) // SQLITE_BUSY
        {
            journal = "wal";
        }

        Execute(connection, $"PRAGMA busy_timeout = {SqliteWriting.BusyTimeoutMilliseconds};");
        var tables = new Tables(model, connection);
        try
        {
            writing.Start();
            tables.Write(world);
            writing.Stop();
            var written = 0;
            var reported = 0;
            while (true)
            {
                // Throws what stopped the makers, if something did.
                var waited = Stopwatch.StartNew();
                if (!await made.Reader.WaitToReadAsync(ct) || !made.Reader.TryRead(out var firms))
                {
                    break;
                }

                waiting += waited.Elapsed;
                writing.Start();
                foreach (var firm in firms)
                {
                    tables.Write(firm);
                }

                writing.Stop();
                written += firms.Length;
                if (written * 10L / request.Firms > reported)
                {
                    reported = (int)(written * 10L / request.Firms);
                    progress.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {written:N0} of {request.Firms:N0} firms ({started.Elapsed.TotalSeconds:0.0} s)"));
                }
            }

            writing.Start();
            tables.Commit();
            writing.Stop();
        }
        finally
        {
            tables.Dispose();
            await maker.ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
        }

        // The write-ahead log holds the whole run; folding it into the database now spares the
        // portal's first requests. Written with the rollback journal, the database goes back to WAL.
        var checkpoint = Stopwatch.StartNew();
        Execute(connection, journal == "wal" ? "PRAGMA wal_checkpoint(TRUNCATE);" : "PRAGMA journal_mode=WAL;");
        checkpoint.Stop();

        // The planner's statistics, as the portal makes them at start-up, for tables this run made many times larger.
        Execute(connection, "PRAGMA optimize=0x10002;");
        var bytes = new[] { "", "-wal" }.Select(s => new FileInfo(dataSource + s)).Where(f => f.Exists).Sum(f => f.Length);
        return new SyntheticDataSummary(batch, tables.Counts(), started.Elapsed, waiting, writing.Elapsed, checkpoint.Elapsed, bytes, journal == "wal");
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    /// <summary>A prepared insert per table, in one transaction, parents before children.</summary>
    private sealed class Tables : IDisposable
    {
        private readonly SqliteTransaction transaction;
        private readonly BulkTable<PortalUser> users;
        private readonly BulkTable<IdentityUserRole<string>> userRoles;
        private readonly BulkTable<Organisation> organisations;
        private readonly BulkTable<OrganisationMember> members;
        private readonly BulkTable<Programme> programmes;
        private readonly BulkTable<ProgrammeStaffMember> staff;
        private readonly BulkTable<Cohort> cohorts;
        private readonly BulkTable<Firm> firms;
        private readonly BulkTable<FirmMember> firmMembers;
        private readonly BulkTable<EmailOptOut> optOuts;
        private readonly BulkTable<FirmProfileAnswer> profile;
        private readonly BulkTable<Assessment> assessments;
        private readonly BulkTable<AssessmentAnswer> answers;
        private readonly BulkTable<AssessmentFactorScore> factorScores;
        private readonly BulkTable<AssessmentFlag> flags;
        private readonly BulkTable<AssessmentPlanItem> planItems;
        private readonly BulkTable<FirmShare> shares;
        private readonly BulkTable<CaseFile> cases;
        private readonly BulkTable<CaseStatusChange> statusChanges;
        private readonly BulkTable<CaseNote> notes;
        private readonly BulkTable<Enrolment> enrolments;
        private readonly BulkTable<FollowUp> followUps;
        private readonly IReadOnlyList<(string Table, Func<long> Rows)> counts;

        public Tables(IModel model, SqliteConnection connection)
        {
            transaction = connection.BeginTransaction();
            users = new(model, connection, transaction);
            userRoles = new(model, connection, transaction);
            organisations = new(model, connection, transaction);
            members = new(model, connection, transaction);
            programmes = new(model, connection, transaction);
            staff = new(model, connection, transaction);
            cohorts = new(model, connection, transaction);
            firms = new(model, connection, transaction);
            firmMembers = new(model, connection, transaction);
            optOuts = new(model, connection, transaction);
            profile = new(model, connection, transaction);
            assessments = new(model, connection, transaction);
            answers = new(model, connection, transaction);
            factorScores = new(model, connection, transaction);
            flags = new(model, connection, transaction);
            planItems = new(model, connection, transaction);
            shares = new(model, connection, transaction);
            cases = new(model, connection, transaction);
            statusChanges = new(model, connection, transaction);
            notes = new(model, connection, transaction);
            enrolments = new(model, connection, transaction);
            followUps = new(model, connection, transaction);
            counts =
            [
                (users.Table, () => users.Rows), (userRoles.Table, () => userRoles.Rows), (organisations.Table, () => organisations.Rows),
                (members.Table, () => members.Rows), (programmes.Table, () => programmes.Rows), (staff.Table, () => staff.Rows),
                (cohorts.Table, () => cohorts.Rows), (firms.Table, () => firms.Rows), (firmMembers.Table, () => firmMembers.Rows),
                (optOuts.Table, () => optOuts.Rows), (profile.Table, () => profile.Rows), (assessments.Table, () => assessments.Rows),
                (answers.Table, () => answers.Rows), (factorScores.Table, () => factorScores.Rows), (flags.Table, () => flags.Rows),
                (planItems.Table, () => planItems.Rows), (shares.Table, () => shares.Rows), (cases.Table, () => cases.Rows),
                (statusChanges.Table, () => statusChanges.Rows), (notes.Table, () => notes.Rows), (enrolments.Table, () => enrolments.Rows),
                (followUps.Table, () => followUps.Rows),
            ];
        }

        public void Write(SyntheticWorld world)
        {
            users.InsertAll(world.Users);
            userRoles.InsertAll(world.UserRoles);
            organisations.InsertAll(world.Organisations);
            members.InsertAll(world.Members);
            programmes.InsertAll(world.Programmes);
            staff.InsertAll(world.Staff);
            cohorts.InsertAll(world.Cohorts);
            enrolments.InsertAll(world.OpenInvitations);
        }

        public void Write(SyntheticFirm firm)
        {
            users.Insert(firm.Owner);
            userRoles.Insert(firm.OwnerRole);
            firms.Insert(firm.Firm);
            firmMembers.Insert(firm.Member);
            optOuts.InsertAll(firm.OptOuts);
            profile.InsertAll(firm.Profile);
            assessments.InsertAll(firm.Assessments);
            answers.InsertAll(firm.Answers);
            factorScores.InsertAll(firm.FactorScores);
            flags.InsertAll(firm.Flags);
            planItems.InsertAll(firm.PlanItems);
            shares.InsertAll(firm.Shares);
            cases.InsertAll(firm.Cases);
            statusChanges.InsertAll(firm.StatusChanges);
            notes.InsertAll(firm.Notes);
            enrolments.InsertAll(firm.Enrolments);
            followUps.InsertAll(firm.FollowUps);
        }

        public void Commit() => transaction.Commit();

        public IReadOnlyList<TableCount> Counts() => counts.Select(c => new TableCount(c.Table, c.Rows())).ToList();

        public void Dispose()
        {
            foreach (var table in new IDisposable[]
            {
                users, userRoles, organisations, members, programmes, staff, cohorts, firms, firmMembers, optOuts, profile, assessments,
                answers, factorScores, flags, planItems, shares, cases, statusChanges, notes, enrolments, followUps,
            })
            {
                table.Dispose();
            }

            transaction.Dispose(); // rolls back unless committed
        }
    }
}
