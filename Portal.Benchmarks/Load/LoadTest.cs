using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Portal.Benchmarks.Load;

/// <summary>
/// Issue 8's load test: N clients, each a person signed in through the real sign-in form,
/// each looping over what that person does, one request at a time and with no pause, for a
/// fixed time against a portal on this machine. Owners read their results page and save
/// answers through the answers API; advisors read the triage queue (sometimes filtered, with
/// the filters the page itself offers) and firm files (each view is audited: a write).
/// Prints per kind of request the count, the errors (any status that is not 2xx or 3xx,
/// and no answer at all) and the latency percentiles, and the throughput; exits 1 on any error.
///
///   dotnet run -c Release --project Portal.Benchmarks -- load --url http://127.0.0.1:PORT --accounts FILE --clients 50 --seconds 60
///   dotnet run -c Release --project Portal.Benchmarks -- writers --url http://127.0.0.1:PORT --accounts FILE --clients 20 --seconds 30
///
/// scripts/load-test.sh starts a portal with enough accounts and runs this against it.
/// </summary>
public static class LoadTest
{
    public const string ResultsPage = "owner: results page";
    public const string SaveAnswers = "owner: save answers (API)";
    public const string Queue = "advisor: triage queue";
    public const string FilteredQueue = "advisor: queue, filtered";
    public const string FirmFile = "advisor: firm file";

    public static async Task<int> RunAsync(string verb, string[] args, TextWriter output)
    {
        var (options, error) = LoadOptions.Parse(verb, args);
        if (options is null)
        {
            await output.WriteLineAsync($"{error}\n\nUsage:\n{LoadOptions.Usage}");
            return 2;
        }

        var recorder = new LoadRecorder();
        var questions = await QuestionsAsync(options.Url);
        var owners = options.Accounts.Where(a => a.Role == "owner").ToList();
        var advisors = options.Accounts.Where(a => a.Role == "advisor").ToList();
        var accounts = Enumerable.Range(0, options.Clients)
            .Select(i => i < options.Advisors ? advisors[i % advisors.Count] : owners[(i - options.Advisors) % owners.Count])
            .ToList();
        await output.WriteLineAsync(
            $"{options.Mix.ToString().ToLowerInvariant()}: {options.Clients} clients ({options.Clients - options.Advisors} owners on {accounts.Skip(options.Advisors).Distinct().Count()} accounts, "
            + $"{options.Advisors} advisors on {accounts.Take(options.Advisors).Distinct().Count()} accounts) against {options.Url}; signing in...");

        var sessions = await Task.WhenAll(accounts.Select((account, i) => Session.StartAsync(options, account, i, questions, recorder)));
        var measureFrom = DateTime.UtcNow + options.Warmup;
        var until = measureFrom + options.Duration;
        recorder.Measure(measureFrom, until);
        await output.WriteLineAsync($"{sessions.Count(s => s is not null)} signed in; {options.Warmup.TotalSeconds:0} s warm-up (not counted), then {options.Duration.TotalSeconds:0} s measured.");
        await Task.WhenAll(sessions.OfType<Session>().Select(s => s.RunAsync(until)));
        foreach (var session in sessions)
        {
            session?.Dispose();
        }

        await recorder.PrintAsync(output, options.Duration);
        return recorder.Errors == 0 && recorder.Measured > 0 ? 0 : 1;
    }

    /// <summary>Questions an owner can answer with a random fitting value: single choices and scales.</summary>
    private static async Task<IReadOnlyList<(string Id, string[] Values)>> QuestionsAsync(Uri url)
    {
        using var http = new HttpClient { BaseAddress = url, Timeout = TimeSpan.FromSeconds(60) };
        var questionnaire = await http.GetFromJsonAsync<JsonObject>("/api/v1/questionnaire") ?? throw new InvalidOperationException("No questionnaire");
        var questions = new List<(string, string[])>();
        foreach (var section in questionnaire["sections"]!.AsArray().Where(s => (string?)s!["answersKey"] == "answers"))
        {
            foreach (var question in section!["questions"]!.AsArray())
            {
                var values = (string?)question!["kind"] switch
                {
                    "single" => question["options"]!.AsArray().Select(o => $"\"{(string)o!["id"]!}\"").ToArray(),
                    "scale" => Enumerable.Range((int)question["scale"]!["min"]!, (int)question["scale"]!["max"]! - (int)question["scale"]!["min"]! + 1)
                        .Select(v => v.ToString(CultureInfo.InvariantCulture)).ToArray(),
                    _ => [],
                };
                if (values.Length > 0)
                {
                    questions.Add(((string)question["id"]!, values));
                }
            }
        }

        return questions;
    }

    /// <summary>One client's loop: an owner's or an advisor's.</summary>
    private sealed class Session(LoadOptions options, LoadClient client, LoadRecorder recorder, Random random) : IDisposable
    {
        private IReadOnlyList<(string Id, string[] Values)> questions = [];
        private string resultsUrl = "";
        private List<string> firmUrls = [];
        private List<string> filters = [];
        private bool isAdvisor;

        public static async Task<Session?> StartAsync(LoadOptions options, LoadAccount account, int index, IReadOnlyList<(string, string[])> questions, LoadRecorder recorder)
        {
            var client = LoadClient.Create(options.Url, account.Email);
            var session = new Session(options, client, recorder, new Random((options.Seed * 10_007) + index)) { questions = questions, isAdvisor = account.Role == "advisor" };
            if (await session.SignInAsync(account) && await (session.isAdvisor ? session.OpenQueueAsync() : session.OpenAssessmentAsync()))
            {
                return session;
            }

            client.Dispose();
            return null;
        }

        private async Task<bool> SignInAsync(LoadAccount account)
        {
            var (page, post) = await client.SubmitFormAsync("sign in", "/Account/Login", "login", new Dictionary<string, string>
            {
                ["Input.Email"] = account.Email,
                ["Input.Password"] = account.Password,
            });
            if (!recorder.Setup(page) || post is null)
            {
                return recorder.Failed(page, "the sign-in page has no sign-in form");
            }

            // Signed in: a redirect. The form again (200) means refused: wrong password, locked out.
            return post.Status == 302 ? recorder.Setup(post) : recorder.Failed(post, $"{account.Email} was not signed in");
        }

        private async Task<bool> OpenAssessmentAsync()
        {
            var overview = await client.GetAsync("owner: setup", "/assessment", keepBody: true);
            if (!recorder.Setup(overview))
            {
                return false;
            }

            if (LoadClient.Links(overview.Body!, "results/").FirstOrDefault() is not { } results)
            {
                return recorder.Failed(overview, $"{client.Email} has no submitted assessment: the results page cannot be read");
            }

            resultsUrl = "/" + results;

            // Saving answers needs an assessment in progress: start the reassessment, unless one is open (no form then).
            var (_, reassess) = await client.SubmitFormAsync("owner: setup", "/assessment", "reassess", new Dictionary<string, string>());
            return reassess is null || recorder.Setup(reassess);
        }

        private async Task<bool> OpenQueueAsync()
        {
            var queue = await client.GetAsync("advisor: setup", "/advisor", keepBody: true);
            if (!recorder.Setup(queue))
            {
                return false;
            }

            firmUrls = LoadClient.Links(queue.Body!, "advisor/firms/").Select(l => "/" + l).ToList();
            filters = LoadClient.SelectOptions(queue.Body!)
                .SelectMany(s => s.Value.Select(v => $"{s.Key}={Uri.EscapeDataString(v)}"))
                .Concat(["overdue=true", "q=a", "mine=true"])
                .ToList();
            return firmUrls.Count > 0 || recorder.Failed(queue, $"{client.Email} sees no firm in the triage queue");
        }

        public async Task RunAsync(DateTime until)
        {
            while (DateTime.UtcNow < until)
            {
                var roll = random.Next(100);
                recorder.Record(isAdvisor
                    ? roll < 40 ? await client.GetAsync(Queue, "/advisor")
                        : roll < 60 ? await client.GetAsync(FilteredQueue, $"/advisor?{filters[random.Next(filters.Count)]}")
                        : await client.GetAsync(FirmFile, firmUrls[random.Next(firmUrls.Count)])
                    : options.Mix == LoadMix.Load && roll < 50
                        ? await client.GetAsync(ResultsPage, resultsUrl)
                        : await SaveAnswersAsync());
            }
        }

        /// <summary>One to three answers, fitting values chosen at random, as a records tool would send them.</summary>
        private Task<Outcome> SaveAnswersAsync()
        {
            var answers = string.Join(", ", Enumerable.Range(0, 1 + random.Next(3))
                .Select(_ => questions[random.Next(questions.Count)])
                .DistinctBy(q => q.Id)
                .Select(q => $"\"{q.Id}\": {q.Values[random.Next(q.Values.Length)]}"));
            return client.PostAsync(SaveAnswers, "/api/v1/assessment/answers", new StringContent($"{{\"answers\": {{{answers}}}}}", System.Text.Encoding.UTF8, "application/json"));
        }

        public void Dispose() => client.Dispose();
    }
}
