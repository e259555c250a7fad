using Refit;

namespace JourneyHub.Azure.Pull;

// Every call returns the body as a stream: the page is archived byte for byte before anything reads it. No call sends a
// body either, so these clients need no JSON serializer context. HubSpot's pull calls are in the one HubSpot client
// (HubSpot/HubSpotApi.cs), shared with enrichment.

/// <summary>Salesforce REST: SOQL query and its <c>nextRecordsUrl</c> continuation.</summary>
public interface ISalesforcePullApi
{
    [Get("/services/data/{version}/query")]
    Task<Stream> QueryAsync(string version, [AliasAs("q")] string soql, CancellationToken cancellationToken);

    /// <summary>As <see cref="QueryAsync"/>, but soft-deleted records (in the recycle bin) are returned too, with <c>IsDeleted</c>.</summary>
    [Get("/services/data/{version}/queryAll")]
    Task<Stream> QueryAllAsync(string version, [AliasAs("q")] string soql, CancellationToken cancellationToken);

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
