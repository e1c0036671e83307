using System.Globalization;
using ClosedXML.Excel;
using CsvHelper;

namespace Portal.Web.Features.Programmes;

/// <summary>What a column holds, which decides how a spreadsheet shows it.</summary>
public enum ExportKind
{
    Text,

    /// <summary>A count of firms.</summary>
    Count,

    /// <summary>A firm's score, a whole number as the pages show it.</summary>
    Score,

    /// <summary>A figure over many firms, one decimal as the dashboard shows it.</summary>
    Figure,

    Date,
}

public sealed record ExportColumn(string Header, ExportKind Kind, double Width = 14);

/// <summary>
/// A table to export: the columns, the rows (cells are <see cref="string"/>, <see cref="double"/>,
/// <see cref="int"/>, <see cref="DateOnly"/> or null, already rounded), and what the table is,
/// for the workbook's second sheet.
/// </summary>
public sealed record ExportTable(string SheetName, IReadOnlyList<ExportColumn> Columns, IReadOnlyList<object?[]> Rows, IReadOnlyList<(string Label, string Value)> About);

/// <summary>Writes an export table as CSV or as an Excel workbook.</summary>
public static class CohortExportWriter
{
    public const string CsvContentType = "text/csv; charset=utf-8";
    public const string XlsxContentType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

    /// <summary>
    /// RFC 4180 (commas, CRLF, quotes where needed), UTF-8 with a byte-order mark so Excel reads
    /// accents, dates as ISO days and numbers with a point, whatever the server's culture. A
    /// spreadsheet runs a cell that starts with = + - @ (or a tab or CR) as a formula: such text
    /// (a firm named "=HYPERLINK(...)") gets a leading apostrophe, which spreadsheets read as
    /// "this is text". Numbers are not text to the writer, so a negative change stays a number.
    /// </summary>
    public static byte[] Csv(ExportTable table)
    {
        var options = CsvWriterOptions.Default with
        {
            Injection = CsvInjection.Escape,
            WriteByteOrderMark = true,
            FormatProvider = CultureInfo.InvariantCulture,
        };
        using var stream = new MemoryStream();
        using (var csv = CsvWriter.Create(stream, options, leaveOpen: true))
        {
            csv.WriteHeader(table.Columns.Select(c => c.Header).ToArray());
            foreach (var row in table.Rows)
            {
                foreach (var cell in row)
                {
                    switch (cell)
                    {
                        case null:
                            csv.WriteField((string?)null);
                            break;
                        case string text:
                            csv.WriteField(text);
                            break;
                        case double number:
                            csv.WriteField(number, default);
                            break;
                        case int count:
                            csv.WriteField(count, default);
                            break;
                        case DateOnly day:
                            csv.WriteField(day, "yyyy-MM-dd");
                            break;
                        default:
                            throw new InvalidOperationException($"A cell of type {cell.GetType().Name} cannot be exported.");
                    }
                }

                csv.EndRecord();
            }
        }

        return stream.ToArray();
    }

    private static bool LooksLikeFormula(string text) => text.Length > 0 && text[0] is '=' or '+' or '-' or '@' or '\t' or '\r';

    /// <summary>
    /// One sheet with the table (typed cells: numbers as numbers, days as dates, text never read
    /// as a formula), a frozen bold header with filters, and an "About" sheet saying what it is.
    /// </summary>
    public static byte[] Xlsx(ExportTable table)
    {
        using var workbook = new XLWorkbook();
        var sheet = workbook.AddWorksheet(table.SheetName);
        for (var c = 0; c < table.Columns.Count; c++)
        {
            var column = table.Columns[c];
            sheet.Cell(1, c + 1).SetValue(column.Header);
            // Widths are set, not measured: ClosedXML measures text with System.Drawing, which
            // needs GDI+ and so fails on Linux servers.
            sheet.Column(c + 1).Width = column.Width;
            sheet.Column(c + 1).Style.NumberFormat.Format = column.Kind switch
            {
                ExportKind.Score or ExportKind.Count => "0",
                ExportKind.Figure => "0.0",
                ExportKind.Date => "yyyy-mm-dd",
                _ => "@",
            };
        }

        var header = sheet.Row(1);
        header.Style.Font.Bold = true;
        header.Style.Alignment.WrapText = true;
        header.Style.NumberFormat.Format = "@";

        for (var r = 0; r < table.Rows.Count; r++)
        {
            var row = table.Rows[r];
            for (var c = 0; c < row.Length; c++)
            {
                var cell = sheet.Cell(r + 2, c + 1);
                switch (row[c])
                {
                    case null:
                        break;
                    case string text:
                        cell.SetValue(text);
                        cell.DataType = XLDataType.Text; // never a formula or a number, whatever the text
                        if (LooksLikeFormula(text))
                        {
                            cell.Style.IncludeQuotePrefix = true; // and still text after someone edits the cell
                        }

                        break;
                    case double number:
                        cell.SetValue(number);
                        break;
                    case int count:
                        cell.SetValue(count);
                        break;
                    case DateOnly day:
                        cell.SetValue(day.ToDateTime(TimeOnly.MinValue));
                        break;
                    default:
                        throw new InvalidOperationException($"A cell of type {row[c]!.GetType().Name} cannot be exported.");
                }
            }
        }

        sheet.SheetView.FreezeRows(1);
        if (table.Columns.Count > 0)
        {
            sheet.Range(1, 1, Math.Max(1, table.Rows.Count + 1), table.Columns.Count).SetAutoFilter();
        }

        var about = workbook.AddWorksheet("About");
        about.Column(1).Width = 24;
        about.Column(2).Width = 80;
        for (var i = 0; i < table.About.Count; i++)
        {
            about.Cell(i + 1, 1).SetValue(table.About[i].Label);
            about.Cell(i + 1, 1).Style.Font.Bold = true;
            about.Cell(i + 1, 2).SetValue(table.About[i].Value);
            about.Cell(i + 1, 2).DataType = XLDataType.Text;
            about.Cell(i + 1, 2).Style.Alignment.WrapText = true;
        }

        using var stream = new MemoryStream();
        workbook.SaveAs(stream);
        return stream.ToArray();
    }
}
