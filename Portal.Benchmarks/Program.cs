using BenchmarkDotNet.Running;
using Portal.Benchmarks.Dispatch;

// dotnet run -c Release --project Portal.Benchmarks -- --filter '*'      BenchmarkDotNet suites
// dotnet run -c Release --project Portal.Benchmarks -- dispatch          the email dispatch throughput figure
// Figures and the machine they were measured on: docs/benchmarks.md.
if (args.Length > 0 && args[0] == "dispatch")
{
    return await DispatchBenchmark.RunAsync(args[1..]);
}

BenchmarkSwitcher.FromAssembly(typeof(DispatchBenchmark).Assembly).Run(args);
return 0;
