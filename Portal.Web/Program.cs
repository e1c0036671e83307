using Portal.Web;
using Portal.Web.Commands;
using Portal.Web.Configuration;
using Portal.Web.Data;
using Portal.Web.Email;
using Portal.Web.Features.Accounts;
using Portal.Web.Features.Admin;
using Portal.Web.Features.Advisors;
using Portal.Web.Features.Assessments;
using Portal.Web.Features.Benchmarks;
using Portal.Web.Features.Content;
using Portal.Web.Features.DataRights;
using Portal.Web.Features.DemoData;
using Portal.Web.Features.FollowUps;
using Portal.Web.Features.Health;
using Portal.Web.Features.Programmes;
using Portal.Web.Features.Results;
using Portal.Web.Features.ScoringApi;
using Portal.Web.Features.Security;
using Portal.Web.Jobs;

// validate-content, score, backup, seed-synthetic: command-line verbs that run instead of the portal.
if (await PortalCommands.TryRunAsync(args, Console.Out, Console.Error, TimeProvider.System) is { } exitCode)
{
    return exitCode;
}

var builder = WebApplication.CreateBuilder(args);

// Start-up work runs as hosted services in the order registered here:
// migrate the database, create roles, seed Development demo data, then start the job server.
builder.AddPortalCore();
builder.AddPortalContent();
builder.AddPortalData();
builder.AddPortalAccounts();
builder.AddPortalSecurity();
builder.AddPortalDemoData();
builder.AddPortalEmail();
builder.AddPortalJobs();
builder.AddPortalFollowUps();
builder.AddPortalAssessments();
builder.AddPortalResults();
builder.AddPortalAdvisors();
builder.AddPortalProgrammes();
builder.AddPortalAdmin();
builder.AddPortalDataRights();
builder.AddPortalScoringApi();
builder.AddPortalBenchmarks();
builder.AddPortalUi();

var app = builder.Build();
if (!app.HasValidSettings() || !app.HasValidContent())
{
    return 1;
}

app.UsePortalPipeline();
app.MapPortalHealth();
app.MapPortalJobsDashboard();
app.MapPortalScoringApi();
app.MapPortalAnswersApi();
app.MapPortalResults();
app.MapPortalFollowUps();
app.MapPortalCohortExports();
app.MapPortalDataRights();
app.MapPortalFloorEndpoints();
app.MapPortalUi();

await app.RunAsync();
return 0;
