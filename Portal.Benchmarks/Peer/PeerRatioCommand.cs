using System.Diagnostics;
using System.Globalization;

namespace Portal.Benchmarks.Peer;

/// <summary>
/// <c>peer-ratio [--rounds N]</c>: the benchmark's two methods in alternation, round after
/// round, each round's ratio taken from two measurements a few milliseconds apart, so load that
/// comes and goes on a shared machine hits both engines alike. Measures the process's CPU time
/// (the time the machine gives to other processes does not count; the garbage collector's does)
/// beside the elapsed time, and reports medians. A check on <see cref="PeerScoringBenchmarks"/>,
/// with the same set-up (and the same agreement check); the heap is collected before each measurement.
/// </summary>
public static class PeerRatioCommand
{
    public static int Run(string[] args, TextWriter output)
    {
        var rounds = args.Length >= 2 && args[0] == "--rounds" ? int.Parse(args[1], CultureInfo.InvariantCulture) : 40;
        var benchmark = new PeerScoringBenchmarks();
        benchmark.Setup();

        // The portal's batch is repeated so that both measurements of a round last about as long.
        const int PortalRepeats = 10;
        var portal = new List<(double Cpu, double Elapsed)>();
        var peer = new List<(double Cpu, double Elapsed)>();
        for (var round = -3; round < rounds; round++) // three rounds of warm-up
        {
            // Alternate which goes first, so neither always runs on a machine the other has warmed.
            (double, double) p, r;
            if (round % 2 == 0)
            {
                p = Measure(() => benchmark.PortalEngine(), PortalRepeats);
                r = Measure(() => benchmark.RulesEnginePeer(), 1);
            }
            else
            {
                r = Measure(() => benchmark.RulesEnginePeer(), 1);
                p = Measure(() => benchmark.PortalEngine(), PortalRepeats);
            }

            if (round >= 0)
            {
                portal.Add(p);
                peer.Add(r);
            }
        }

        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{rounds} rounds of {PeerScoringBenchmarks.Batch} assessments, per assessment (medians), CPU time: portal {Median(portal.Select(x => x.Cpu)):0.00} us, "
            + $"RulesEngine peer {Median(peer.Select(x => x.Cpu)):0.0} us, ratio peer/portal {Median(peer.Zip(portal, (r, p) => r.Cpu / p.Cpu)):0.0}; "
            + $"elapsed: portal {Median(portal.Select(x => x.Elapsed)):0.00} us, peer {Median(peer.Select(x => x.Elapsed)):0.0} us, ratio {Median(peer.Zip(portal, (r, p) => r.Elapsed / p.Elapsed)):0.0}; "
            + $"load average at the end: {File.ReadAllText("/proc/loadavg").Trim()}"));
        return 0;
    }

    private static (double Cpu, double Elapsed) Measure(Func<int> batch, int repeats)
    {
        // Each starts on a collected heap, as BenchmarkDotNet's iterations do: otherwise the
        // portal pays for collecting the garbage the peer's batch left (about 27 MB of it).
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var cpu = Environment.CpuUsage.TotalTime;
        var start = Stopwatch.GetTimestamp();
        for (var i = 0; i < repeats; i++)
        {
            batch();
        }

        var elapsed = Stopwatch.GetElapsedTime(start);
        var assessments = repeats * PeerScoringBenchmarks.Batch;
        return ((Environment.CpuUsage.TotalTime - cpu).TotalMicroseconds / assessments, elapsed.TotalMicroseconds / assessments);
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }
}
