using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

// dotnet run --project bench/JourneyHub.Benchmarks -c Release -- --filter '*' [--cpu-clock]
// In-process (no generated project to restore and build), which is what a 2-core, offline machine affords;
// pass --job default etc. to override. Each category has its own baseline, so every row reads as a ratio.
// --cpu-clock measures the benchmark thread's CPU time instead of wall time (ThreadCpuClock): for a machine others load.
const string CpuClockOption = "--cpu-clock";
var job = Job.ShortRun.WithToolchain(InProcessEmitToolchain.Instance);
if (args.Contains(CpuClockOption))
{
    job = job.WithClock(JourneyHub.Benchmarks.ThreadCpuClock.Instance);
}

var config = DefaultConfig.Instance
    .AddJob(job.AsDefault())
    .WithOptions(ConfigOptions.JoinSummary);
BenchmarkSwitcher.FromAssembly(typeof(JourneyHub.Benchmarks.NormalizationBenchmarks).Assembly).Run([.. args.Where(a => a != CpuClockOption)], config);
