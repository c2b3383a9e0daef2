using HealthCode.Api.Infrastructure.Federation;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace HealthCode.Api.Infrastructure.Ops;

/// <summary>
/// Readiness of the trust lists (DESIGN §4.5): degraded when our own list is close to its expiry
/// (nobody re-signed it) or when a partner's list has expired (its codes fail trust_list_stale).
/// </summary>
internal sealed class TrustListsHealthCheck(OwnTrustList own, PartnerTrust partners, IOptions<HealthCodeOptions> options, TimeProvider time) : IHealthCheck
{
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

        problems.AddRange(partners.List().Where(p => p.State == "stale").Select(p => $"partner {p.Issuer} list expired"));
        return Task.FromResult(problems.Count == 0
            ? HealthCheckResult.Healthy()
            : HealthCheckResult.Degraded(string.Join("; ", problems)));
    }
}

/// <summary>Redis is a cache: without it scans go on from memory, so its absence is "degraded", not "unhealthy".</summary>
internal sealed class SharedCacheHealthCheck(ITrustListCache cache) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(cache.IsAvailable ? HealthCheckResult.Healthy() : HealthCheckResult.Degraded("Redis unreachable: serving trust lists from memory"));
}
