using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using Portal.Tests.TestSupport;

namespace Portal.Tests.Integration.Security;

/// <summary>
/// No secret is committed: the files git tracks carry no private key, no service token of a
/// known shape, no password in a connection string, and no non-empty password, key or token in
/// a settings file. The demo passwords live in appsettings.Development.json only (the README
/// documents them and a test signs in with one), and that file is never published.
/// </summary>
public sealed partial class SecretsInRepositoryTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Secrets of a recognisable shape, wherever they appear.</summary>
    private static readonly (string Kind, Regex Pattern)[] Shapes =
    [
        ("a private key", new Regex(@"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----")),
        ("an AWS access key", new Regex(@"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b")),
        ("a GitHub token", new Regex(@"\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{40,})")),
        ("a Slack token", new Regex(@"\bxox[abposr]-[0-9A-Za-z-]{10,}")),
        ("a Google API key", new Regex(@"\bAIza[0-9A-Za-z_-]{35}\b")),
        ("a Stripe live key", new Regex(@"\b[sr]k_live_[0-9A-Za-z]{20,}")),
        ("a SendGrid key", new Regex(@"\bSG\.[A-Za-z0-9_-]{20,}\.[A-Za-z0-9_-]{20,}")),
        ("an npm token", new Regex(@"\bnpm_[A-Za-z0-9]{36}\b")),
        ("a JSON web token", new Regex(@"\beyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}")),
        ("an Azure key or signature", new Regex(@"(?i)AccountKey=[A-Za-z0-9+/=]{20,}|SharedAccessKey=[A-Za-z0-9+/=]{20,}|[?&]sig=[A-Za-z0-9%]{30,}")),
        ("a password in a connection string", new Regex(@"(?i)(?:^|[;""'\s])(?:password|pwd)=(?![""';\s{$<])[^;""'\s<>]+")),
        ("a data-protection key", new Regex(@"<master[K]ey\b|<encrypted[S]ecret\b")),
    ];

    /// <summary>Files that hold keys or secrets by what they are.</summary>
    [GeneratedRegex(@"(?i)(\.(pfx|p12|pem|key|snk|jks|keystore|publishsettings)|(^|/)(secrets\.json|\.env(\..+)?|id_rsa|id_ed25519|\.npmrc|\.netrc))$")]
    private static partial Regex SecretFile();

    /// <summary>A setting whose value would be a secret.</summary>
    [GeneratedRegex(@"(?i)(password|passwd|secret|apikey|api_key|token|privatekey|accesskey|clientsecret|connectionstring|^key$)")]
    private static partial Regex SecretSetting();

    [Fact]
    public async Task TrackedFiles_HoldNoSecrets()
    {
        var files = await TrackedFilesAsync();
        Assert.True(files.Count > 300, $"git ls-files listed {files.Count} files");
        var findings = new List<string>();
        foreach (var file in files)
        {
            if (SecretFile().IsMatch(file))
            {
                findings.Add($"{file}: a file of a kind that holds keys or secrets");
            }

            var text = await ReadTextAsync(file);
            if (text is null)
            {
                continue; // binary (the favicon)
            }

            foreach (var (kind, pattern) in Shapes)
            {
                findings.AddRange(pattern.Matches(text).Select(m => $"{file}:{Line(text, m.Index)}: {kind}"));
            }
        }

        Assert.True(findings.Count == 0, string.Join('\n', findings));
    }

    [Fact]
    public async Task SettingsFiles_HaveNoPasswordsKeysOrTokens_ButTheDevelopmentDemoUsers()
    {
        var settings = (await TrackedFilesAsync()).Where(f => Regex.IsMatch(Path.GetFileName(f), @"^appsettings(\..+)?\.json$", RegexOptions.IgnoreCase)).ToList();
        Assert.Contains("appsettings.json", settings);
        Assert.Contains("appsettings.Development.json", settings);

        var findings = new List<string>();
        var demoPasswords = new List<string>();
        foreach (var file in settings)
        {
            using var json = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(RepoPaths.Root, file), Ct));
            foreach (var (path, value) in Strings(json.RootElement, ""))
            {
                var name = path[(path.LastIndexOf(':') + 1)..];
                var isDemoPassword = file == "appsettings.Development.json" && Regex.IsMatch(path, @"^DemoData:Users:\d+:Password$");
                if (isDemoPassword)
                {
                    demoPasswords.Add(value);
                }
                else if (SecretSetting().IsMatch(name) && value.Length > 0)
                {
                    findings.Add($"{file}: {path} is set; secrets come from the environment (e.g. Email__Smtp__Password), not a committed file");
                }
            }
        }

        Assert.True(findings.Count == 0, string.Join('\n', findings));
        Assert.Equal(4, demoPasswords.Count);

        // The demo passwords appear in no other settings file and in none of the portal's own code or content.
        var elsewhere = new List<string>();
        foreach (var file in (await TrackedFilesAsync()).Where(f => f != "appsettings.Development.json"
            && (f.EndsWith(".json", StringComparison.OrdinalIgnoreCase) || f.StartsWith("Portal.Web/", StringComparison.Ordinal)
                || f.StartsWith("Portal.Domain/", StringComparison.Ordinal) || f.StartsWith("content/", StringComparison.Ordinal))))
        {
            var text = await ReadTextAsync(file) ?? "";
            elsewhere.AddRange(demoPasswords.Where(p => text.Contains(p, StringComparison.Ordinal)).Select(p => $"{file} has a demo password"));
        }

        Assert.True(elsewhere.Count == 0, string.Join('\n', elsewhere));
    }

    /// <summary>
    /// What <c>dotnet publish</c> copies (MSBuild's own list, from the project as built): the
    /// settings file, never the Development one with the demo passwords.
    /// </summary>
    [Fact]
    public async Task PublishedFiles_IncludeAppsettingsJson_ButNotTheDevelopmentFile()
    {
        var (exitCode, output, error) = await RunAsync("dotnet",
            ["msbuild", Path.Combine(RepoPaths.Root, "Portal.Web", "Portal.Web.csproj"), "-nologo", "-t:ComputeResolvedFilesToPublishList",
             "-p:NoBuild=true", $"-p:Configuration={RepoPaths.Configuration}", "-getItem:ResolvedFileToPublish"], TimeSpan.FromMinutes(5));
        Assert.True(exitCode == 0, output + error);

        var published = JsonDocument.Parse(output).RootElement.GetProperty("Items").GetProperty("ResolvedFileToPublish")
            .EnumerateArray().Select(i => i.GetProperty("RelativePath").GetString()!.Replace('\\', '/')).ToList();
        Assert.Contains("Portal.Web.dll", published);
        Assert.Contains("appsettings.json", published);
        Assert.DoesNotContain(published, p => p.Contains("appsettings.Development", StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain(published, p => SecretFile().IsMatch(p));

        // The build output (dotnet run, the tests) does have it: the exclusion is the publish's own.
        Assert.True(File.Exists(Path.Combine(Path.GetDirectoryName(PortalProcess.Dll)!, "appsettings.Development.json")));
    }

    private static IEnumerable<(string Path, string Value)> Strings(JsonElement element, string path)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    foreach (var found in Strings(property.Value, path.Length == 0 ? property.Name : $"{path}:{property.Name}"))
                    {
                        yield return found;
                    }
                }

                break;
            case JsonValueKind.Array:
                var index = 0;
                foreach (var item in element.EnumerateArray())
                {
                    foreach (var found in Strings(item, $"{path}:{index++}"))
                    {
                        yield return found;
                    }
                }

                break;
            case JsonValueKind.String:
                yield return (path, element.GetString()!);
                break;
        }
    }

    private static async Task<List<string>> TrackedFilesAsync()
    {
        var (exitCode, output, error) = await RunAsync("git", ["-C", RepoPaths.Root, "ls-files", "-z"], TimeSpan.FromMinutes(1));
        Assert.True(exitCode == 0, $"git ls-files failed (the tests run from a git checkout): {error}");
        return output.Split('\0', StringSplitOptions.RemoveEmptyEntries).ToList();
    }

    /// <summary>The file's text, or null for a binary file (a NUL byte, or not UTF-8).</summary>
    private static async Task<string?> ReadTextAsync(string file)
    {
        var bytes = await File.ReadAllBytesAsync(Path.Combine(RepoPaths.Root, file), Ct);
        if (Array.IndexOf(bytes, (byte)0) >= 0)
        {
            return null;
        }

        try
        {
            return new System.Text.UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes);
        }
        catch (System.Text.DecoderFallbackException)
        {
            return null;
        }
    }

    private static int Line(string text, int index) => text.AsSpan(0, index).Count('\n') + 1;

    private static async Task<(int ExitCode, string Output, string Error)> RunAsync(string command, string[] arguments, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(command) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(Ct);
        var error = process.StandardError.ReadToEndAsync(Ct);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        cts.CancelAfter(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{command} {string.Join(' ', arguments)} did not finish in {timeout}.");
        }

        return (process.ExitCode, await output, await error);
    }
}
