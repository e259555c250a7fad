using JourneyHub.LoadHarness;

// dotnet run --project bench/JourneyHub.LoadHarness -c Release -- [--smoke] [--scenario load|kill-host|azurite-restart|enrichment-errors|poison|hostile|timeline-read|transactions|batches|segment-map|queue-backlog]
var (options, error) = HarnessOptions.Parse(args);
if (options is null)
{
    await Console.Error.WriteLineAsync("JourneyHub load harness: " + error);
    return 2;
}

using var cancellation = new CancellationTokenSource(options.RunTimeout);
var stoppedBySignal = false;
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stoppedBySignal = true;
    cancellation.Cancel();
};

// A plain `kill` (SIGTERM) unwinds the same way, so the Azurite and local host processes it started are stopped too.
using var termination = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, context =>
{
    context.Cancel = true;
    stoppedBySignal = true;
    cancellation.Cancel();
});

try
{
    var outcome = await Harness.RunAsync(options, Console.Out, cancellation.Token);
    Console.WriteLine(outcome.Passed ? "PASS" : "FAIL: " + string.Join("; ", outcome.Failures));
    return outcome.Passed ? 0 : 1;
}
catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
{
    await Console.Error.WriteLineAsync(stoppedBySignal ? "FAIL: stopped before the run finished." : $"FAIL: the run did not finish within {options.RunTimeout}.");
    return 1;
}
