using System.Text.Json;
using System.Text.Json.Serialization;
using Refit;

namespace JourneyHub.Azure.Pull;

// Every call returns the body as a stream: the page is archived byte for byte before anything reads it.

/// <summary>HubSpot CRM v3 search and v4 association reads.</summary>
public interface IHubSpotPullApi
{
    [Post("/crm/v3/objects/{objectType}/search")]
    Task<Stream> SearchAsync(string objectType, [Body] HubSpotSearchRequest request, CancellationToken cancellationToken);

    [Post("/crm/v4/associations/{fromObjectType}/contacts/batch/read")]
    Task<Stream> ContactAssociationsAsync(string fromObjectType, [Body] HubSpotBatchIds request, CancellationToken cancellationToken);
}

/// <summary>Salesforce REST: SOQL query and its <c>nextRecordsUrl</c> continuation.</summary>
public interface ISalesforcePullApi
{
    [Get("/services/data/{version}/query")]
    Task<Stream> QueryAsync(string version, [AliasAs("q")] string soql, CancellationToken cancellationToken);

    [Get("/{**path}")]
    Task<Stream> NextAsync(string path, CancellationToken cancellationToken);
}

/// <summary>Google Business Profile API v4 reviews of one location (<c>accounts/x/locations/y</c>).</summary>
public interface IGoogleReviewsApi
{
    [Get("/v4/{**location}/reviews")]
    Task<Stream> ListReviewsAsync(string location, int pageSize, string? pageToken, string orderBy, CancellationToken cancellationToken);
}

/// <summary>Trustpilot private business-unit reviews (apikey header).</summary>
public interface ITrustpilotPullApi
{
    [Get("/v1/private/business-units/{businessUnitId}/reviews")]
    Task<Stream> ListReviewsAsync(string businessUnitId, int perPage, int page, string orderBy, string? startDateTime, string? endDateTime, CancellationToken cancellationToken);
}

/// <summary>Meta Graph: a page's posts and the comments on one post, with cursor paging.</summary>
public interface IMetaGraphPullApi
{
    [Get("/{version}/{pageId}/posts")]
    Task<Stream> PostsAsync(string version, string pageId, string fields, int limit, string? after, long? since, long? until, CancellationToken cancellationToken);

    [Get("/{version}/{postId}/comments")]
    Task<Stream> CommentsAsync(string version, string postId, string fields, int limit, string? after, string filter, CancellationToken cancellationToken);
}

public sealed record HubSpotSearchRequest
{
    public required IReadOnlyList<HubSpotFilterGroup> FilterGroups { get; init; }
    public required IReadOnlyList<HubSpotSort> Sorts { get; init; }
    public required IReadOnlyList<string> Properties { get; init; }
    public int Limit { get; init; } = 100;
    public string? After { get; init; }
}

public sealed record HubSpotFilterGroup(IReadOnlyList<HubSpotFilter> Filters);

public sealed record HubSpotFilter(string PropertyName, string Operator, string Value);

public sealed record HubSpotSort(string PropertyName, string Direction);

public sealed record HubSpotBatchIds(IReadOnlyList<HubSpotId> Inputs);

public sealed record HubSpotId(string Id);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(HubSpotSearchRequest))]
[JsonSerializable(typeof(HubSpotBatchIds))]
public sealed partial class PullJsonContext : JsonSerializerContext;
