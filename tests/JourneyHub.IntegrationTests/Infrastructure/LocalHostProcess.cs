using System.Diagnostics;
using System.Net.Http.Json;
using System.Text;
using JourneyHub.LocalHost;

namespace JourneyHub.IntegrationTests.Infrastructure;

/// <summary>
/// The built local host started as its own process (as a user runs it), on a free port, against the
/// given storage; killed on dispose. Its console output is kept for failure messages.
/// </summary>
public sealed class LocalHostProcess : IAsyncDisposable
{
    private readonly Process process;
    private readonly StringBuilder output;

    private LocalHostProcess(Process process, StringBuilder output, Uri baseAddress)
    {
        this.process = process;
        this.output = output;
        BaseAddress = baseAddress;
        Client = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };
    }

    public Uri BaseAddress { get; }

    public HttpClient Client { get; }

    public string Output
    {
        get
        {
            lock (output)
            {
                return output.ToString();
            }
        }
    }

    public static async Task<LocalHostProcess> StartAsync(string storageConnectionString, IReadOnlyDictionary<string, string>? settings = null, int? port = null)
    {
        var dll = Path.Combine(Fixture.RepositoryRoot(), "src", "JourneyHub.LocalHost", "bin", Fixture.BuildConfiguration, "net10.0", "JourneyHub.LocalHost.dll");
        if (!File.Exists(dll))
        {
            throw new InvalidOperationException($"Build the local host first: {dll} is missing.");
        }

        var chosenPort = port ?? AzuriteProcess.FreePort();
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Fixture.RepositoryRoot(),
        };
        start.ArgumentList.Add(dll);
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add($"http://127.0.0.1:{chosenPort}");
        start.Environment["AzureWebJobsStorage"] = storageConnectionString;
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        start.Environment["LocalHost__RetryDelay"] = "00:00:00.200";
        start.Environment["Http__Resilience__Retry__Delay"] = "00:00:00.050";
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        var output = new StringBuilder();
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var host = new LocalHostProcess(process, output, new Uri($"http://127.0.0.1:{chosenPort}"));
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException("The local host exited during start:\n" + host.Output);
            }

            try
            {
                using var response = await host.Client.GetAsync(new Uri("/api/health", UriKind.Relative));
                if (response.IsSuccessStatusCode)
                {
                    return host;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            if (DateTime.UtcNow > deadline)
            {
                await host.DisposeAsync();
                throw new TimeoutException("The local host did not become healthy:\n" + host.Output);
            }

            await Task.Delay(200);
        }
    }

    /// <summary>Polls until <paramref name="condition"/> holds, for work the queue processor does in the background.</summary>
    public static async Task<T> EventuallyAsync<T>(Func<Task<T>> probe, Func<T, bool> condition, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        while (true)
        {
            var value = await probe();
            if (condition(value) || DateTime.UtcNow > deadline)
            {
                return value;
            }

            await Task.Delay(150);
        }
    }

    public void Kill() => process.Kill(entireProcessTree: true);

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        process.Dispose();
    }
}
