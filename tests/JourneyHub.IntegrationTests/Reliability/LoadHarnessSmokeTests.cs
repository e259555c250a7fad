using JourneyHub.IntegrationTests.Infrastructure;
using JourneyHub.LoadHarness;

namespace JourneyHub.IntegrationTests.Reliability;

/// <summary>
/// The load harness's smoke (500 signed deliveries over every source, 5 % duplicates, 5 % late), so the
/// harness cannot rot and CI counts it. It starts its own Azurite and local host; the collection keeps it
/// from running beside the other Azurite tests on a 2-core machine.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class LoadHarnessSmokeTests
{
    [Fact]
    public async Task Five_hundred_mixed_deliveries_are_each_stored_exactly_once_and_none_is_lost()
    {
        using var output = new StringWriter();
        using var cancellation = new CancellationTokenSource(HarnessOptions.Smoke.RunTimeout);

        var outcome = await Harness.RunAsync(HarnessOptions.Smoke, output, cancellation.Token);

        Assert.True(outcome.Passed, string.Join("; ", outcome.Failures) + "\n" + output);
        Assert.Equal(500, outcome.Figures["accepted"]);
        Assert.Equal(0, outcome.Figures["lost"]);
        Assert.Equal(0, outcome.Figures["duplicateRows"]);
        Assert.Equal(0, outcome.Figures["http5xx"]);
        Assert.Equal(outcome.Figures["uniqueAccepted"], outcome.Figures["stored"]);
        Assert.True(outcome.Figures["duplicatesSent"] > 0, "the smoke must send duplicates to prove they are suppressed");

        // The aggregates were checked against the rows read back, and reported once.
        Assert.Equal(0, outcome.Figures["aggregateMismatches"]);
        var aggregatesLine = Assert.Single(output.ToString().Split('\n'), line => line.StartsWith("  aggregates ", StringComparison.Ordinal));
        Assert.EndsWith($"funnel of {outcome.Count!.Timelines.Count} customers compared with the same built from their rows: equal", aggregatesLine.TrimEnd('\r'), StringComparison.Ordinal);
    }
}
