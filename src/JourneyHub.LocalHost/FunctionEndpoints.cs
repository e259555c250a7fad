using System.Reflection;
using Azure.Storage.Queues.Models;
using JourneyHub.Functions.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Abstractions;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Http;

namespace JourneyHub.LocalHost;

/// <summary>Maps every HTTP-triggered function onto ASP.NET Core routing and invokes it the way the worker would.</summary>
public static partial class FunctionEndpoints
{
    /// <summary>Maps the Functions app's HTTP triggers (<see cref="FunctionCatalog.HttpFunctions"/>).</summary>
    public static void MapFunctions(this IEndpointRouteBuilder endpoints) => endpoints.MapFunctions(FunctionCatalog.HttpFunctions);

    /// <summary>
    /// Maps these HTTP triggers. Every return shape an HTTP trigger may have is served (see <see cref="FunctionResults"/>);
    /// any other fails here, at start, naming the function.
    /// </summary>
    public static void MapFunctions(this IEndpointRouteBuilder endpoints, IEnumerable<HttpFunction> functions)
    {
        ArgumentNullException.ThrowIfNull(functions);
        foreach (var function in functions)
        {
            if (!FunctionResults.IsSupported(function.Method.ReturnType))
            {
                throw new InvalidOperationException(
                    $"Function '{function.Name}' returns {function.Method.ReturnType.Name}: the local host serves IActionResult, IResult, HttpResponseData or no result, each directly or as Task/ValueTask.");
            }

            endpoints.MapMethods("/" + function.Route, function.Methods.Select(m => m.ToUpperInvariant()), context => InvokeAsync(context, function))
                .WithName(function.Name);
        }
    }

    private static async Task InvokeAsync(HttpContext context, HttpFunction function)
    {
        var settings = context.RequestServices.GetRequiredService<IConfiguration>();
        if (!LocalKeys.IsAuthorized(context.Request, function, settings))
        {
            var unauthorized = HubResults.Problem(401, "Missing or wrong key", "This route needs its key in the 'x-functions-key' header (or the 'code' query parameter): see docs/deploy.md, Keys.");
            await unauthorized.ExecuteResultAsync(new ActionContext(context, context.GetRouteData(), new ActionDescriptor()));
            return;
        }

        var instance = function.Method.IsStatic ? null : ActivatorUtilities.CreateInstance(context.RequestServices, function.Method.DeclaringType!);
        var invocation = new Lazy<LocalFunctionContext>(() => new LocalFunctionContext(context, function));
        var arguments = function.Method.GetParameters().Select(p => Bind(p.ParameterType, p.Name!, context, invocation)).ToArray();

        // Not wrapped in TargetInvocationException: a synchronous function's exception surfaces as an async one's does.
        var returned = function.Method.Invoke(instance, BindingFlags.DoNotWrapExceptions, binder: null, arguments, culture: null);
        var result = await FunctionResults.AwaitAsync(function.Method, returned);
        await FunctionResults.WriteAsync(context, result);
    }

    private static object? Bind(Type type, string name, HttpContext context, Lazy<LocalFunctionContext> invocation) =>
        type == typeof(HttpRequest) ? context.Request
        : type == typeof(HttpContext) ? context
        : type == typeof(CancellationToken) ? context.RequestAborted
        : type == typeof(string) ? context.Request.RouteValues[name]?.ToString()
        : type == typeof(FunctionContext) ? invocation.Value
        : type == typeof(HttpRequestData) ? new LocalHttpRequestData(invocation.Value, context.Request)
        : throw new InvalidOperationException($"The local host cannot bind parameter '{name}' of type {type.Name}.");

    internal static Task InvokeQueueFunctionAsync(IServiceProvider services, QueueFunction function, QueueMessage message, CancellationToken cancellationToken)
    {
        var instance = ActivatorUtilities.CreateInstance(services, function.Method.DeclaringType!);
        var arguments = function.Method.GetParameters()
            .Select(p => p.ParameterType == typeof(QueueMessage) ? message
                : p.ParameterType == typeof(string) ? message.MessageText
                : p.ParameterType == typeof(CancellationToken) ? (object)cancellationToken
                : throw new InvalidOperationException($"The local host cannot bind parameter '{p.Name}' of {function.Name}."))
            .ToArray();
        return (Task)function.Method.Invoke(instance, arguments)!;
    }
}
