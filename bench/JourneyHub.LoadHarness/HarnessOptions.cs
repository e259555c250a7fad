using System.Globalization;

namespace JourneyHub.LoadHarness;

public enum Scenario
{
    Load,
    KillHost,
    AzuriteRestart,
    EnrichmentErrors,
    Poison,
    Hostile,
    TimelineRead,
    Transactions,
    Batches,
    SegmentMap,
    QueueBacklog,
}

/// <summary>What one harness run does; every count and wait is bounded.</summary>
public sealed record HarnessOptions
{
    public Scenario Scenario { get; init; } = Scenario.Load;

    /// <summary>Signed webhook deliveries to send, duplicates included.</summary>
    public int Deliveries { get; init; } = 20_000;

    public int Senders { get; init; } = 16;

    /// <summary>
    /// Deliveries started per second across all senders; null sends as fast as the senders get replies. A steady rate
    /// shows what the pipeline sustains: flat out, the senders outrun it and the emulator's queue slows with the backlog.
    /// </summary>
    public int? DeliveriesPerSecond { get; init; }

    public double DuplicateRate { get; init; } = 0.05;

    public double OutOfOrderRate { get; init; } = 0.05;

    /// <summary>Deliveries per person (one identity, one source); the rest decides how many timelines get counted.</summary>
    public int DeliveriesPerPerson { get; init; } = 10;

    /// <summary>Hostile requests per webhook route.</summary>
    public int HostilePerRoute { get; init; } = 2_000;

    /// <summary>Touchpoints on the one customer of the timeline-read benchmark.</summary>
    public int TimelineSize { get; init; } = 10_000;

    public int TimelineReads { get; init; } = 400;

    /// <summary>Population of the segment-map benchmark (issue 13 asks for 100,000); writing stops at the run's time budget.</summary>
    public int Customers { get; init; } = 100_000;

    /// <summary>Map requests per population size in the segment-map benchmark, each against its bare queries.</summary>
    public int SegmentMapReads { get; init; } = 200;

    /// <summary>Events per delivery in the batches scenario (HubSpot, Salesforce, Meta and Trustpilot batch up to 100).</summary>
    public int EventsPerDelivery { get; init; } = 100;

    /// <summary>How long to wait for the queue to drain and every accepted event to show up.</summary>
    public TimeSpan DrainTimeout { get; init; } = TimeSpan.FromMinutes(6);

    /// <summary>Hard cap on the whole run.</summary>
    public TimeSpan RunTimeout { get; init; } = TimeSpan.FromMinutes(10);

    public int Seed { get; init; } = 20250314;

    /// <summary>Build configuration of the local host to start (its bin folder); defaults to the harness's own.</summary>
    public string? Configuration { get; init; }

    /// <summary>Also measure raw Table batch upserts of the stored rows, for the pipeline ratio.</summary>
    public bool RawBaseline { get; init; } = true;

    public static HarnessOptions Smoke { get; } = new()
    {
        Deliveries = 500,
        Senders = 8,
        DeliveriesPerPerson = 10,
        DrainTimeout = TimeSpan.FromSeconds(40),
        RunTimeout = TimeSpan.FromSeconds(90),
        RawBaseline = false,
    };

    public static (HarnessOptions? Options, string? Error) Parse(IReadOnlyList<string> args)
    {
        var options = new HarnessOptions();
        for (var i = 0; i < args.Count; i++)
        {
            string Next() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            int NextInt() => int.Parse(Next(), NumberStyles.None, CultureInfo.InvariantCulture);
            try
            {
                options = args[i] switch
                {
                    "--smoke" => Smoke with { Scenario = options.Scenario, Configuration = options.Configuration },
                    "--scenario" => options with { Scenario = ParseScenario(Next()) },
                    "--deliveries" or "--events" => options with { Deliveries = Math.Clamp(NextInt(), 60, 100_000) },
                    "--senders" => options with { Senders = Math.Clamp(NextInt(), 1, 64) },
                    "--rate" => options with { DeliveriesPerSecond = Math.Clamp(NextInt(), 1, 10_000) },
                    "--hostile-per-route" => options with { HostilePerRoute = Math.Clamp(NextInt(), 10, 20_000) },
                    "--timeline-size" => options with { TimelineSize = Math.Clamp(NextInt(), 100, 50_000) },
                    "--customers" => options with { Customers = Math.Clamp(NextInt(), 10, 1_000_000) },
                    "--map-reads" => options with { SegmentMapReads = Math.Clamp(NextInt(), 10, 5_000) },
                    "--configuration" => options with { Configuration = Next() },
                    "--seed" => options with { Seed = NextInt() },
                    "--events-per-delivery" => options with { EventsPerDelivery = Math.Clamp(NextInt(), 1, 100) },
                    // Where the emulator is the bottleneck a full run needs longer than the default cap; still bounded.
                    "--max-minutes" => Math.Clamp(NextInt(), 1, 60) is var minutes
                        ? options with { RunTimeout = TimeSpan.FromMinutes(minutes), DrainTimeout = TimeSpan.FromMinutes(minutes * 0.8) }
                        : options,
                    "--no-raw-baseline" => options with { RawBaseline = false },
                    _ => throw new ArgumentException($"unknown option {args[i]}"),
                };
            }
            catch (Exception ex) when (ex is ArgumentException or FormatException or OverflowException)
            {
                return (null, ex.Message);
            }
        }

        return (options, null);
    }

    private static Scenario ParseScenario(string text) => text switch
    {
        "load" => Scenario.Load,
        "kill-host" => Scenario.KillHost,
        "azurite-restart" => Scenario.AzuriteRestart,
        "enrichment-errors" => Scenario.EnrichmentErrors,
        "poison" => Scenario.Poison,
        "hostile" => Scenario.Hostile,
        "timeline-read" => Scenario.TimelineRead,
        "transactions" => Scenario.Transactions,
        "batches" => Scenario.Batches,
        "segment-map" => Scenario.SegmentMap,
        "queue-backlog" => Scenario.QueueBacklog,
        _ => throw new ArgumentException($"unknown scenario '{text}' (load, kill-host, azurite-restart, enrichment-errors, poison, hostile, timeline-read, transactions, batches, segment-map, queue-backlog)"),
    };
}
