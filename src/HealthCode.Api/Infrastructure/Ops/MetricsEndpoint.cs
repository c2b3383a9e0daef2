using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using HealthCode.Api.Infrastructure.Federation;
using HealthCode.Trust.TrustLists;

namespace HealthCode.Api.Infrastructure.Ops;

/// <summary>Counters the service keeps: scans by outcome. Labels never carry a name, an ID number or a code id.</summary>
internal sealed class ScanCounters
{
    private readonly ConcurrentDictionary<string, long> byOutcome = new(StringComparer.Ordinal);

    public void Count(string outcome) => byOutcome.AddOrUpdate(outcome, 1, (_, n) => n + 1);

    public IEnumerable<KeyValuePair<string, long>> Snapshot() => byOutcome.OrderBy(p => p.Key, StringComparer.Ordinal);
}

/// <summary>
/// Metrics an area adds to <c>GET /metrics</c> (registered by its module), after the service's own. Each writes whole
/// families (<see cref="MetricsEndpoint.Help"/> once, then its <see cref="MetricsEndpoint.Line"/>s), with names of its own.
/// </summary>
internal interface IMetricsSource
{
    ValueTask WriteAsync(StringBuilder text, DateTimeOffset now, CancellationToken cancellationToken);
}

/// <summary><c>GET /metrics</c> in the Prometheus text format (version 0.0.4).</summary>
internal static class MetricsEndpoint
{
    public static void MapMetrics(this IEndpointRouteBuilder app) => app
        .MapGet("/metrics", async (ScanCounters scans, TrustStore trust, PartnerTrust partners, OwnTrustList own, ITrustListCache cache,
            IEnumerable<IMetricsSource> sources, TimeProvider time, CancellationToken ct) =>
        {
            var now = time.GetUtcNow();
            var text = new StringBuilder(Render(scans, trust, partners, own, cache, now));
            foreach (var source in sources)
            {
                await source.WriteAsync(text, now, ct);
            }

            return TypedResults.Text(text.ToString(), "text/plain; version=0.0.4");
        })
        .ExcludeFromDescription();

    private static string Render(ScanCounters scans, TrustStore trust, PartnerTrust partners, OwnTrustList own, ITrustListCache cache, DateTimeOffset now)
    {
        var text = new StringBuilder();
        Help(text, "healthcode_scans_total", "counter", "Codes verified at checkpoints, by outcome.");
        foreach (var (outcome, count) in scans.Snapshot())
        {
            Line(text, "healthcode_scans_total", $"outcome=\"{outcome}\"", count);
        }

        Help(text, "healthcode_trust_list_expires_in_seconds", "gauge", "Seconds until a trust list expires; negative once expired (its codes fail trust_list_stale).");
        if (own.Current is { } list)
        {
            Line(text, "healthcode_trust_list_expires_in_seconds", "issuer=\"own\"", (list.ExpiresAt - now).TotalSeconds);
        }

        foreach (var issuer in trust.Issuers.Where(i => !trust.IsOwn(i)))
        {
            if (trust.ListExpiresAt(issuer) is { } expires)
            {
                Line(text, "healthcode_trust_list_expires_in_seconds", $"issuer=\"{issuer}\"", (expires - now).TotalSeconds);
            }
        }

        Help(text, "healthcode_trust_list_seq", "gauge", "Sequence number of the trust list held.");
        if (own.Current is { } published)
        {
            Line(text, "healthcode_trust_list_seq", "issuer=\"own\"", published.Seq);
        }

        Help(text, "healthcode_partner_up", "gauge", "1 when the partner's last fetch succeeded and its list is current.");
        foreach (var partner in partners.List())
        {
            Line(text, "healthcode_partner_up", $"issuer=\"{partner.Issuer}\",state=\"{partner.State}\"", partner.State == "ok" ? 1 : 0);
        }

        Help(text, "healthcode_shared_cache_up", "gauge", "1 when Redis (or the in-process cache) is reachable.");
        Line(text, "healthcode_shared_cache_up", "", cache.IsAvailable ? 1 : 0);
        return text.ToString();
    }

    internal static void Help(StringBuilder text, string name, string type, string help) =>
        text.Append(CultureInfo.InvariantCulture, $"# HELP {name} {help}\n# TYPE {name} {type}\n");

    internal static void Line(StringBuilder text, string name, string labels, double value) =>
        text.Append(CultureInfo.InvariantCulture, $"{name}{(labels.Length > 0 ? "{" + labels + "}" : "")} {value}\n");

    /// <summary>A label value as the text format writes it: backslash, double quote and line feed escaped.</summary>
    internal static string LabelValue(string value) => value.Replace("\\", "\\\\", StringComparison.Ordinal)
        .Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);
}
