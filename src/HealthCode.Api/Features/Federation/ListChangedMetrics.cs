using System.Diagnostics.Metrics;
using HealthCode.Api.Infrastructure.Ops;

namespace HealthCode.Api.Features.Federation;

/// <summary>
/// The list-changed hint (DESIGN §11), in both modes: hints received by answer, fetches they started, and hints sent by
/// outcome. No issuer label: a received <c>iss</c> may be anything a sender chose, and a label must not grow with it.
/// </summary>
internal sealed class ListChangedMetrics
{
    private readonly Counter<long> received;
    private readonly Counter<long> fetches;
    private readonly Counter<long> sent;

    public ListChangedMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(Telemetry.MeterPrefix + "ListChanged");
        received = meter.CreateCounter<long>("healthcode.list_changed.received",
            description: "List-changed hints received, by answer: scheduled, coalesced (202), unknown_issuer (404), rate_limited (429).");
        fetches = meter.CreateCounter<long>("healthcode.list_changed.fetches",
            description: "Fetches of a list that hints started (at most one per issuer per FetchInterval across instances).");
        sent = meter.CreateCounter<long>("healthcode.list_changed.sent",
            description: "List-changed hints sent, by outcome: delivered, refused (an answer other than 2xx after retries), failed (unreachable, timed out).");
    }

    public void Received(string answer) => received.Add(1, new KeyValuePair<string, object?>("answer", answer));

    public void Fetched() => fetches.Add(1);

    public void Sent(string outcome) => sent.Add(1, new KeyValuePair<string, object?>("outcome", outcome));
}
