using System.Net;
using System.Net.Http.Headers;
using System.Text;
using JourneyHub.Core.Signatures;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace JourneyHub.LocalHost;

/// <summary>
/// <c>--demo</c>: after the host has started, sends a realistic set of journeys (<see cref="DemoJourneys"/>) through the
/// real webhook routes over HTTP to itself, signed exactly as each sender signs, so that a newcomer sees full journey
/// maps at <c>/api/ui</c> within a minute of cloning. Nothing is written to storage any other way.
/// </summary>
public sealed partial class DemoSeeder(
    IServer server,
    IHostApplicationLifetime lifetime,
    IHttpClientFactory httpClients,
    IConfiguration configuration,
    TimeProvider clock,
    ILogger<DemoSeeder> logger) : BackgroundService
{
    public const string Flag = "--demo";
    public const string HttpClientName = "JourneyHub.Demo";

    /// <summary>How long phase 1 waits for the queue processor to link each demo customer's identities.</summary>
    private static readonly TimeSpan LinkTimeout = TimeSpan.FromSeconds(60);

    /// <summary>Per-request logs that would bury the list of demo customers under a few hundred lines.</summary>
    private static readonly KeyValuePair<string, string>[] QuietCategories =
    [
        new("Logging:LogLevel:System.Net.Http.HttpClient." + HttpClientName, "Warning"),
        new("Logging:LogLevel:Microsoft.AspNetCore.Hosting.Diagnostics", "Warning"),
        new("Logging:LogLevel:Microsoft.AspNetCore.Routing", "Warning"),
        new("Logging:LogLevel:JourneyHub.Core.Ingestion.WebhookIntake", "Warning"),
        new("Logging:LogLevel:JourneyHub.Core.Processing.DeliveryProcessor", "Warning"),
    ];

    /// <summary>
    /// <c>--demo</c> on the command line, or <c>LocalHost:Demo=true</c> (<c>LocalHost__Demo=true</c>) where arguments
    /// cannot be passed (tests that start the built host, <c>dotnet watch</c>).
    /// </summary>
    public static bool IsRequested(IEnumerable<string> args, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return args.Any(a => string.Equals(a, Flag, StringComparison.OrdinalIgnoreCase))
            || string.Equals(configuration["LocalHost:Demo"], "true", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>
    /// The arguments without <c>--demo</c>: the command-line configuration provider would otherwise read the next
    /// argument (e.g. <c>--urls</c>) as the flag's value.
    /// </summary>
    public static string[] WithoutFlag(string[] args) => args.Where(a => !string.Equals(a, Flag, StringComparison.OrdinalIgnoreCase)).ToArray();

    public static void AddDemoSeeder(WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);

        // The secrets the demo signs with, for this run only and only where none are configured, so a real
        // configuration is never overridden (in-memory sources added later win, hence the filter).
        var missing = DemoJourneys.Secrets.Concat(QuietCategories)
            .Where(s => string.IsNullOrEmpty(builder.Configuration[s.Key]))
            .ToDictionary(s => s.Key, s => (string?)s.Value, StringComparer.Ordinal);
        if (missing.Count > 0)
        {
            builder.Configuration.AddInMemoryCollection(missing);
        }

        builder.Services.AddHttpClient(HttpClientName, client => client.Timeout = TimeSpan.FromSeconds(30));
        builder.Services.AddHostedService<DemoSeeder>();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
        {
            await started.Task.WaitAsync(stoppingToken);
        }

        var baseAddress = LocalAddress();
        if (baseAddress is null)
        {
            LogNoAddress();
            return;
        }

        try
        {
            await SeedAsync(baseAddress, stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopped while seeding: nothing to clean up, the deliveries are idempotent.
        }
        catch (HttpRequestException ex)
        {
            LogSeedingFailed(ex);
        }
    }

    private async Task SeedAsync(Uri baseAddress, CancellationToken cancellationToken)
    {
        var plan = DemoJourneys.Build(clock.GetUtcNow());
        using var client = httpClients.CreateClient(HttpClientName);
        client.BaseAddress = baseAddress;
        var touchpoints = plan.Customers.Sum(c => c.Touchpoints);
        LogSeeding(plan.Customers.Count, touchpoints, baseAddress);

        // Phase 1: one event per customer that names all of the customer's identities, processed before anything
        // else, so that every later event of any source resolves to the same customer instead of racing into
        // separate ones that only a later merge would join.
        foreach (var customer in plan.Customers)
        {
            await SendAsync(client, customer.Link, cancellationToken);
        }

        foreach (var customer in plan.Customers)
        {
            await WaitForCustomerAsync(client, customer.Email, cancellationToken);
        }

        // Phase 2: the journeys themselves, a few deliveries at a time.
        var failed = 0;
        await Parallel.ForEachAsync(
            plan.Customers.SelectMany(c => c.Deliveries),
            new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = cancellationToken },
            async (delivery, ct) =>
            {
                if (!await SendAsync(client, delivery, ct))
                {
                    Interlocked.Increment(ref failed);
                }
            });

        // The function key is never logged: with LocalHost:FunctionKey set, add &code=<key> to these URLs.
        var ui = new Uri(baseAddress, "api/ui");
        foreach (var customer in plan.Customers)
        {
            var url = new Uri(ui, "?q=" + Uri.EscapeDataString(customer.Email));
            LogCustomer(customer.Email, customer.Touchpoints, customer.Story, url);
        }

        LogSeeded(failed, ui);

        // Then the crowd for the segment journey map: one e-mail each, so no link phase is needed.
        var crowd = DemoCrowd.Build(clock.GetUtcNow());
        var crowdFailed = 0;
        await Parallel.ForEachAsync(
            crowd,
            new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = cancellationToken },
            async (delivery, ct) =>
            {
                if (!await SendAsync(client, delivery, ct))
                {
                    Interlocked.Increment(ref crowdFailed);
                }
            });
        var segmentMap = new Uri(baseAddress, "api/ui/journeys?a=" + Uri.EscapeDataString("persona:" + DemoCrowd.Personas[0]) + "&b=" + Uri.EscapeDataString("persona:" + DemoCrowd.Personas[2]));
        LogCrowdSeeded(DemoCrowd.Size, crowd.Count, crowdFailed, segmentMap);
    }

    private async Task<bool> SendAsync(HttpClient client, DemoDelivery delivery, CancellationToken cancellationToken)
    {
        var route = delivery.Route + (delivery.Signer == DemoSigner.FunctionKey ? FunctionKeyQuery("?") : "");
        var url = new Uri(client.BaseAddress!, route);
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(delivery.Body) };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(delivery.ContentType);
        foreach (var (name, value) in SignatureHeaders(delivery, url, clock.GetUtcNow()))
        {
            request.Headers.Add(name, value);
        }

        using var response = await client.SendAsync(request, cancellationToken);
        if (response.IsSuccessStatusCode)
        {
            return true;
        }

        LogRejected(delivery.Route, (int)response.StatusCode, await response.Content.ReadAsStringAsync(cancellationToken));
        return false;
    }

    /// <summary>The headers the delivery's sender would sign it with (none for routes behind the function key).</summary>
    private KeyValuePair<string, string>[] SignatureHeaders(DemoDelivery delivery, Uri url, DateTimeOffset now) => delivery.Signer switch
    {
        DemoSigner.HubSpot => WebhookSigner.HubSpot(Secret(DemoJourneys.HubSpotSecretKey), url, delivery.Body, now),
        DemoSigner.Meta => WebhookSigner.Meta(Secret(DemoJourneys.MetaSecretKey), delivery.Body),
        DemoSigner.StandardWebhooks => WebhookSigner.StandardWebhooks(Secret(DemoJourneys.CustomSecretKey(delivery.CustomSource!)), delivery.WebhookId!, delivery.Body, now),
        DemoSigner.Shopify => [.. WebhookSigner.Shopify(Secret(DemoJourneys.ShopifySecretKey), delivery.Body), new("X-Shopify-Topic", delivery.Topic!), new("X-Shopify-Webhook-Id", delivery.WebhookId!)],
        DemoSigner.Zendesk => WebhookSigner.Zendesk(Secret(DemoJourneys.ZendeskSecretKey), delivery.Body, now),
        DemoSigner.Intercom => WebhookSigner.Intercom(Secret(DemoJourneys.IntercomSecretKey), delivery.Body),
        DemoSigner.Typeform => WebhookSigner.Typeform(Secret(DemoJourneys.TypeformSecretKey), delivery.Body),
        DemoSigner.SurveyMonkey => WebhookSigner.SurveyMonkey(Secret(DemoJourneys.SurveyMonkeyClientIdKey), Secret(DemoJourneys.SurveyMonkeyClientSecretKey), delivery.Body),
        DemoSigner.Delighted => WebhookSigner.Delighted(Secret(DemoJourneys.DelightedApiKeyKey), delivery.Body),
        DemoSigner.FunctionKey => [],
        _ => throw new ArgumentOutOfRangeException(nameof(delivery), delivery.Signer, "Unknown demo signer."),
    };

    private async Task WaitForCustomerAsync(HttpClient client, string email, CancellationToken cancellationToken)
    {
        var deadline = clock.GetUtcNow() + LinkTimeout;
        var lookup = new Uri("api/customers?identity=" + Uri.EscapeDataString("email:" + email) + FunctionKeyQuery("&"), UriKind.Relative);
        while (clock.GetUtcNow() < deadline)
        {
            using var response = await client.GetAsync(lookup, cancellationToken);
            if (response.StatusCode != HttpStatusCode.NotFound)
            {
                return;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(200), clock, cancellationToken);
        }

        LogLinkTimeout(email);
    }

    private string Secret(string key) => configuration[key] ?? throw new InvalidOperationException($"{key} is not set.");

    private string FunctionKeyQuery(string separator) =>
        configuration["LocalHost:FunctionKey"] is { Length: > 0 } key ? separator + "code=" + Uri.EscapeDataString(key) : "";

    /// <summary>The address the host listens on, with a wildcard host replaced by the loopback address.</summary>
    private Uri? LocalAddress()
    {
        var address = server.Features.Get<IServerAddressesFeature>()?.Addresses
            .FirstOrDefault(a => a.StartsWith("http://", StringComparison.OrdinalIgnoreCase))
            ?? server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault();
        if (address is null)
        {
            return null;
        }

        var builder = new StringBuilder(address);
        foreach (var wildcard in new[] { "://0.0.0.0", "://[::]", "://+", "://*" })
        {
            builder.Replace(wildcard, "://127.0.0.1");
        }

        return new Uri(builder.ToString().TrimEnd('/') + "/");
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Demo mode: sending {Customers} journeys ({Touchpoints} touchpoints as signed webhook deliveries) to {BaseAddress}")]
    private partial void LogSeeding(int customers, int touchpoints, Uri baseAddress);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Demo mode: {Route} answered {Status}: {Body}")]
    private partial void LogRejected(string route, int status, string body);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Demo mode: {Email} was not resolvable after the link event; its journey may be split")]
    private partial void LogLinkTimeout(string email);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Demo mode: the server has no address to send to; nothing seeded")]
    private partial void LogNoAddress();

    [LoggerMessage(Level = LogLevel.Error, Message = "Demo mode: seeding stopped")]
    private partial void LogSeedingFailed(Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Demo customer {Email} ({Touchpoints} touchpoints: {Story}) → {Url}")]
    private partial void LogCustomer(string email, int touchpoints, string story, Uri url);

    [LoggerMessage(Level = LogLevel.Information, Message = "Demo mode: all journeys sent ({Failed} rejected); the queue processor finishes them within seconds. Open {Url} and search one of the e-mails above")]
    private partial void LogSeeded(int failed, Uri url);

    [LoggerMessage(Level = LogLevel.Information, Message = "Demo mode: {Shoppers} shoppers of three personas sent for the segment journey map ({Touchpoints} touchpoints, {Failed} rejected). Open {Url} to compare two personas")]
    private partial void LogCrowdSeeded(int shoppers, int touchpoints, int failed, Uri url);
}
