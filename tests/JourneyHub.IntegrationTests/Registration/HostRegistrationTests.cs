using System.Reflection;
using JourneyHub.Core.Sources;
using JourneyHub.Functions;
using JourneyHub.LocalHost;
using Microsoft.Extensions.DependencyInjection;

namespace JourneyHub.IntegrationTests.Registration;

/// <summary>The Functions app and the local host register the hub through one entry, so they serve it with the same services.</summary>
public sealed class HostRegistrationTests
{
    // Explicit endpoints: the local host starts no Azurite of its own for them, and nothing is ever called.
    private static readonly string[] Args =
    [
        "--AzureWebJobsStorage=DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;BlobEndpoint=http://127.0.0.1:1/devstoreaccount1;QueueEndpoint=http://127.0.0.1:1/devstoreaccount1;TableEndpoint=http://127.0.0.1:1/devstoreaccount1;",
        "--Privacy:SuppressionKey=host-registration-tests-suppression-key-0123",
    ];

    [Fact]
    public void The_functions_app_and_the_local_host_register_the_same_hub_services_in_the_same_order()
    {
        var functionsApp = HubRegistrations(EntryPointServices.Of(typeof(FunctionsRegistration).Assembly, Args));
        var localHost = HubRegistrations(EntryPointServices.Of(typeof(LocalHostDefaults).Assembly, Args));

        // A capture that missed the registrations would compare two empty lists: make sure the hub is in them.
        Assert.Contains(functionsApp, d => d.StartsWith($"Singleton {typeof(SourceRegistry).FullName} ", StringComparison.Ordinal));
        Assert.True(functionsApp.Count > 100, $"only {functionsApp.Count} hub registrations were captured");
        Assert.Equal(functionsApp, localHost);
    }

    [Fact]
    public void Every_service_the_entry_registers_can_be_constructed()
    {
        var builder = HubHostBuilder.Create(new Dictionary<string, string?> { ["AzureWebJobsStorage"] = "UseDevelopmentStorage=true" });
        builder.AddJourneyHubFunctions();

        // ValidateOnBuild checks that every registered type's constructor finds its dependencies; nothing is resolved or called.
        using var provider = builder.Services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        Assert.NotNull(provider.GetRequiredService<SourceRegistry>());
    }

    /// <summary>
    /// The registrations that involve the hub's own types, described by lifetime, service, key and implementation (type,
    /// instance type or factory method). Each host's own machinery is left out: the Functions worker's (its types, and
    /// the function metadata generated into the app) and the local host's (its workers and options).
    /// </summary>
    private static List<string> HubRegistrations(IReadOnlyList<ServiceDescriptor> descriptors) =>
    [
        .. descriptors
            .Where(d => TypesOf(d).Any(IsHubType) && !TypesOf(d).Any(IsHostMachinery))
            .Select(Describe),
    ];

    private static string Describe(ServiceDescriptor descriptor)
    {
        var implementation = (descriptor.IsKeyedService ? descriptor.KeyedImplementationType : descriptor.ImplementationType)?.FullName
            ?? (descriptor.IsKeyedService ? descriptor.KeyedImplementationInstance : descriptor.ImplementationInstance)?.GetType().FullName
            ?? (Factory(descriptor) is { } factory ? $"{factory.DeclaringType?.FullName}.{factory.Name}" : "?");
        return $"{descriptor.Lifetime} {descriptor.ServiceType.FullName} {descriptor.ServiceKey} -> {implementation}";
    }

    private static MethodInfo? Factory(ServiceDescriptor descriptor) =>
        descriptor.IsKeyedService ? descriptor.KeyedImplementationFactory?.Method : descriptor.ImplementationFactory?.Method;

    private static IEnumerable<Type> TypesOf(ServiceDescriptor descriptor)
    {
        Type?[] direct =
        [
            descriptor.ServiceType,
            descriptor.IsKeyedService ? descriptor.KeyedImplementationType : descriptor.ImplementationType,
            (descriptor.IsKeyedService ? descriptor.KeyedImplementationInstance : descriptor.ImplementationInstance)?.GetType(),
            Factory(descriptor)?.DeclaringType,
        ];
        return direct.OfType<Type>().SelectMany(WithGenericArguments);
    }

    private static IEnumerable<Type> WithGenericArguments(Type type) => [type, .. type.GenericTypeArguments.SelectMany(WithGenericArguments)];

    private static bool IsHubType(Type type) => type.Assembly.GetName().Name!.StartsWith("JourneyHub.", StringComparison.Ordinal);

    private static bool IsHostMachinery(Type type) =>
        type.Assembly.GetName().Name is { } name
        && (name.StartsWith("Microsoft.Azure.Functions.", StringComparison.Ordinal) || name == "JourneyHub.LocalHost");
}
