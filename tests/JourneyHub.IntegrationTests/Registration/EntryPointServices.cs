using System.Diagnostics;
using System.Reflection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace JourneyHub.IntegrationTests.Registration;

/// <summary>
/// Runs a host's real entry point (its Program.cs) until it builds its host and returns the service registrations it made
/// by then; the host is never built or run. Hosts announce "HostBuilding" on the <c>Microsoft.Extensions.Hosting</c>
/// diagnostic listener, as <c>WebApplicationFactory</c> relies on; only the listener events of the calling flow are used,
/// so hosts that other tests build at the same time are left alone.
/// </summary>
internal sealed class EntryPointServices : IObserver<DiagnosticListener>, IObserver<KeyValuePair<string, object?>>
{
    private static readonly AsyncLocal<EntryPointServices?> Capturing = new();
    private readonly List<IDisposable> subscriptions = [];
    private List<ServiceDescriptor>? services;

    public static IReadOnlyList<ServiceDescriptor> Of(Assembly entryAssembly, params string[] args)
    {
        var entryPoint = entryAssembly.EntryPoint ?? throw new InvalidOperationException($"{entryAssembly.GetName().Name} has no entry point.");
        var capture = new EntryPointServices();
        Capturing.Value = capture;
        try
        {
            using (DiagnosticListener.AllListeners.Subscribe(capture))
            {
                entryPoint.Invoke(null, entryPoint.GetParameters().Length == 0 ? [] : [args]);
            }
        }
        catch (TargetInvocationException ex) when (ex.InnerException is StoppedBeforeBuildException)
        {
            // Expected: the entry point was stopped once its registrations were complete.
        }
        finally
        {
            Capturing.Value = null;
            capture.subscriptions.ForEach(s => s.Dispose());
        }

        return capture.services ?? throw new InvalidOperationException($"{entryAssembly.GetName().Name} built no host.");
    }

    public void OnNext(DiagnosticListener value)
    {
        if (Capturing.Value == this && value.Name == "Microsoft.Extensions.Hosting")
        {
            subscriptions.Add(value.Subscribe(this));
        }
    }

    public void OnNext(KeyValuePair<string, object?> value)
    {
        if (Capturing.Value != this || value is not { Key: "HostBuilding", Value: IHostBuilder host })
        {
            return;
        }

        // The builder applies these callbacks to its final service collection right after announcing the build.
        host.ConfigureServices((_, registered) =>
        {
            services = [.. registered];
            throw new StoppedBeforeBuildException();
        });
    }

    public void OnCompleted()
    {
    }

    public void OnError(Exception error)
    {
    }

    private sealed class StoppedBeforeBuildException : Exception;
}
