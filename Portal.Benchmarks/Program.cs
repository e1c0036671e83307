using BenchmarkDotNet.Running;
using Portal.Benchmarks.Cohorts;
using Portal.Benchmarks.Dispatch;
using Portal.Benchmarks.Load;
using Portal.Benchmarks.Peer;

// dotnet run -c Release --project Portal.Benchmarks -- --filter '*'      BenchmarkDotNet suites
// dotnet run -c Release --project Portal.Benchmarks -- dispatch          the email dispatch throughput figure
// dotnet run -c Release --project Portal.Benchmarks -- load|writers ...  load on a running portal (scripts/load-test.sh)
// dotnet run -c Release --project Portal.Benchmarks -- cohort-dashboard  each cohort dashboard query over 100,000 assessments
// dotnet run -c Release --project Portal.Benchmarks -- peer-check        the RulesEngine translation's workflows, and both engines agreeing
// dotnet run -c Release --project Portal.Benchmarks -- peer-ratio        the scoring peer's ratio from alternating rounds (a check on the noisy machine)
// Figures and the machine they were measured on: docs/benchmarks.md.
if (args.Length > 0 && args[0] == "dispatch")
{
    return await DispatchBenchmark.RunAsync(args[1..]);
}

if (args.Length > 0 && args[0] == "cohort-dashboard")
{
    return await CohortDashboardBenchmark.RunAsync(args[1..], Console.Out);
}

if (args.Length > 0 && args[0] is "load" or "writers")
{
    return await LoadTest.RunAsync(args[0], args[1..], Console.Out);
}

if (args.Length > 0 && args[0] == "peer-check")
{
    return PeerCheckCommand.Run(args[1..], Console.Out);
}

if (args.Length > 0 && args[0] == "peer-ratio")
{
    return PeerRatioCommand.Run(args[1..], Console.Out);
}

BenchmarkSwitcher.FromAssembly(typeof(DispatchBenchmark).Assembly).Run(args);
return 0;
