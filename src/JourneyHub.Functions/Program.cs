using JourneyHub.Azure.Configuration;
using JourneyHub.Functions;
using JourneyHub.Functions.Http;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Hosting;

var builder = FunctionsApplication.CreateBuilder(args);
builder.ConfigureFunctionsWebApplication();
builder.Services.AddJourneyHub(builder.Configuration);
builder.Services.AddJourneyHubHttp();
builder.Services.AddJourneyHubTelemetry(builder.Configuration);
builder.Build().Run();
