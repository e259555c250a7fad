using System.Runtime.InteropServices;
using Perfolizer.Horology;

namespace JourneyHub.Benchmarks;

/// <summary>
/// The CPU time of the calling thread (Linux <c>CLOCK_THREAD_CPUTIME_ID</c>), for <c>--cpu-clock</c>: on the shared 2-core
/// machine a wall clock also counts the time the benchmark thread waits for a core while other work runs, which swings
/// ShortRun's means by 2–8× between runs; the thread's own CPU time does not (the gen-0/1 collections a benchmark causes run
/// on that thread and are counted). Floor and normalization are measured with the same clock, so ratios stay comparable.
/// </summary>
internal sealed partial class ThreadCpuClock : IClock
{
    private const int ClockThreadCpuTimeId = 3;

    public static ThreadCpuClock Instance { get; } = new();

    public string Title => "Thread CPU time";

    public bool IsAvailable => OperatingSystem.IsLinux();

    public Frequency Frequency => new(1_000_000_000);

    public long GetTimestamp()
    {
        if (ClockGetTime(ClockThreadCpuTimeId, out var now) != 0)
        {
            throw new InvalidOperationException($"clock_gettime(CLOCK_THREAD_CPUTIME_ID) failed: errno {Marshal.GetLastPInvokeError()}.");
        }

        return (now.Seconds * 1_000_000_000) + now.Nanoseconds;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [LibraryImport("libc", EntryPoint = "clock_gettime", SetLastError = true)]
    private static partial int ClockGetTime(int clockId, out TimeSpec time);
}
