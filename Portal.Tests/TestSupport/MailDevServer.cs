using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json.Serialization;

namespace Portal.Tests.TestSupport;

/// <summary>
/// A real SMTP server for the test run: maildev 2.2.1 (installed into tools/maildev by
/// ./test.sh), bound to 127.0.0.1 on free ports, stopped when the run ends. Tests tell
/// their emails apart by recipient address, so one server serves tests in parallel.
/// </summary>
public sealed class MailDevServer : IAsyncLifetime
{
    private Process? process;
    private DirectoryInfo? mailDirectory;
    private readonly HttpClient http = new();

    public int SmtpPort { get; private set; }

    public int WebPort { get; private set; }

    public async ValueTask InitializeAsync()
    {
        await StartAsync();
    }

    public async Task StartAsync()
    {
        var script = Path.Combine(RepoPaths.Root, "tools", "maildev", "node_modules", "maildev", "bin", "maildev");
        if (!File.Exists(script))
        {
            throw new InvalidOperationException(
                $"maildev is not installed ({script} is missing). Run ./test.sh once, or: npm ci --prefix tools/maildev");
        }

        if (SmtpPort == 0)
        {
            SmtpPort = FreePort.Next();
            WebPort = FreePort.Next();
        }

        // Left to itself maildev keeps its mail in /tmp/maildev-<pid>, which nothing removes. A
        // fresh folder per start also keeps a restarted server empty, as a new process would be.
        mailDirectory = Directory.CreateTempSubdirectory("portal-maildev-");
        var start = new ProcessStartInfo("node")
        {
            ArgumentList =
            {
                script, "--smtp", $"{SmtpPort}", "--web", $"{WebPort}", "--ip", "127.0.0.1", "--web-ip", "127.0.0.1",
                "--mail-directory", mailDirectory.FullName, "--silent",
            },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        process = Process.Start(start) ?? throw new InvalidOperationException("Could not start maildev.");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        http.BaseAddress ??= new Uri($"http://127.0.0.1:{WebPort}/"); // the same ports after a restart

        await Eventually.WaitForAsync(async () =>
        {
            try
            {
                return (await http.GetAsync("email")).IsSuccessStatusCode ? "ready" : null;
            }
            catch (HttpRequestException)
            {
                return null;
            }
        }, TimeSpan.FromSeconds(30), "maildev to listen");
    }

    /// <summary>Stops the SMTP server (to test a mail server that is down); StartAsync brings it back on the same ports.</summary>
    public async Task StopAsync()
    {
        if (process is { HasExited: false })
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        process?.Dispose();
        process = null;
        mailDirectory?.Delete(recursive: true);
        mailDirectory = null;
    }

    public async Task<IReadOnlyList<MailDevEmail>> EmailsToAsync(string address)
    {
        var all = await http.GetFromJsonAsync<List<MailDevEmail>>("email") ?? [];
        return all.Where(e => e.To.Any(t => string.Equals(t.Address, address, StringComparison.OrdinalIgnoreCase))).ToList();
    }

    public Task<MailDevEmail> WaitForEmailAsync(string to, string? subjectContains = null, TimeSpan? timeout = null) =>
        Eventually.WaitForAsync(async () =>
            (await EmailsToAsync(to)).FirstOrDefault(e => subjectContains is null || e.Subject.Contains(subjectContains, StringComparison.Ordinal)),
            timeout ?? TimeSpan.FromSeconds(15), $"an email to {to}");

    public async Task<string> RawAsync(MailDevEmail email) => await http.GetStringAsync($"email/{email.Id}/download");

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        http.Dispose();
    }
}

public sealed class MailDevEmail
{
    [JsonPropertyName("id")] public string Id { get; set; } = "";

    [JsonPropertyName("subject")] public string Subject { get; set; } = "";

    [JsonPropertyName("html")] public string? Html { get; set; }

    [JsonPropertyName("text")] public string? Text { get; set; }

    [JsonPropertyName("to")] public List<MailDevAddress> To { get; set; } = [];

    [JsonPropertyName("from")] public List<MailDevAddress> From { get; set; } = [];

    [JsonPropertyName("headers")] public Dictionary<string, System.Text.Json.JsonElement> Headers { get; set; } = [];
}

public sealed class MailDevAddress
{
    [JsonPropertyName("address")] public string Address { get; set; } = "";

    [JsonPropertyName("name")] public string? Name { get; set; }
}
