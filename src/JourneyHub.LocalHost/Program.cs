using JourneyHub.Functions;
using JourneyHub.LocalHost;

// The local host serves the Functions app's routes with the same function classes, on Azurite by default.
var builder = WebApplication.CreateBuilder(DemoSeeder.WithoutFlag(args));
builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
{
    ["AzureWebJobsStorage"] = builder.Configuration["AzureWebJobsStorage"] ?? "UseDevelopmentStorage=true",
});
var defaulted = LocalHostDefaults.Apply(builder.Configuration);
if (builder.Configuration["urls"] is null && builder.Configuration["ASPNETCORE_URLS"] is null)
{
    builder.WebHost.UseUrls("http://127.0.0.1:7071");
}

var azurite = await LocalStorage.EnsureAzuriteAsync(builder.Configuration);
builder.AddJourneyHubFunctions();
builder.Services.AddOptions<LocalHostOptions>().BindConfiguration(LocalHostOptions.Section);
builder.Services.AddHostedService<QueueTriggerWorker>();
builder.Services.AddHostedService<TimerTriggerWorker>();
builder.Services.AddRouting();
if (DemoSeeder.IsRequested(args, builder.Configuration))
{
    DemoSeeder.AddDemoSeeder(builder);
}

var app = builder.Build();
foreach (var setting in defaulted)
{
    LocalHostDefaults.LogDefaultUsed(app.Logger, setting);
}

app.MapFunctions();
app.Lifetime.ApplicationStopped.Register(() => azurite?.DisposeAsync().AsTask().GetAwaiter().GetResult());
await app.RunAsync();

/// <summary>Entry point, visible to the integration tests.</summary>
public partial class Program;
