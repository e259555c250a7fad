namespace JourneyHub.Core.Pull;

/// <summary>
/// A page could not be fetched after the resilience pipeline gave up (or the API refused the credentials).
/// The run stops; the checkpoint still points at this page, so the next run re-reads it.
/// </summary>
public sealed class PullFetchException(string message, int? statusCode, bool isAuthFailure, Exception? inner = null) : Exception(message, inner)
{
    public int? StatusCode { get; } = statusCode;

    public bool IsAuthFailure { get; } = isAuthFailure;
}
