using System.Data.Common;
using System.Diagnostics.Metrics;
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
/// <c>healthcode_catalog_entry_late == 1</c> or on age against cycle needs nothing else. The entries are read from the
/// store before each scrape; freshness is worked out at collection, on the service's clock.
/// </summary>
internal sealed class CatalogMetrics : IObservedMetrics
{
    private readonly ICatalogStore store;
    private readonly TimeProvider time;
    private volatile IReadOnlyList<CatalogEntry> entries = [];

    public CatalogMetrics(IMeterFactory meters, ICatalogStore store, TimeProvider time)
    {
        this.store = store;
        this.time = time;
        var meter = meters.Create(Telemetry.MeterPrefix + "Catalog");
        meter.CreateObservableGauge("healthcode.catalog.entry.late", () => Each((_, f) => f.Late ? 1 : 0),
            description: "1 when a catalogue entry's data is older than its update cycle (or no batch came yet).");
        meter.CreateObservableGauge("healthcode.catalog.entry.age", () => Each((_, f) => f.Age?.TotalSeconds), "s",
            "Seconds since a catalogue entry's last batch was applied; absent before its first batch.");
        meter.CreateObservableGauge("healthcode.catalog.entry.update_cycle", () => Each((_, f) => f.Cycle?.TotalSeconds), "s",
            "A catalogue entry's update cycle, in seconds.");
        meter.CreateObservableGauge("healthcode.catalog.entry.rows", () => Each((e, _) => (double?)e.Rows),
            description: "Rows a catalogue entry holds after its last batch.");
    }

    public async ValueTask RefreshAsync(CancellationToken cancellationToken)
    {
        try
        {
            entries = await store.ListEntriesAsync(cancellationToken);
        }
        catch (DbException)
        {
            // The store is down (readyz says so): the other metrics are still worth a scrape.
        }
    }

    /// <summary>One measurement per entry that has a value, labelled with its code.</summary>
    private IEnumerable<Measurement<double>> Each(Func<CatalogEntry, CatalogFreshness, double?> value)
    {
        var now = time.GetUtcNow();
        foreach (var entry in entries)
        {
            if (value(entry, CatalogFreshness.Of(entry, now)) is { } v)
            {
                yield return new(v, new KeyValuePair<string, object?>("code", entry.Code));
            }
        }
    }
}
