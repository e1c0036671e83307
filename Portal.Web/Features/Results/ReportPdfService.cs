using System.Diagnostics;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;

namespace Portal.Web.Features.Results;

/// <summary>
/// Prints the results page to PDF with headless Chromium, from the same page the owner sees
/// (its print view), so the PDF and the page never drift apart. Chromium opens the print view
/// with a signed token valid for one assessment for two minutes. The print view is fetched
/// first and must answer 200: Chromium would print a "Page not found" or an error page as
/// happily as the report.
/// </summary>
public sealed class ReportPdfService(
    IOptions<PdfOptions> options, IDataProtectionProvider protection, IServer server, IHttpClientFactory http, ILogger<ReportPdfService> logger)
{
    /// <summary>The named HttpClient that checks the print view before Chromium prints it.</summary>
    public const string HttpClientName = "Portal.Results.PrintCheck";

    private static readonly TimeSpan TokenLifetime = TimeSpan.FromMinutes(2);
    private readonly ITimeLimitedDataProtector protector = protection.CreateProtector("Portal.Results.Print").ToTimeLimitedDataProtector();
    private readonly SemaphoreSlim concurrency = new(2); // two cores: more Chromiums only queue

    public bool IsAvailable => File.Exists(options.Value.ChromiumPath);

    public string CreatePrintToken(Guid assessmentId) => protector.Protect(assessmentId.ToString("N"), TokenLifetime);

    public bool IsValidPrintToken(Guid assessmentId, string? token)
    {
        if (string.IsNullOrEmpty(token))
        {
            return false;
        }

        try
        {
            return protector.Unprotect(token) == assessmentId.ToString("N");
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            return false; // forged, tampered or expired
        }
    }

    /// <summary>The PDF, or null when Chromium is not installed. Throws if the print view does not answer 200 or Chromium fails.</summary>
    public async Task<byte[]?> RenderAsync(Guid assessmentId, CancellationToken ct)
    {
        if (!IsAvailable)
        {
            return null;
        }

        var url = $"{BaseUrl()}/results/{assessmentId}/print?token={Uri.EscapeDataString(CreatePrintToken(assessmentId))}";
        await EnsurePrintViewAnswersAsync(url, ct);
        var work = Directory.CreateTempSubdirectory("portal-pdf-");
        var output = Path.Combine(work.FullName, "report.pdf");
        await concurrency.WaitAsync(ct);
        try
        {
            var start = new ProcessStartInfo(options.Value.ChromiumPath)
            {
                RedirectStandardError = true,
                RedirectStandardOutput = true,
                UseShellExecute = false,
            };
            foreach (var argument in new[]
            {
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                // Without these Chromium keeps dialling Google's servers, which a closed network refuses.
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-quic",
                $"--user-data-dir={Path.Combine(work.FullName, "profile")}",
                "--no-pdf-header-footer", "--virtual-time-budget=10000", $"--print-to-pdf={output}", url,
            })
            {
                start.ArgumentList.Add(argument);
            }

            using var process = Process.Start(start) ?? throw new InvalidOperationException("Chromium did not start.");
            var stderr = process.StandardError.ReadToEndAsync(ct);
            _ = process.StandardOutput.ReadToEndAsync(ct);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(options.Value.TimeoutSeconds));
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"Chromium did not print the report within {options.Value.TimeoutSeconds} s.");
            }

            if (process.ExitCode != 0 || !File.Exists(output))
            {
                // The URL carries a token: log the exit code, not the command line.
                logger.LogError("Chromium failed to print a report (exit code {ExitCode}): {Error}", process.ExitCode, Clip(await stderr));
                throw new InvalidOperationException("Chromium could not print the report.");
            }

            return await File.ReadAllBytesAsync(output, ct);
        }
        finally
        {
            concurrency.Release();
            try
            {
                work.Delete(recursive: true);
            }
            catch (IOException)
            {
                // Chromium may still hold its profile for a moment; the OS cleans temp folders.
            }
        }
    }

    private async Task EnsurePrintViewAnswersAsync(string url, CancellationToken ct)
    {
        using var client = http.CreateClient(HttpClientName);
        client.Timeout = TimeSpan.FromSeconds(options.Value.TimeoutSeconds);
        using var response = await client.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, ct);
        if (response.StatusCode != System.Net.HttpStatusCode.OK)
        {
            // The URL carries a token: log the status and the path, not the query.
            logger.LogError("The print view {Path} answered {Status}; no PDF is made from it", new Uri(url).AbsolutePath, (int)response.StatusCode);
            throw new InvalidOperationException($"The print view answered {(int)response.StatusCode}, not 200: no PDF was made.");
        }
    }

    private string BaseUrl()
    {
        if (!string.IsNullOrWhiteSpace(options.Value.InternalBaseUrl))
        {
            return options.Value.InternalBaseUrl.TrimEnd('/');
        }

        var addresses = server.Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        var address = addresses.FirstOrDefault(a => a.StartsWith("http://", StringComparison.OrdinalIgnoreCase)) ?? addresses.FirstOrDefault()
            ?? throw new InvalidOperationException("The portal's address is unknown: set Pdf:InternalBaseUrl.");
        var uri = new Uri(address.Replace("://+", "://127.0.0.1", StringComparison.Ordinal).Replace("://*", "://127.0.0.1", StringComparison.Ordinal)
            .Replace("://0.0.0.0", "://127.0.0.1", StringComparison.Ordinal).Replace("://[::]", "://127.0.0.1", StringComparison.Ordinal));
        return uri.GetLeftPart(UriPartial.Authority);
    }

    private static string Clip(string text) => text.Length <= 500 ? text : text[..500];
}
