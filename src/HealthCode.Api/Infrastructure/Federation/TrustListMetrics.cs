using System.Diagnostics.Metrics;
using HealthCode.Api.Infrastructure.Ops;

namespace HealthCode.Api.Infrastructure.Federation;

/// <summary>
/// The trust lists a province holds and serves (DESIGN §4.5), read on scrape: per issuer (<c>own</c> for this
/// province's list, else the partner's province code) the seconds until the list expires, its <c>seq</c> and its age
/// (seconds since it was signed); per partner whether it is up (labelled with its state) and how many fetches in a row failed; and
/// whether the shared cache answers.
/// </summary>
internal sealed class TrustListMetrics : IObservedMetrics
{
    private readonly OwnTrustList own;
    private readonly PartnerTrust partners;
    private readonly TimeProvider time;

    public TrustListMetrics(IMeterFactory meters, OwnTrustList own, PartnerTrust partners, ITrustListCache cache, TimeProvider time)
    {
        this.own = own;
        this.partners = partners;
        this.time = time;
        var meter = meters.Create(Telemetry.MeterPrefix + "Federation");
        meter.CreateObservableGauge("healthcode.trust_list.expires_in", ExpiresIn, "s",
            "Seconds until a trust list expires; negative once expired (its codes fail trust_list_stale).");
        meter.CreateObservableGauge("healthcode.trust_list.seq", Seq, description: "Sequence number of the trust list held.");
        meter.CreateObservableGauge("healthcode.trust_list.age", Age, "s", "Seconds since the trust list held was signed (its iat).");
        meter.CreateObservableGauge("healthcode.partner.up", Up,
            description: "1 when the partner's last fetch succeeded and its list is current; state is pending, ok, failing or stale.");
        meter.CreateObservableGauge("healthcode.partner.failures_in_a_row", Failures,
            description: "Fetches of the partner's list that failed since its last success.");
        meter.CreateObservableGauge("healthcode.shared_cache.up", () => cache.IsAvailable ? 1 : 0,
            description: "1 when Redis (or the in-process cache) is reachable.");
    }

    public ValueTask RefreshAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;

    private IEnumerable<Measurement<double>> ExpiresIn()
    {
        var now = time.GetUtcNow();
        if (own.Current is { } list)
        {
            yield return new((list.ExpiresAt - now).TotalSeconds, Issuer("own"));
        }

        foreach (var partner in partners.List())
        {
            if (partner.ListExpiresAt is { } expires)
            {
                yield return new((expires - now).TotalSeconds, Issuer(partner.Issuer));
            }
        }
    }

    private IEnumerable<Measurement<long>> Seq()
    {
        if (own.Current is { } list)
        {
            yield return new(list.Seq, Issuer("own"));
        }

        foreach (var partner in partners.List())
        {
            if (partner.Seq is { } seq)
            {
                yield return new(seq, Issuer(partner.Issuer));
            }
        }
    }

    private IEnumerable<Measurement<double>> Age()
    {
        var now = time.GetUtcNow();
        if (own.Current is { } list)
        {
            yield return new((now - list.IssuedAt).TotalSeconds, Issuer("own"));
        }

        foreach (var partner in partners.List())
        {
            if (partner.ListIssuedAt is { } issued)
            {
                yield return new((now - issued).TotalSeconds, Issuer(partner.Issuer));
            }
        }
    }

    // A gauge's series not reported on a scrape is not exported: when the state changes, the old state's series goes.
    private IEnumerable<Measurement<int>> Up() => partners.List().Select(p =>
        new Measurement<int>(p.State == "ok" ? 1 : 0, Issuer(p.Issuer), new KeyValuePair<string, object?>("state", p.State)));

    private IEnumerable<Measurement<int>> Failures() =>
        partners.List().Select(p => new Measurement<int>(p.FailuresInARow, Issuer(p.Issuer)));

    private static KeyValuePair<string, object?> Issuer(string issuer) => new("issuer", issuer);
}
