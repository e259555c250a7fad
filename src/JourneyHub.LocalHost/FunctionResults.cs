using System.Reflection;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Abstractions;
using Microsoft.Azure.Functions.Worker.Http;

namespace JourneyHub.LocalHost;

/// <summary>
/// Turns what an HTTP-triggered function returned into the response, as the isolated worker's ASP.NET Core
/// integration does: the result is awaited first when the function is asynchronous (<see cref="Task"/>,
/// <see cref="Task{TResult}"/>, <see cref="ValueTask"/>, <see cref="ValueTask{TResult}"/>); an
/// <see cref="IActionResult"/> is executed, an <see cref="IResult"/> too, an <see cref="HttpResponseData"/> is copied
/// (status, headers, body), and no result (<c>void</c>, <c>Task</c>, <c>ValueTask</c>) leaves the response as the
/// function wrote it to <see cref="HttpContext.Response"/>.
/// </summary>
internal static class FunctionResults
{
    private static readonly Type[] ResponseTypes = [typeof(IActionResult), typeof(IResult), typeof(HttpResponseData)];

    /// <summary>
    /// Whether the local host can answer with what a method declared as returning <paramref name="returnType"/>
    /// returns; checked when the routes are mapped so that an unsupported shape fails at start, not per request.
    /// </summary>
    public static bool IsSupported(Type returnType)
    {
        ArgumentNullException.ThrowIfNull(returnType);
        var result = ResultType(returnType);
        return result is null || ResponseTypes.Any(t => t.IsAssignableFrom(result));
    }

    /// <summary>The declared result once awaited: null for <c>void</c>, <c>Task</c> and <c>ValueTask</c>.</summary>
    private static Type? ResultType(Type returnType) =>
        returnType == typeof(void) || returnType == typeof(Task) || returnType == typeof(ValueTask) ? null
        : returnType.IsGenericType && (returnType.GetGenericTypeDefinition() == typeof(Task<>) || returnType.GetGenericTypeDefinition() == typeof(ValueTask<>)) ? returnType.GetGenericArguments()[0]
        : returnType;

    /// <summary>
    /// The function's result, awaited when the method is asynchronous. The declared type decides, not the runtime
    /// one: the task of an <c>async Task</c> method is a <c>Task&lt;VoidTaskResult&gt;</c> underneath.
    /// </summary>
    public static async ValueTask<object?> AwaitAsync(MethodInfo method, object? returned)
    {
        ArgumentNullException.ThrowIfNull(method);
        var declared = method.ReturnType;
        switch (returned)
        {
            case ValueTask valueTask:
                await valueTask;
                return null;
            case Task task:
                await task;
                return declared.IsGenericType ? declared.GetProperty(nameof(Task<object>.Result))!.GetValue(task) : null;
            case not null when declared.IsGenericType && declared.GetGenericTypeDefinition() == typeof(ValueTask<>):
                var asTask = (Task)declared.GetMethod(nameof(ValueTask<object>.AsTask))!.Invoke(returned, null)!;
                await asTask;
                return asTask.GetType().GetProperty(nameof(Task<object>.Result))!.GetValue(asTask);
            default:
                return returned;
        }
    }

    public static async Task WriteAsync(HttpContext context, object? result)
    {
        ArgumentNullException.ThrowIfNull(context);
        switch (result)
        {
            case null:
                return;
            case IActionResult action:
                await action.ExecuteResultAsync(new ActionContext(context, context.GetRouteData(), new ActionDescriptor()));
                return;
            case IResult minimal:
                await minimal.ExecuteAsync(context);
                return;
            case HttpResponseData data:
                await CopyAsync(data, context.Response, context.RequestAborted);
                return;
            default:
                throw new InvalidOperationException($"The local host cannot answer with a {result.GetType().Name}.");
        }
    }

    private static async Task CopyAsync(HttpResponseData data, HttpResponse response, CancellationToken cancellationToken)
    {
        response.StatusCode = (int)data.StatusCode;
        foreach (var header in data.Headers)
        {
            response.Headers[header.Key] = header.Value.ToArray();
        }

        if (data is LocalHttpResponseData local && local.SetCookieHeaders.ToArray() is { Length: > 0 } setCookies)
        {
            response.Headers.SetCookie = setCookies;
        }

        if (data.Body.CanSeek)
        {
            data.Body.Position = 0;
        }

        await data.Body.CopyToAsync(response.Body, cancellationToken);
    }
}
