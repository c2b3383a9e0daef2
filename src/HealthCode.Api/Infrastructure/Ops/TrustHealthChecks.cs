using HealthCode.Api.Infrastructure.Federation;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace HealthCode.Api.Infrastructure.Ops;

/// <summary>
/// Readiness of the trust lists (DESIGN §4.5): degraded when our own list is close to its expiry (nobody re-signed
/// it), when a partner's list has expired (its codes fail trust_list_stale), or when a partner whose list we never
/// held keeps failing to answer (its codes cannot be verified at all, and nothing else would say so: it has no list
/// to go stale). The description joins the reasons; <c>data.reasons</c> lists them one by one.
/// </summary>
internal sealed class TrustListsHealthCheck(OwnTrustList own, PartnerTrust partners, IOptions<HealthCodeOptions> options, TimeProvider time) : IHealthCheck
{
    /// <summary>
    /// Failed fetches in a row before a partner never held counts against readiness: one failure is a partner just
    /// registered and not up yet, or a blip; three are refresh rounds over minutes (the circuit breaker's own retries
    /// are inside one fetch).
    /// </summary>
    public const int NeverFetchedFailures = 3;

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        var problems = new List<string>();
        if (own.Current is not { } list)
        {
            problems.Add("own trust list not signed");
        }
        else if (list.ExpiresAt - now < options.Value.Federation.WarnBefore)
        {
            problems.Add($"own trust list expires at {list.ExpiresAt:O}");
        }

        foreach (var partner in partners.List())
        {
            if (partner.State == "stale")
            {
                problems.Add($"partner {partner.Issuer} list expired");
            }
            else if (partner.ListExpiresAt is null && partner.FailuresInARow >= NeverFetchedFailures)
            {
                problems.Add($"partner {partner.Issuer} never fetched: {partner.FailuresInARow} fetches in a row failed, the last with {partner.LastError}");
            }
        }

        return Task.FromResult(problems.Count == 0
            ? HealthCheckResult.Healthy()
            : HealthCheckResult.Degraded(string.Join("; ", problems), data: new Dictionary<string, object> { ["reasons"] = problems }));
    }
}

/// <summary>Redis is a cache: without it scans go on from memory, so its absence is "degraded", not "unhealthy".</summary>
internal sealed class SharedCacheHealthCheck(ITrustListCache cache) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(cache.IsAvailable ? HealthCheckResult.Healthy() : HealthCheckResult.Degraded("Redis unreachable: serving trust lists from memory"));
}
