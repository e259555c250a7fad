using System.Collections.Immutable;
using System.Net;
using System.Security.Claims;
using System.Text;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Http;

namespace JourneyHub.LocalHost;

/// <summary>
/// The worker's view of one invocation, for functions that take <see cref="FunctionContext"/> or
/// <see cref="HttpRequestData"/> instead of ASP.NET Core's <see cref="HttpRequest"/>: its services are the request's,
/// its cancellation token the request's abort token. The local host has no host-side binding data, retries or trace
/// state of the Functions host; those parts are empty.
/// </summary>
internal sealed class LocalFunctionContext(HttpContext http, HttpFunction function) : FunctionContext
{
    private IServiceProvider? services;

    public override string InvocationId { get; } = Guid.NewGuid().ToString();

    public override string FunctionId => function.Name;

    public override TraceContext TraceContext { get; } = new LocalTraceContext(System.Diagnostics.Activity.Current?.Id ?? "", System.Diagnostics.Activity.Current?.TraceStateString ?? "");

    public override BindingContext BindingContext { get; } = new LocalBindingContext(http.Request.RouteValues.ToDictionary(v => v.Key, v => v.Value, StringComparer.OrdinalIgnoreCase));

    public override RetryContext RetryContext { get; } = new LocalRetryContext();

    public override IServiceProvider InstanceServices
    {
        get => services ?? http.RequestServices;
        set => services = value;
    }

    public override FunctionDefinition FunctionDefinition { get; } = new LocalFunctionDefinition(function);

    public override IDictionary<object, object> Items { get; set; } = new Dictionary<object, object>();

    public override IInvocationFeatures Features { get; } = new LocalInvocationFeatures();

    public override CancellationToken CancellationToken => http.RequestAborted;

    private sealed class LocalTraceContext(string traceParent, string traceState) : TraceContext
    {
        public override string TraceParent => traceParent;

        public override string TraceState => traceState;
    }

    private sealed class LocalBindingContext(IReadOnlyDictionary<string, object?> data) : BindingContext
    {
        public override IReadOnlyDictionary<string, object?> BindingData => data;
    }

    private sealed class LocalRetryContext : RetryContext
    {
        public override int RetryCount => 0;

        public override int MaxRetryCount => 0;
    }

    private sealed class LocalFunctionDefinition(HttpFunction function) : FunctionDefinition
    {
        public override ImmutableArray<FunctionParameter> Parameters { get; } =
            [.. function.Method.GetParameters().Select(p => new FunctionParameter(p.Name!, p.ParameterType))];

        public override string PathToAssembly => function.Method.DeclaringType!.Assembly.Location;

        public override string EntryPoint => $"{function.Method.DeclaringType!.FullName}.{function.Method.Name}";

        public override string Id => function.Name;

        public override string Name => function.Name;

        public override IImmutableDictionary<string, BindingMetadata> InputBindings => ImmutableDictionary<string, BindingMetadata>.Empty;

        public override IImmutableDictionary<string, BindingMetadata> OutputBindings => ImmutableDictionary<string, BindingMetadata>.Empty;
    }

    private sealed class LocalInvocationFeatures : Dictionary<Type, object>, IInvocationFeatures
    {
        public T? Get<T>() => TryGetValue(typeof(T), out var feature) ? (T)feature : default;

        public void Set<T>(T instance)
        {
            if (instance is null)
            {
                Remove(typeof(T));
            }
            else
            {
                this[typeof(T)] = instance;
            }
        }
    }
}

/// <summary>The incoming request as <see cref="HttpRequestData"/>: the same body stream, headers and URL.</summary>
internal sealed class LocalHttpRequestData(FunctionContext functionContext, HttpRequest request) : HttpRequestData(functionContext)
{
    public override Stream Body => request.Body;

    public override HttpHeadersCollection Headers { get; } = new(request.Headers.Select(h => new KeyValuePair<string, IEnumerable<string>>(h.Key, h.Value.Select(v => v ?? ""))));

    public override IReadOnlyCollection<IHttpCookie> Cookies { get; } = request.Cookies.Select(c => (IHttpCookie)new HttpCookie(c.Key, c.Value)).ToList();

    public override Uri Url { get; } = new(Microsoft.AspNetCore.Http.Extensions.UriHelper.GetEncodedUrl(request));

    public override IEnumerable<ClaimsIdentity> Identities => request.HttpContext.User.Identities;

    public override string Method => request.Method;

    public override HttpResponseData CreateResponse() => new LocalHttpResponseData(FunctionContext);
}

/// <summary>A response a function builds with <see cref="HttpRequestData.CreateResponse()"/>; written out after it returns.</summary>
internal sealed class LocalHttpResponseData(FunctionContext functionContext) : HttpResponseData(functionContext)
{
    private readonly LocalCookies cookies = new();

    public override HttpStatusCode StatusCode { get; set; } = HttpStatusCode.OK;

    public override HttpHeadersCollection Headers { get; set; } = [];

    public override Stream Body { get; set; } = new MemoryStream();

    public override HttpCookies Cookies => cookies;

    /// <summary>The cookies appended by the function, as <c>Set-Cookie</c> header values.</summary>
    public IEnumerable<string> SetCookieHeaders => cookies.HeaderValues;

    private sealed class LocalCookies : HttpCookies
    {
        private readonly List<IHttpCookie> appended = [];

        public IEnumerable<string> HeaderValues => appended.Select(Format);

        public override void Append(string name, string value) => appended.Add(new HttpCookie(name, value));

        public override void Append(IHttpCookie cookie) => appended.Add(cookie);

        public override IHttpCookie CreateNew() => new HttpCookie("", "");

        private static string Format(IHttpCookie cookie)
        {
            var header = new StringBuilder(cookie.Name).Append('=').Append(cookie.Value);
            if (cookie.Path is { } path)
            {
                header.Append("; Path=").Append(path);
            }

            if (cookie.Domain is { } domain)
            {
                header.Append("; Domain=").Append(domain);
            }

            if (cookie.Expires is { } expires)
            {
                header.Append("; Expires=").Append(expires.UtcDateTime.ToString("R", System.Globalization.CultureInfo.InvariantCulture));
            }

            if (cookie.MaxAge is { } maxAge)
            {
                header.Append("; Max-Age=").Append(maxAge.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }

            if (cookie.Secure == true)
            {
                header.Append("; Secure");
            }

            if (cookie.HttpOnly == true)
            {
                header.Append("; HttpOnly");
            }

            if (cookie.SameSite is not SameSite.None)
            {
                header.Append("; SameSite=").Append(cookie.SameSite == SameSite.ExplicitNone ? "None" : cookie.SameSite.ToString());
            }

            return header.ToString();
        }
    }
}
