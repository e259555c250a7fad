using System.Reflection;
using Microsoft.Azure.Functions.Worker;

namespace JourneyHub.LocalHost;

/// <summary>
/// The Functions app's own function classes, read from their attributes. The local host maps exactly
/// these, so its routes cannot drift from what Azure serves.
/// </summary>
public static class FunctionCatalog
{
    public static Assembly FunctionsAssembly => typeof(Functions.Functions.HubSpotWebhookFunction).Assembly;

    public static IReadOnlyList<HttpFunction> HttpFunctions { get; } = HttpFunctionsIn(FunctionsAssembly.GetTypes());

    /// <summary>The HTTP triggers declared by these classes (the Functions app's, or a test's own).</summary>
    public static IReadOnlyList<HttpFunction> HttpFunctionsIn(IEnumerable<Type> functionClasses) => Discover(functionClasses)
        .SelectMany(f => f.Method.GetParameters()
            .Select(p => p.GetCustomAttribute<HttpTriggerAttribute>())
            .OfType<HttpTriggerAttribute>()
            .Select(t => new HttpFunction(f.Name, "api/" + (t.Route ?? f.Name), t.Methods ?? ["get", "post"], t.AuthLevel, f.Method)))
        .ToList();

    public static IReadOnlyList<QueueFunction> QueueFunctions { get; } = QueueFunctionsIn(FunctionsAssembly.GetTypes());

    /// <summary>The queue triggers declared by these classes (the Functions app's, or a test's own).</summary>
    public static IReadOnlyList<QueueFunction> QueueFunctionsIn(IEnumerable<Type> functionClasses) => Discover(functionClasses)
        .SelectMany(f => f.Method.GetParameters()
            .Select(p => p.GetCustomAttribute<QueueTriggerAttribute>())
            .OfType<QueueTriggerAttribute>()
            .Select(t => new QueueFunction(f.Name, t.QueueName, f.Method)))
        .ToList();

    public static IReadOnlyList<TimerFunction> TimerFunctions { get; } = Discover(FunctionsAssembly.GetTypes())
        .SelectMany(f => f.Method.GetParameters()
            .Select(p => p.GetCustomAttribute<TimerTriggerAttribute>())
            .OfType<TimerTriggerAttribute>()
            .Select(t => new TimerFunction(f.Name, t.Schedule, f.Method)))
        .ToList();

    private static IEnumerable<(string Name, MethodInfo Method)> Discover(IEnumerable<Type> types) =>
        types
            .Where(t => t.IsClass && (!t.IsAbstract || t.IsSealed))
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly))
            .Select(m => (Attribute: m.GetCustomAttribute<FunctionAttribute>(), Method: m))
            .Where(x => x.Attribute is not null)
            .Select(x => (x.Attribute!.Name, x.Method));
}

public sealed partial record HttpFunction(string Name, string Route, IReadOnlyList<string> Methods, AuthorizationLevel AuthLevel, MethodInfo Method)
{
    /// <summary>
    /// The route as callers write it: a one-value regex segment (used because the Functions host reserves
    /// routes that start with "admin") becomes its literal, e.g. "api/admin/replay".
    /// </summary>
    public string PublicRoute => SingleValueSegment().Replace(Route, m => m.Groups["literal"].Value);

    [System.Text.RegularExpressions.GeneratedRegex(@"\{[^}:]+:regex\(\^(?<literal>[a-z0-9-]+)\$\)\}")]
    private static partial System.Text.RegularExpressions.Regex SingleValueSegment();
}

public sealed record QueueFunction(string Name, string QueueName, MethodInfo Method);

public sealed record TimerFunction(string Name, string Schedule, MethodInfo Method);
