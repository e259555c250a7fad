using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

// dotnet run --project bench/JourneyHub.Benchmarks -c Release -- --filter '*'
// In-process (no generated project to restore and build), which is what a 2-core, offline machine affords;
// pass --job default etc. to override. Each category has its own baseline, so every row reads as a ratio.
var config = DefaultConfig.Instance
    .AddJob(Job.ShortRun.WithToolchain(InProcessEmitToolchain.Instance).AsDefault())
    .WithOptions(ConfigOptions.JoinSummary);
BenchmarkSwitcher.FromAssembly(typeof(JourneyHub.Benchmarks.NormalizationBenchmarks).Assembly).Run(args, config);
