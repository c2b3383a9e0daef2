using System.Net;
using System.Net.Http.Headers;

namespace HealthCode.Api.Infrastructure.Federation;

/// <summary>The outcome of one conditional GET of a signed list.</summary>
internal abstract record FetchResult
{
    private FetchResult()
    {
    }

    public sealed record NotModified : FetchResult;

    public sealed record Fetched(string Jws, string? ETag) : FetchResult;

    public sealed record Failed(string Reason) : FetchResult;
}

/// <summary>
/// Fetches signed lists (a partner's trust list, the hub's federation list) with conditional
/// GETs. Its resilience pipeline (timeout, retries with jitter, a circuit breaker per partner
/// host) is configured where it is registered. It never judges what it fetched: the caller
/// verifies the signature, and a bad signature is never retried.
/// </summary>
internal sealed class TrustListClient(HttpClient http)
{
    /// <summary>A list is small; anything larger is refused before it is read whole.</summary>
    public const int MaxListBytes = 256 * 1024;

    public async Task<FetchResult> FetchAsync(Uri url, string? etag, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/jose"));
        if (etag is not null && EntityTagHeaderValue.TryParse(etag, out var tag))
        {
            request.Headers.IfNoneMatch.Add(tag);
        }

        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            if (response.StatusCode == HttpStatusCode.NotModified)
            {
                return new FetchResult.NotModified();
            }

            if (!response.IsSuccessStatusCode)
            {
                return new FetchResult.Failed($"HTTP {(int)response.StatusCode}");
            }

            var body = await CappedBody.ReadAsync(response.Content, MaxListBytes, cancellationToken);
            return body is null
                ? new FetchResult.Failed("list too large")
                : new FetchResult.Fetched(body.Trim(), response.Headers.ETag?.ToString());
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or TimeoutException
            or Polly.CircuitBreaker.BrokenCircuitException or Polly.Timeout.TimeoutRejectedException)
        {
            // Operators read this (partners' fetch state, readyz): a stable word for what happened, not a type name.
            return new FetchResult.Failed(e switch
            {
                Polly.CircuitBreaker.BrokenCircuitException => "circuit open",
                HttpRequestException => "unreachable",
                _ => "timed out",
            });
        }
    }
}
