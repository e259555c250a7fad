using System.Diagnostics;
using System.Globalization;
using System.Text;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using JourneyHub.Azure.Storage;
using JourneyHub.LocalHost;

namespace JourneyHub.LoadHarness;

/// <summary>
/// Azurite plus the built local host as a separate process, both on 127.0.0.1, owned and stopped by the
/// harness. Fault scenarios restart either one in place (same ports, same data).
/// </summary>
public sealed class HubEnvironment : IAsyncDisposable
{
    public const string FunctionKey = "harness-function-key";
    public const string AdminKey = "harness-admin-key";
    public const string HubSpotSecret = "5d0f3b8a-2c4e-4f6a-9b1d-7e3c5a9f1b2d";
    public const string MetaAppSecret = "harness-meta-app-secret-7f3a";
    public const string SalesforceOrganizationId = "00D5g000004ZkQ1EAK";
    public const string CustomSourceName = "loadtest";
    public const string CustomSecret = "whsec_BwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyAhIiMkJSY=";
    public const string TypeformSecret = "harness-typeform-secret";
    public const string SurveyMonkeyClientId = "harness-sm-client";
    public const string SurveyMonkeyClientSecret = "harness-sm-secret";
    public const string DelightedApiKey = "harness-delighted-key";

    private readonly string? dataDirectory;
    private readonly Dictionary<string, string> settings;
    private readonly string configuration;
    private AzuriteProcess azurite;
    private Process host = null!;
    private readonly StringBuilder hostOutput = new();
    private long peakWorkingSet;

    private HubEnvironment(AzuriteProcess azurite, string? dataDirectory, Dictionary<string, string> settings, string configuration, int port)
    {
        this.azurite = azurite;
        this.dataDirectory = dataDirectory;
        this.settings = settings;
        this.configuration = configuration;
        Port = port;
        BaseAddress = new Uri($"http://127.0.0.1:{port}");
    }

    public int Port { get; }

    public Uri BaseAddress { get; }

    /// <summary>The connection string the host uses; differs from Azurite's own when a counting proxy sits between.</summary>
    public string HostStorage { get; private set; } = "";

    public string StorageConnectionString => azurite.ConnectionString;

    public TableServiceClient Tables => new(StorageConnectionString);

    public BlobContainerClient RawContainer => new BlobServiceClient(StorageConnectionString).GetBlobContainerClient(StorageNames.RawContainer);

    public QueueClient IngestQueue => new QueueServiceClient(StorageConnectionString).GetQueueClient(StorageNames.IngestQueue);

    public QueueClient PoisonQueue => new QueueServiceClient(StorageConnectionString).GetQueueClient(StorageNames.IngestPoisonQueue);

    public int HostProcessId => host.Id;

    public int HostRestarts { get; private set; }

    public int AzuriteRestarts { get; private set; }

    /// <summary>Highest resident set of the local host process seen (VmHWM), across restarts, in bytes.</summary>
    public long PeakWorkingSetBytes
    {
        get
        {
            SamplePeak();
            return Interlocked.Read(ref peakWorkingSet);
        }
    }

    public string HostOutput
    {
        get
        {
            lock (hostOutput)
            {
                return hostOutput.Length > 8000 ? hostOutput.ToString(hostOutput.Length - 8000, 8000) : hostOutput.ToString();
            }
        }
    }

    /// <param name="persistent">Azurite on disk (fixed ports), so it can be stopped and started on the same data.</param>
    /// <param name="storageFor">Lets a scenario put something (a counting proxy) between the host and Azurite.</param>
    public static async Task<HubEnvironment> StartAsync(
        HarnessOptions options,
        bool persistent,
        IReadOnlyDictionary<string, string>? extraSettings,
        Func<AzuriteProcess, Task<string>>? storageFor,
        CancellationToken cancellationToken)
    {
        var dataDirectory = persistent ? Path.Combine(Path.GetTempPath(), "journeyhub-harness-" + Guid.NewGuid().ToString("N")[..12]) : null;
        var ports = persistent ? (AzuriteProcess.FreePort(), AzuriteProcess.FreePort(), AzuriteProcess.FreePort()) : ((int, int, int)?)null;
        var azurite = await AzuriteProcess.StartAsync(ports, dataDirectory, cancellationToken);
        var settings = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["Logging__LogLevel__Default"] = "Warning",
            ["Logging__LogLevel__JourneyHub.LocalHost.QueueTriggerWorker"] = "Error",
            ["LocalHost__FunctionKey"] = FunctionKey,
            ["LocalHost__AdminKey"] = AdminKey,
            ["LocalHost__RetryDelay"] = "00:00:00.500",
            ["LocalHost__VisibilityTimeout"] = "00:00:20",
            ["LocalHost__BatchSize"] = "32",
            ["Http__Resilience__Retry__Delay"] = "00:00:00.050",
            ["Sources__HubSpot__ClientSecret"] = HubSpotSecret,
            ["Sources__Meta__AppSecret"] = MetaAppSecret,
            ["Sources__Meta__VerifyToken"] = "harness-verify-token",
            ["Sources__Salesforce__OrganizationId"] = SalesforceOrganizationId,
            [$"Sources__Custom__{CustomSourceName}__Secret"] = CustomSecret,
            ["Sources__Typeform__Secret"] = TypeformSecret,
            ["Sources__SurveyMonkey__ClientId"] = SurveyMonkeyClientId,
            ["Sources__SurveyMonkey__ClientSecret"] = SurveyMonkeyClientSecret,
            ["Sources__Delighted__ApiKey"] = DelightedApiKey,
            ["Privacy__SuppressionKey"] = "harness-suppression-key-0123456789abcdef",
        };
        foreach (var (key, value) in extraSettings ?? new Dictionary<string, string>())
        {
            settings[key] = value;
        }

        var environment = new HubEnvironment(azurite, dataDirectory, settings, options.Configuration ?? BuildConfiguration(), AzuriteProcess.FreePort());
        environment.HostStorage = storageFor is null ? azurite.ConnectionString : await storageFor(azurite);
        await environment.StartHostAsync(cancellationToken);
        return environment;
    }

    public HttpClient CreateClient() => new(new SocketsHttpHandler { MaxConnectionsPerServer = 64, PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
    {
        BaseAddress = BaseAddress,
        Timeout = TimeSpan.FromSeconds(60),
    };

    /// <summary>Kills the host (no graceful shutdown: in-flight work is abandoned), then starts it again on the same port.</summary>
    public async Task KillAndRestartHostAsync(TimeSpan downtime, CancellationToken cancellationToken)
    {
        SamplePeak();
        host.Kill(entireProcessTree: true);
        await host.WaitForExitAsync(cancellationToken);
        host.Dispose();
        await Task.Delay(downtime, cancellationToken);
        await StartHostAsync(cancellationToken);
        HostRestarts++;
    }

    /// <summary>Stops Azurite with SIGTERM (it flushes its disk store), waits, then starts it on the same ports and data.</summary>
    public async Task StopAndRestartAzuriteAsync(TimeSpan downtime, CancellationToken cancellationToken)
    {
        if (dataDirectory is null)
        {
            throw new InvalidOperationException("Azurite restarts need the persistent environment.");
        }

        var pid = azurite.ProcessId;
        using (var kill = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { "-TERM", pid.ToString(CultureInfo.InvariantCulture) }, UseShellExecute = false }))
        {
            await kill!.WaitForExitAsync(cancellationToken);
        }

        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (Directory.Exists($"/proc/{pid}") && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100, cancellationToken);
        }

        await azurite.DisposeAsync();
        await Task.Delay(downtime, cancellationToken);
        azurite = await AzuriteProcess.StartAsync((azurite.BlobPort, azurite.QueuePort, azurite.TablePort), dataDirectory, cancellationToken);
        AzuriteRestarts++;
    }

    private async Task StartHostAsync(CancellationToken cancellationToken)
    {
        var root = RepositoryRoot();
        var dll = Path.Combine(root, "src", "JourneyHub.LocalHost", "bin", configuration, "net10.0", "JourneyHub.LocalHost.dll");
        if (!File.Exists(dll))
        {
            throw new InvalidOperationException($"Build the local host first ({configuration}): {dll} is missing.");
        }

        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = root,
        };
        start.ArgumentList.Add(dll);
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add(BaseAddress.ToString().TrimEnd('/'));
        start.Environment["AzureWebJobsStorage"] = HostStorage;
        foreach (var (key, value) in settings)
        {
            start.Environment[key] = value;
        }

        host = Process.Start(start) ?? throw new InvalidOperationException("Could not start the local host.");
        host.OutputDataReceived += (_, e) => Append(e.Data);
        host.ErrorDataReceived += (_, e) => Append(e.Data);
        host.BeginOutputReadLine();
        host.BeginErrorReadLine();

        using var client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            if (host.HasExited)
            {
                throw new InvalidOperationException("The local host exited during start:\n" + HostOutput);
            }

            try
            {
                using var response = await client.GetAsync(new Uri("/api/health", UriKind.Relative), cancellationToken);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
            {
                // Not listening yet.
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("The local host did not become healthy:\n" + HostOutput);
            }

            await Task.Delay(200, cancellationToken);
        }
    }

    public bool HostIsRunning => !host.HasExited;

    /// <summary>Reads VmHWM (peak resident set) from /proc; Linux keeps it per process for its whole life.</summary>
    public void SamplePeak()
    {
        try
        {
            if (host.HasExited)
            {
                return;
            }

            foreach (var line in File.ReadLines($"/proc/{host.Id}/status"))
            {
                if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                {
                    var kb = long.Parse(line[6..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
                    var bytes = kb * 1024;
                    long current;
                    while ((current = Interlocked.Read(ref peakWorkingSet)) < bytes && Interlocked.CompareExchange(ref peakWorkingSet, bytes, current) != current)
                    {
                    }
                }
            }
        }
        catch (Exception ex) when (ex is IOException or InvalidOperationException or UnauthorizedAccessException)
        {
            // The process went away between the check and the read.
        }
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (hostOutput)
        {
            hostOutput.AppendLine(line);
            if (hostOutput.Length > 200_000)
            {
                hostOutput.Remove(0, 100_000);
            }
        }
    }

    public static string RepositoryRoot()
    {
        foreach (var start in new[] { AppContext.BaseDirectory, Directory.GetCurrentDirectory() })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "JourneyHub.sln")))
                {
                    return dir.FullName;
                }
            }
        }

        throw new InvalidOperationException("JourneyHub.sln not found above " + AppContext.BaseDirectory);
    }

    /// <summary>bin/&lt;Configuration&gt;/net10.0/ of whatever assembly runs the harness.</summary>
    private static string BuildConfiguration() =>
        new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent?.Name ?? "Debug";

    public async ValueTask DisposeAsync()
    {
        SamplePeak();
        if (!host.HasExited)
        {
            host.Kill(entireProcessTree: true);
            await host.WaitForExitAsync();
        }

        host.Dispose();
        await azurite.DisposeAsync();
        if (dataDirectory is not null)
        {
            try
            {
                Directory.Delete(dataDirectory, recursive: true);
            }
            catch (IOException)
            {
                // Best effort: it lives under the temp folder.
            }
        }
    }
}
