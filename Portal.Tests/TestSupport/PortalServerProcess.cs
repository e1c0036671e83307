using System.Diagnostics;
using System.Net;
using System.Text;

namespace Portal.Tests.TestSupport;

/// <summary>
/// The built portal (Portal.Web.dll) serving as its own process on 127.0.0.1, in the
/// Production environment, on a data folder the test owns: a process the test can kill hard
/// and start again on the same data, as an operator's machine would see it.
/// </summary>
public sealed class PortalServerProcess : IAsyncDisposable
{
    private readonly Process process;
    private readonly StringBuilder log = new();

    private PortalServerProcess(Process process, string dataDirectory, int port)
    {
        this.process = process;
        DataDirectory = dataDirectory;
        Port = port;
        BaseAddress = new Uri($"http://127.0.0.1:{port}/");
    }

    public string DataDirectory { get; }

    public int Port { get; }

    public Uri BaseAddress { get; }

    public bool HasExited => process.HasExited;

    /// <summary>The process id (Hangfire's server name on the node is machine:pid).</summary>
    public int ProcessId => process.Id;

    /// <summary>What the process wrote to stdout and stderr so far.</summary>
    public string Log
    {
        get
        {
            lock (log)
            {
                return log.ToString();
            }
        }
    }

    /// <summary>
    /// Starts the portal on <paramref name="dataDirectory"/> and waits until <c>/health</c>
    /// answers 200. The same <paramref name="port"/> again after a kill lets clients carry on
    /// with the address (and sign-in cookie) they had.
    /// </summary>
    public static async Task<PortalServerProcess> StartAsync(string dataDirectory, int? port = null, IReadOnlyDictionary<string, string>? settings = null)
    {
        Assert.True(File.Exists(PortalProcess.Dll), $"Build Portal.Web first: {PortalProcess.Dll} is missing.");
        var chosen = port ?? FreePort.Next();
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = Path.GetDirectoryName(PortalProcess.Dll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(PortalProcess.Dll);
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{chosen}";
        start.Environment["Portal__PublicBaseUrl"] = $"http://127.0.0.1:{chosen}"; // required outside Development
        start.Environment["Portal__DataDirectory"] = dataDirectory;
        start.Environment["DemoData__Enabled"] = "false";
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        var server = new PortalServerProcess(Process.Start(start)!, dataDirectory, chosen);
        server.process.OutputDataReceived += (_, e) => server.Append(e.Data);
        server.process.ErrorDataReceived += (_, e) => server.Append(e.Data);
        server.process.BeginOutputReadLine();
        server.process.BeginErrorReadLine();

        using var probe = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
        try
        {
            await Eventually.WaitForAsync(async () =>
            {
                if (server.process.HasExited)
                {
                    throw new InvalidOperationException($"The portal exited with {server.process.ExitCode} while starting:\n{server.Log}");
                }

                try
                {
                    return (await probe.GetAsync("health")).StatusCode == HttpStatusCode.OK ? "up" : null;
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                {
                    return null;
                }
            }, TimeSpan.FromSeconds(180), $"the portal to answer on {server.BaseAddress}"); // seconds on idle cores; minutes on cores shared by many builds
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }

        return server;
    }

    /// <summary>A client that keeps cookies and shows redirects instead of following them.</summary>
    public HttpClient CreateClient() => new(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = true })
    {
        BaseAddress = BaseAddress,
        Timeout = TimeSpan.FromSeconds(100),
    };

    /// <summary>A client signed in through the real sign-in form.</summary>
    public async Task<HttpClient> SignedInClientAsync(string email, string password)
    {
        var client = CreateClient();
        var response = await client.SubmitFormAsync("/Account/Login", "login", new()
        {
            ["Input.Email"] = email,
            ["Input.Password"] = password,
        });
        if (response.StatusCode != HttpStatusCode.Redirect)
        {
            client.Dispose();
            throw new InvalidOperationException($"Sign-in of {email} failed: {(int)response.StatusCode}");
        }

        return client;
    }

    /// <summary>Kills the process at once (SIGKILL): no shutdown code runs, as in a power cut of the process.</summary>
    public async Task KillAsync()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
        }

        await process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (log)
        {
            log.AppendLine(line);
        }
    }
}
