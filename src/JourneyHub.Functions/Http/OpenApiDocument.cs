namespace JourneyHub.Functions.Http;

/// <summary>The embedded OpenAPI document (Http/openapi.json), read once.</summary>
public static class OpenApiDocument
{
    private static readonly Lazy<string> Document = new(() =>
    {
        using var stream = typeof(OpenApiDocument).Assembly.GetManifestResourceStream("JourneyHub.Functions.openapi.json")
            ?? throw new InvalidOperationException("The OpenAPI document is not embedded in the Functions assembly.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    });

    public static string Text => Document.Value;
}
