using System.Data.Common;
using System.Text;
using HealthCode.Api.Infrastructure.Ops;
using HealthCode.Api.Infrastructure.Store;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace HealthCode.Api.Features.Catalog;

/// <summary>
/// <c>/readyz</c>: the check <c>catalog</c> is degraded while any entry is late (<see cref="CatalogFreshness"/>),
/// and names them. Degraded, never unhealthy (it is registered with that failure status too, so a store error
/// while reading the catalogue is no worse): readiness decides whether a load balancer sends this instance traffic,
/// and a department that is late with its batch must not take the province's scanning and codes offline. Operators
/// see it here and in <see cref="CatalogMetrics"/>; the public sees it on the catalogue page.
/// </summary>
internal sealed class CatalogHealthCheck(ICatalogStore store, TimeProvider time) : IHealthCheck
{
    public const string Name = "catalog";

    /// <summary>How many late entries the description names; <c>data.late</c> lists all of them.</summary>
    private const int Named = 10;

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        var late = (await store.ListEntriesAsync(cancellationToken))
            .Select(entry => (Entry: entry, Freshness: CatalogFreshness.Of(entry, now)))
            .Where(e => e.Freshness.Late)
            .ToList();
        if (late.Count == 0)
        {
            return HealthCheckResult.Healthy();
        }

        var named = late.Take(Named).Select(e => e.Entry.LastBatchAt is null
            ? $"{e.Entry.Code} ({e.Entry.Provider}, no batch yet)"
            : $"{e.Entry.Code} ({e.Entry.Provider}, late since {e.Freshness.LateSince:O})");
        var more = late.Count > Named ? $" and {late.Count - Named} more" : "";
        return HealthCheckResult.Degraded(
            $"{late.Count} catalogue {(late.Count == 1 ? "entry is" : "entries are")} past the update cycle: {string.Join("; ", named)}{more}",
            data: new Dictionary<string, object>
            {
                ["late"] = late.Select(e => new { code = e.Entry.Code, provider = e.Entry.Provider, lastBatchAt = e.Entry.LastBatchAt, lateSince = e.Freshness.LateSince }).ToArray(),
            });
    }
}

/// <summary>
/// The catalogue's freshness on <c>GET /metrics</c>, one series per entry, labelled by the entry's public code (no
/// personal data): late (0/1), the age of its data, its update cycle and its rows. An alert on
/// <c>healthcode_catalog_entry_late == 1</c> or on age against cycle needs nothing else.
/// </summary>
internal sealed class CatalogMetrics(ICatalogStore store) : IMetricsSource
{
    public async ValueTask WriteAsync(StringBuilder text, DateTimeOffset now, CancellationToken cancellationToken)
    {
        IReadOnlyList<CatalogEntry> entries;
        try
        {
            entries = await store.ListEntriesAsync(cancellationToken);
        }
        catch (DbException)
        {
            // The store is down (readyz says so): the other metrics are still worth a scrape.
            return;
        }

        var series = entries.Select(e => (Label: $"code=\"{MetricsEndpoint.LabelValue(e.Code)}\"", Entry: e, Freshness: CatalogFreshness.Of(e, now))).ToList();
        MetricsEndpoint.Help(text, "healthcode_catalog_entry_late", "gauge", "1 when a catalogue entry's data is older than its update cycle (or no batch came yet).");
        foreach (var (label, _, freshness) in series)
        {
            MetricsEndpoint.Line(text, "healthcode_catalog_entry_late", label, freshness.Late ? 1 : 0);
        }

        MetricsEndpoint.Help(text, "healthcode_catalog_entry_age_seconds", "gauge", "Seconds since a catalogue entry's last batch was applied; absent before its first batch.");
        foreach (var (label, _, freshness) in series)
        {
            if (freshness.Age is { } age)
            {
                MetricsEndpoint.Line(text, "healthcode_catalog_entry_age_seconds", label, age.TotalSeconds);
            }
        }

        MetricsEndpoint.Help(text, "healthcode_catalog_entry_update_cycle_seconds", "gauge", "A catalogue entry's update cycle, in seconds.");
        foreach (var (label, _, freshness) in series)
        {
            if (freshness.Cycle is { } cycle)
            {
                MetricsEndpoint.Line(text, "healthcode_catalog_entry_update_cycle_seconds", label, cycle.TotalSeconds);
            }
        }

        MetricsEndpoint.Help(text, "healthcode_catalog_entry_rows", "gauge", "Rows a catalogue entry holds after its last batch.");
        foreach (var (label, entry, _) in series)
        {
            MetricsEndpoint.Line(text, "healthcode_catalog_entry_rows", label, entry.Rows);
        }
    }
}
