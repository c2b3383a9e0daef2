using System.Data.Common;
using System.Diagnostics.Metrics;
using HealthCode.Api.Infrastructure.Federation;
using HealthCode.Api.Infrastructure.Ops;
using HealthCode.Api.Infrastructure.Store;

namespace HealthCode.Api.Features.Hub;

/// <summary>
/// The hub's own metrics (hub mode, DESIGN §4.3): its members by status (read from the registry before each scrape),
/// the federation list it serves (<c>seq</c>, seconds since it was signed, seconds until it expires), and how often
/// provinces fetched it, by answer (<c>list</c>, <c>not_modified</c>, <c>unavailable</c>).
/// </summary>
internal sealed class HubMetrics : IObservedMetrics
{
    private readonly IHubMemberStore members;
    private readonly Counter<long> served;
    private volatile IReadOnlyList<HubMemberRecord> held = [];

    public HubMetrics(IMeterFactory meters, IHubMemberStore members, FederationPublisher publisher, TimeProvider time)
    {
        this.members = members;
        var meter = meters.Create(Telemetry.MeterPrefix + "Hub");
        meter.CreateObservableGauge("healthcode.hub.members", () => ((string[])["active", "suspended"]).Select(status =>
                new Measurement<int>(held.Count(m => m.Status == status), new KeyValuePair<string, object?>("status", status))),
            description: "Member provinces in the hub's registry, by status.");
        meter.CreateObservableGauge("healthcode.federation_list.seq", () => publisher.Current is { } list ? [new Measurement<long>(list.Seq)] : Array.Empty<Measurement<long>>(),
            description: "Sequence number of the federation list the hub serves.");
        meter.CreateObservableGauge("healthcode.federation_list.age", () => publisher.Current is { } list ? [new Measurement<double>((time.GetUtcNow() - list.IssuedAt).TotalSeconds)] : Array.Empty<Measurement<double>>(),
            "s", "Seconds since the federation list the hub serves was signed (its iat).");
        meter.CreateObservableGauge("healthcode.federation_list.expires_in", () => publisher.Current is { } list ? [new Measurement<double>((list.ExpiresAt - time.GetUtcNow()).TotalSeconds)] : Array.Empty<Measurement<double>>(),
            "s", "Seconds until the federation list the hub serves expires.");
        served = meter.CreateCounter<long>("healthcode.hub.federation_list.served",
            description: "Fetches of the federation list, by answer: list (200), not_modified (304), unavailable (503).");
    }

    public async ValueTask RefreshAsync(CancellationToken cancellationToken)
    {
        try
        {
            held = await members.ListAsync(cancellationToken);
        }
        catch (DbException)
        {
            // The store is down (readyz says so): the list's own figures are still worth a scrape.
        }
    }

    public void Served(int status) => served.Add(1, new KeyValuePair<string, object?>("answer", status switch
    {
        StatusCodes.Status200OK => "list",
        StatusCodes.Status304NotModified => "not_modified",
        _ => "unavailable",
    }));
}
