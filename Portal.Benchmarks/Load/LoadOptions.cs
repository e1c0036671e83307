using System.Globalization;
using System.Net;

namespace Portal.Benchmarks.Load;

public enum LoadMix
{
    /// <summary>Owners read their results and save answers; advisors read the triage queue and firm files.</summary>
    Load,

    /// <summary>Every client an owner saving answers through the API: writers only.</summary>
    Writers,
}

public sealed record LoadAccount(string Role, string Email, string Password);

/// <summary>The load generator's command line.</summary>
public sealed record LoadOptions(LoadMix Mix, Uri Url, int Clients, int Advisors, TimeSpan Duration, TimeSpan Warmup, IReadOnlyList<LoadAccount> Accounts, int Seed)
{
    public const string Usage = """
        load     --url http://127.0.0.1:PORT --accounts FILE [--clients 50] [--advisors N] [--seconds 60] [--warmup 5] [--seed 1]
        writers  --url http://127.0.0.1:PORT --accounts FILE [--clients 20] [--seconds 30] [--warmup 5] [--seed 1]

        FILE has one account a line, "owner EMAIL PASSWORD" or "advisor EMAIL PASSWORD" (# starts a
        comment); clients share the accounts of their role in turn. Owners need a submitted
        assessment (their results page is read). --advisors: how many of the clients are advisors
        (load only; default three in ten). The portal must listen on a loopback address.
        """;

    /// <summary>The options, or the problem with the command line.</summary>
    public static (LoadOptions? Options, string? Error) Parse(string verb, string[] args)
    {
        var mix = verb == "writers" ? LoadMix.Writers : LoadMix.Load;
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length)
            {
                return (null, $"Unexpected argument '{args[i]}'");
            }

            values[args[i][2..]] = args[++i];
        }

        var unknown = values.Keys.Except(["url", "accounts", "clients", "advisors", "seconds", "warmup", "seed"]).FirstOrDefault();
        if (unknown is not null)
        {
            return (null, $"Unknown option --{unknown}");
        }

        if (!values.TryGetValue("url", out var url) || !Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            return (null, "--url must be the portal's address, such as http://127.0.0.1:5266");
        }

        // A load generator aimed at someone else's server is an attack: loopback only.
        if (!(uri.IsLoopback && (uri.Host == "localhost" || IPAddress.TryParse(uri.Host.Trim('[', ']'), out _))))
        {
            return (null, $"--url must be a loopback address (127.0.0.1, [::1] or localhost), not {uri.Host}");
        }

        if (!values.TryGetValue("accounts", out var file) || !File.Exists(file))
        {
            return (null, "--accounts must name a file of accounts (\"owner EMAIL PASSWORD\" or \"advisor EMAIL PASSWORD\" a line)");
        }

        var accounts = new List<LoadAccount>();
        foreach (var (line, number) in File.ReadAllLines(file).Select((l, n) => (l.Trim(), n + 1)))
        {
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length != 3 || parts[0] is not ("owner" or "advisor"))
            {
                return (null, $"{file}:{number}: expected \"owner EMAIL PASSWORD\" or \"advisor EMAIL PASSWORD\"");
            }

            accounts.Add(new LoadAccount(parts[0], parts[1], parts[2]));
        }

        var clients = Int(values, "clients", mix == LoadMix.Writers ? 20 : 50);
        var advisors = mix == LoadMix.Writers ? 0 : Int(values, "advisors", (int)Math.Round(clients * 0.3));
        var seconds = Int(values, "seconds", mix == LoadMix.Writers ? 30 : 60);
        var warmup = Int(values, "warmup", 5);
        var seed = Int(values, "seed", 1);
        if (clients is < 1 or > 1000 || advisors < 0 || (advisors >= clients && mix == LoadMix.Load) || seconds is < 1 or > 3600 || warmup is < 0 or > 600)
        {
            return (null, "--clients 1 to 1000, --advisors fewer than the clients, --seconds 1 to 3600, --warmup 0 to 600");
        }

        if (!accounts.Any(a => a.Role == "owner") || (advisors > 0 && !accounts.Any(a => a.Role == "advisor")))
        {
            return (null, $"{file} needs at least one owner{(advisors > 0 ? " and one advisor" : "")}");
        }

        return (new LoadOptions(mix, uri, clients, advisors, TimeSpan.FromSeconds(seconds), TimeSpan.FromSeconds(warmup), accounts, seed), null);
    }

    private static int Int(Dictionary<string, string> values, string name, int fallback) =>
        values.TryGetValue(name, out var text) && int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : values.ContainsKey(name) ? -1 : fallback;
}
