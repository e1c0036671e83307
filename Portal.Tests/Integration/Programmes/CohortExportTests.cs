using System.Globalization;
using System.Net;
using System.Text;
using AngleSharp.Html.Dom;
using ClosedXML.Excel;
using CsvHelper;
using Microsoft.EntityFrameworkCore;
using Portal.Tests.TestSupport;
using Portal.Web.Features.Programmes;

namespace Portal.Tests.Integration.Programmes;

/// <summary>
/// The cohort's exports read back as a spreadsheet user's program would (CsvHelper, ClosedXML):
/// the same firms and numbers as the stored results and the dashboard, headers a person
/// understands, text that cannot run as a formula, and only for the programme's staff.
/// </summary>
[Collection(CohortCollection.Name)]
public sealed class CohortExportTests(CohortFixture fixture)
{
    private static readonly string[] Exports = ["firms.csv", "firms.xlsx", "factors.csv", "factors.xlsx"];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private CohortScenario Scenario => fixture.Scenario;

    private static IReadOnlyList<string> FactorNames => TestContent.Real.Model.Factors.Select(f => f.Name).ToList();

    [Fact]
    public async Task FirmsCsv_HasAFirmPerRow_WithTheStoredScoresRoundedAsShown_AndOpensCleanly()
    {
        var response = await DownloadAsync(fixture.SpringUrl, "firms.csv");
        var bytes = await response.Content.ReadAsByteArrayAsync(Ct);

        Assert.Equal("text/csv", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal($"spring-2026-firms-{Scenario.Now:yyyy-MM-dd}.csv", FileName(response));
        Assert.Equal("no-store", response.Headers.CacheControl!.ToString());
        Assert.Equal(new byte[] { 0xEF, 0xBB, 0xBF }, bytes[..3]); // Excel reads accents only after a BOM
        var text = Encoding.UTF8.GetString(bytes, 3, bytes.Length - 3);
        Assert.Contains("\r\n", text, StringComparison.Ordinal);
        // RFC 4180: the comma and quotes in a name are quoted and doubled; a formula gets an apostrophe.
        Assert.Contains("\"Smith, \"\"Jones\"\" & Co\"", text, StringComparison.Ordinal);
        Assert.Contains("\"'=HYPERLINK(\"\"https://example.org\"\",\"\"Open\"\")\"", text, StringComparison.Ordinal);

        var (headers, rows) = ReadCsv(bytes);
        Assert.Equal(FirmHeaders, headers);
        var expected = await ExpectedFirmsAsync();
        Assert.Equal(expected.Select(e => e.CsvName), rows.Select(r => r[0]));
        foreach (var (row, firm) in rows.Zip(expected))
        {
            Assert.Equal(firm.Cells, row[1..].Select(c => c.Length == 0 ? null : c).ToArray());
        }

        Assert.Contains(rows, r => r[0] == CohortFixture.AccentName);
        Assert.Contains(rows, r => r[0] == "'+Plus Tools");
        Assert.Contains(rows, r => r[0] == "'@Home Exports");
        Assert.Contains(rows, r => r[^1].StartsWith('-')); // a negative change stays a number, without an apostrophe
    }

    [Fact]
    public async Task FirmsXlsx_HoldsTheSameFirmsAndNumbers_AsTypedCells_AndNoFormula()
    {
        var response = await DownloadAsync(fixture.SpringUrl, "firms.xlsx");
        Assert.Equal(CohortExportWriter.XlsxContentType, response.Content.Headers.ContentType!.MediaType);
        Assert.Equal($"spring-2026-firms-{Scenario.Now:yyyy-MM-dd}.xlsx", FileName(response));

        using var workbook = new XLWorkbook(new MemoryStream(await response.Content.ReadAsByteArrayAsync(Ct)));
        var sheet = workbook.Worksheet("Firms");
        Assert.Equal(FirmHeaders, sheet.Row(1).CellsUsed().Select(c => c.GetString()));
        var expected = await ExpectedFirmsAsync();
        Assert.Equal(expected.Count + 1, sheet.LastRowUsed().RowNumber());
        for (var i = 0; i < expected.Count; i++)
        {
            var row = sheet.Row(i + 2);
            var name = row.Cell(1);
            Assert.Equal(expected[i].Name, name.GetString());
            Assert.Equal(XLDataType.Text, name.DataType);
            Assert.False(name.HasFormula);
            for (var c = 0; c < expected[i].Cells.Length; c++)
            {
                var cell = row.Cell(c + 2);
                var want = expected[i].Cells[c];
                if (want is null)
                {
                    Assert.True(cell.IsEmpty(), $"{expected[i].Name}, {FirmHeaders[c + 1]}: {cell.GetString()}");
                }
                else if (FirmHeaders[c + 1].EndsWith(" on", StringComparison.Ordinal))
                {
                    Assert.Equal(XLDataType.DateTime, cell.DataType);
                    Assert.Equal(want, cell.GetDateTime().ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
                }
                else if (double.TryParse(want, NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
                {
                    Assert.Equal(XLDataType.Number, cell.DataType);
                    Assert.Equal(number, cell.GetDouble());
                }
                else
                {
                    Assert.Equal(want, cell.GetString());
                }
            }
        }

        var formula = sheet.Column(1).CellsUsed().Single(c => c.GetString() == CohortFixture.FormulaName);
        Assert.False(formula.HasFormula);
        Assert.True(formula.Style.IncludeQuotePrefix); // stays text even when someone edits the cell
        Assert.Equal("Spring 2026", workbook.Worksheet("About").Cell(3, 2).GetString());
    }

    [Fact]
    public async Task FactorExports_ParseBack_ToTheDashboardsFigures_InCsvAndXlsx()
    {
        var staff = await StaffAsync();
        var page = await staff.GetDocumentAsync($"{fixture.SpringUrl}/dashboard");
        var csv = await DownloadAsync(fixture.SpringUrl, "factors.csv");
        Assert.Equal($"spring-2026-factors-{Scenario.Now:yyyy-MM-dd}.csv", FileName(csv));
        var (headers, rows) = ReadCsv(await csv.Content.ReadAsByteArrayAsync(Ct));
        using var workbook = new XLWorkbook(new MemoryStream(await (await DownloadAsync(fixture.SpringUrl, "factors.xlsx")).Content.ReadAsByteArrayAsync(Ct)));
        var sheet = workbook.Worksheet("Factors");

        Assert.Equal(FactorHeaders, headers);
        Assert.Equal(FactorHeaders, sheet.Row(1).CellsUsed().Select(c => c.GetString()));
        Assert.Equal(FactorNames.Prepend(CohortDashboardService.OverallName), rows.Select(r => r[0]));
        string[] stats = ["firms", "mean", "lowest", "lower-quartile", "median", "upper-quartile", "highest", "compared", "change"];
        var expected = await CohortExpectations.ComputeAsync(Scenario, fixture.Spring, fixture.SpringVisible);
        for (var i = 0; i < rows.Count; i++)
        {
            var id = page.QuerySelectorAll("[data-testid=factor-table] tbody tr")[i].GetAttribute("data-factor")!;
            for (var s = 0; s < stats.Length; s++)
            {
                var shown = double.Parse(Cell(page, id, stats[s]), NumberStyles.Float, CultureInfo.InvariantCulture);
                Assert.Equal(shown, double.Parse(rows[i][s + 1], CultureInfo.InvariantCulture));
                Assert.Equal(shown, sheet.Cell(i + 2, s + 2).GetDouble());
            }

            Assert.Equal(CohortExpectations.Rounded(expected.Factors[id].Median), sheet.Cell(i + 2, 6).GetDouble());
            Assert.Equal("", rows[i][^1]); // no note: nothing suppressed
        }
    }

    [Fact]
    public async Task FactorExports_SuppressedFigures_AreLeftOut_AndTheRowSaysWhy()
    {
        var (_, summer) = ReadCsv(await (await DownloadAsync(fixture.SummerUrl, "factors.csv")).Content.ReadAsByteArrayAsync(Ct));
        Assert.All(summer, row =>
        {
            Assert.Equal("5", row[1]);
            Assert.NotEqual("", row[2]); // the spread over five firms is shown
            Assert.Equal("2", row[8]);
            Assert.Equal("", row[9]);
            Assert.Equal("Change not shown: fewer than 4 firms reassessed, so one firm could be recognised.", row[10]);
        });

        using var workbook = new XLWorkbook(new MemoryStream(await (await DownloadAsync(fixture.AutumnUrl, "factors.xlsx")).Content.ReadAsByteArrayAsync(Ct)));
        var sheet = workbook.Worksheet("Factors");
        for (var r = 2; r <= FactorNames.Count + 2; r++)
        {
            Assert.Equal(3, sheet.Cell(r, 2).GetDouble());
            Assert.All(Enumerable.Range(3, 6).Append(10), c => Assert.True(sheet.Cell(r, c).IsEmpty()));
            Assert.Equal(
                "Scores not shown: fewer than 4 firms scored, so one firm could be recognised. Change not shown: fewer than 4 firms reassessed, so one firm could be recognised.",
                sheet.Cell(r, 11).GetString());
        }
    }

    [Fact]
    public async Task ExportingTheFirms_IsRecordedForEachFirm_InTheAuditLog()
    {
        Task<List<Guid?>> ExportedAsync() => Scenario.DbAsync(db => db.AuditEntries
            .Where(e => e.ActorId == fixture.Staff.Id && e.Action == CohortExportService.ExportedFirms).Select(e => e.FirmId).ToListAsync(Ct));
        var before = await ExportedAsync();

        await DownloadAsync(fixture.SpringUrl, "firms.xlsx");
        await DownloadAsync(fixture.SpringUrl, "factors.csv"); // no firm's own figures: not recorded

        var added = (await ExportedAsync()).Skip(before.Count).ToList();
        Assert.Equal(fixture.SpringVisible.Select(f => (Guid?)f.FirmId).Order(), added.Order());
        var detail = await Scenario.DbAsync(db => db.AuditEntries.Where(e => e.ActorId == fixture.Staff.Id).OrderByDescending(e => e.Id).Select(e => e.Detail).FirstAsync(Ct));
        Assert.Equal("Spring 2026 (Export Ready), Excel", detail);
    }

    [Fact]
    public async Task EveryExport_Is404ForStaffOfAnotherProgramme_403ForOwnersAndAdvisors()
    {
        var other = await Scenario.App.SignedInClientAsync(fixture.OtherStaff.Email!, CohortScenario.Password);
        var staff = await StaffAsync();
        var owner = await Scenario.App.SignedInClientAsync(fixture.Owner.OwnerEmail, CohortScenario.Password);
        var advisor = await Scenario.App.SignedInClientAsync(fixture.Advisor.Email!, FirmFileSetup.Password);
        var anonymous = Scenario.App.CreateBrowserlikeClient();
        var auditBefore = await Scenario.DbAsync(db => db.AuditEntries.CountAsync(Ct));
        foreach (var file in Exports)
        {
            var url = $"{fixture.SpringUrl}/export/{file}";
            var refused = await other.GetAsync(url, Ct);
            Assert.True(refused.StatusCode == HttpStatusCode.NotFound, $"{file}: {(int)refused.StatusCode}");
            Assert.DoesNotContain("Lew Alpha", await refused.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
            Assert.Equal(HttpStatusCode.NotFound, (await staff.GetAsync($"/programmes/{fixture.OtherProgramme}/cohorts/{fixture.Spring}/export/{file}", Ct)).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await staff.GetAsync($"/programmes/{fixture.Programme}/cohorts/{Guid.NewGuid()}/export/{file}", Ct)).StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, (await owner.GetAsync(url, Ct)).StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, (await advisor.GetAsync(url, Ct)).StatusCode);
            var signIn = await anonymous.GetAsync(url, Ct);
            Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
            Assert.Contains("/Account/Login", signIn.Headers.Location!.ToString(), StringComparison.Ordinal);
        }

        Assert.Equal(auditBefore, await Scenario.DbAsync(db => db.AuditEntries.CountAsync(Ct)));
    }

    private static string[] FirmHeaders =>
    [
        "Firm", "Status", "Invited on", "Enrolled on", "Baseline submitted on", "Latest submitted on", "Stage", "Stage in detail", "Readiness band",
        "Overall score (0-100)", .. FactorNames.Select(n => $"{n} score"), "Baseline overall score", "Change in overall score since baseline",
    ];

    private static readonly string[] FactorHeaders =
    [
        "Factor", "Firms scored", "Mean", "Lowest", "Lower quartile", "Median", "Upper quartile", "Highest", "Firms reassessed", "Average change since baseline", "Note",
    ];

    /// <summary>Each firm's row as the test expects it, from the stored rows: every cell after the name as CSV text (null when empty).</summary>
    private async Task<List<(string Name, string CsvName, string?[] Cells)>> ExpectedFirmsAsync()
    {
        var model = TestContent.Real.Model;
        var rows = new List<(string, string, string?[])>();
        foreach (var firm in fixture.SpringVisible.OrderBy(f => f.Name.ToLowerInvariant(), StringComparer.Ordinal).ThenBy(f => f.Name, StringComparer.Ordinal))
        {
            var enrolment = await Scenario.DbAsync(db => db.Enrolments.AsNoTracking().SingleAsync(e => e.CohortId == fixture.Spring && e.FirmId == firm.FirmId, Ct));
            var latest = await Scenario.DbAsync(db => db.Assessments.AsNoTracking().Include(a => a.FactorScores).SingleOrDefaultAsync(a => a.FirmId == firm.FirmId && a.IsLatest, Ct));
            var baseline = enrolment.BaselineAssessmentId is { } b ? await Scenario.DbAsync(db => db.Assessments.AsNoTracking().SingleAsync(a => a.Id == b, Ct)) : null;
            Assert.Equal(firm.LatestId == Guid.Empty ? null : firm.LatestId, latest?.Id);
            static string? Day(DateTime? at) => at?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
            static string? Whole(double? score) => score is { } s ? Math.Round(s, MidpointRounding.AwayFromZero).ToString(CultureInfo.InvariantCulture) : null;
            var cells = new List<string?>
            {
                latest is null ? "Enrolled, no assessment yet" : firm.Reassessed ? "Follow-up submitted" : "Baseline submitted",
                Day(enrolment.InvitedAt),
                Day(enrolment.EnrolledAt),
                Day(baseline?.SubmittedAt),
                Day(latest?.SubmittedAt),
                latest is null ? null : model.StageGroups.Single(g => g.Id == latest.StageGroupId).Name,
                latest is null ? null : model.Stages.Single(s => s.Id == latest.StageId).Name,
                latest is null ? null : model.Bands.Single(x => x.Id == latest.BandId).Name,
                Whole(latest?.OverallScore),
            };
            cells.AddRange(model.Factors.Select(f => Whole(latest?.FactorScores.SingleOrDefault(s => s.FactorId == f.Id)?.Score)));
            cells.Add(Whole(baseline?.OverallScore));
            cells.Add(firm.Reassessed
                ? (Math.Round(latest!.OverallScore!.Value, MidpointRounding.AwayFromZero) - Math.Round(baseline!.OverallScore!.Value, MidpointRounding.AwayFromZero)).ToString(CultureInfo.InvariantCulture)
                : null);
            var csvName = firm.Name[0] is '=' or '+' or '-' or '@' ? "'" + firm.Name : firm.Name;
            rows.Add((firm.Name, csvName, cells.ToArray()));
        }

        return rows;
    }

    private static (List<string> Headers, List<string[]> Rows) ReadCsv(byte[] bytes)
    {
        using var reader = CsvReader.Create(bytes, CsvReaderOptions.Default with { Separator = ',' });
        var rows = new List<string[]>();
        while (reader.Read())
        {
            rows.Add(reader.Current.ToArray().Select(v => v ?? "").ToArray());
        }

        return (reader.Headers.ToList(), rows);
    }

    private static string FileName(HttpResponseMessage response) =>
        response.Content.Headers.ContentDisposition!.FileNameStar ?? response.Content.Headers.ContentDisposition.FileName!.Trim('"');

    private static string Cell(IHtmlDocument page, string factor, string stat) =>
        page.QuerySelector($"[data-testid=factor-table] tr[data-factor='{factor}'] [data-stat='{stat}']")!.TextContent.Trim().TrimStart('+');

    private async Task<HttpResponseMessage> DownloadAsync(string cohortUrl, string file)
    {
        var response = await (await StaffAsync()).GetAsync($"{cohortUrl}/export/{file}", Ct);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{file}: {(int)response.StatusCode}");
        return response;
    }

    private Task<HttpClient> StaffAsync() => Scenario.App.SignedInClientAsync(fixture.Staff.Email!, CohortScenario.Password);
}
