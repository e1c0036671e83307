using BenchmarkDotNet.Running;

// dotnet run -c Release --project Portal.Benchmarks -- --filter '*'
// Figures and the machine they were measured on: docs/benchmarks.md.
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
