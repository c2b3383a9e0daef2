using HealthCode.Trust.Keys;
using HealthCode.Trust.Verification;

namespace HealthCode.Trust.TrustLists;

/// <summary>
/// The keys this instance trusts (DESIGN §3): the province's own issuer keys and, per partner province, the
/// keys of its last verified trust list. Thread-safe: writers build a new immutable snapshot under a lock and
/// swap it in; readers (every scan) take no lock and never see a half-applied list.
/// </summary>
/// <remarks>
/// Keys replaced by a newer list are not disposed: a scan running concurrently may still be verifying with
/// them. They are released by the garbage collector once no snapshot refers to them.
/// </remarks>
public sealed class TrustStore : IIssuerKeyResolver
{
    private readonly Lock _writeLock = new();
    private volatile Dictionary<string, IssuerTrust> _issuers = new(StringComparer.Ordinal);

    /// <summary>Every trusted issuer, own and partner, in ordinal order.</summary>
    public IReadOnlyList<string> Issuers => [.. _issuers.Keys.Order(StringComparer.Ordinal)];

    /// <summary>Sets the province's own issuer keys (never stale: they do not come from a fetched list). Replaces any earlier set.</summary>
    /// <param name="issuer">The province code (<c>iss</c>).</param>
    /// <param name="name">The province's display name.</param>
    /// <param name="keys">Its issuer keys with their status; not owned, the caller disposes them.</param>
    public void SetOwn(string issuer, string name, IEnumerable<(EcKey key, KeyStatus status)> keys)
    {
        ArgumentException.ThrowIfNullOrEmpty(issuer);
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(keys);
        var entries = keys.Select(k => (k.key.Kid, new IssuerKeyEntry(k.key, k.status, NotAfter: null))).ToList();
        Swap(issuers => issuers[issuer] = new IssuerTrust(name, IsOwn: true, Seq: null, ExpiresAt: null, Index(entries)));
    }

    /// <summary>
    /// Trusts a partner province's keys as its verified trust list says (from <see cref="TrustListCodec.Verify"/>),
    /// replacing the keys and name held for that issuer. A list older than the one held (a race between two
    /// refreshes) is ignored.
    /// </summary>
    /// <param name="verifiedList">A list that passed <see cref="TrustListCodec.Verify"/>; the store keeps its keys.</param>
    /// <returns>False when a list with a higher <c>seq</c> is already held, so nothing changed.</returns>
    /// <exception cref="InvalidOperationException">The list's issuer is this province: own keys never come from a fetched list.</exception>
    public bool SetPartner(TrustList verifiedList)
    {
        ArgumentNullException.ThrowIfNull(verifiedList);
        var entries = verifiedList.Keys
            .Select(k => (k.Key.Kid, new IssuerKeyEntry(k.Key, k.Status, k.NotAfter, k.NotBefore)))
            .ToList();
        var trust = new IssuerTrust(verifiedList.Name, IsOwn: false, verifiedList.Seq, verifiedList.ExpiresAt, Index(entries));
        bool changed = false;
        Swap(issuers =>
        {
            if (issuers.TryGetValue(verifiedList.Issuer, out IssuerTrust? held))
            {
                if (held.IsOwn)
                {
                    throw new InvalidOperationException($"{verifiedList.Issuer} is this province: its keys are not taken from a partner list.");
                }

                if (held.Seq > verifiedList.Seq)
                {
                    return;
                }
            }

            issuers[verifiedList.Issuer] = trust;
            changed = true;
        });
        return changed;
    }

    /// <summary>Stops trusting an issuer (a partner removed by an operator).</summary>
    /// <param name="issuer">The issuer id.</param>
    /// <returns>Whether it was trusted.</returns>
    public bool Remove(string issuer)
    {
        ArgumentNullException.ThrowIfNull(issuer);
        bool removed = false;
        Swap(issuers => removed = issuers.Remove(issuer));
        return removed;
    }

    /// <summary>The display name of a trusted issuer, e.g. <c>河南省</c>.</summary>
    /// <param name="issuer">The issuer id.</param>
    /// <returns>The name, or null when the issuer is not trusted.</returns>
    public string? IssuerName(string issuer) => Get(issuer)?.Name;

    /// <summary>True when the issuer is this province (its keys were set with <see cref="SetOwn"/>).</summary>
    /// <param name="issuer">The issuer id.</param>
    /// <returns>Whether it is own.</returns>
    public bool IsOwn(string issuer) => Get(issuer)?.IsOwn ?? false;

    /// <summary>When the partner's held trust list expires; null for own keys and unknown issuers.</summary>
    /// <param name="issuer">The issuer id.</param>
    /// <returns>The list's <c>exp</c>.</returns>
    public DateTimeOffset? ListExpiresAt(string issuer) => Get(issuer)?.ExpiresAt;

    /// <summary>The <c>seq</c> of the partner's held trust list, to refuse a rollback; null for own keys and unknown issuers.</summary>
    /// <param name="issuer">The issuer id.</param>
    /// <returns>The held <c>seq</c>.</returns>
    public long? HeldSeq(string issuer) => Get(issuer)?.Seq;

    /// <inheritdoc />
    public IReadOnlyList<IssuerKeyEntry> Find(string issuer, string kid) =>
        Get(issuer) is { } trust && trust.ByKid.TryGetValue(kid, out IssuerKeyEntry[]? entries) ? entries : [];

    /// <inheritdoc />
    public bool KnowsIssuer(string issuer) => issuer is not null && _issuers.ContainsKey(issuer);

    /// <summary>True when the issuer is a partner whose held list is past its <c>exp</c> (DESIGN §4.5): its codes answer <c>trust_list_stale</c>.</summary>
    /// <param name="issuer">The issuer id.</param>
    /// <param name="now">The current time (UTC).</param>
    /// <returns>Whether the list is stale. The list is void at its <c>exp</c> (DESIGN §4.2), so no skew is added.</returns>
    public bool IsStale(string issuer, DateTimeOffset now) => Get(issuer) is { ExpiresAt: { } exp } && now >= exp;

    private IssuerTrust? Get(string issuer) =>
        issuer is not null && _issuers.TryGetValue(issuer, out IssuerTrust? trust) ? trust : null;

    private void Swap(Action<Dictionary<string, IssuerTrust>> change)
    {
        lock (_writeLock)
        {
            var copy = new Dictionary<string, IssuerTrust>(_issuers, StringComparer.Ordinal);
            change(copy);
            _issuers = copy;
        }
    }

    /// <summary>Every key under the kid it is published with; kids may collide, so each maps to all its keys (DESIGN §4.1).</summary>
    private static Dictionary<string, IssuerKeyEntry[]> Index(List<(string Kid, IssuerKeyEntry Entry)> entries) =>
        entries.GroupBy(e => e.Kid, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Select(e => e.Entry).ToArray(), StringComparer.Ordinal);

    /// <summary>What is held for one issuer; never changed once built.</summary>
    private sealed record IssuerTrust(string Name, bool IsOwn, long? Seq, DateTimeOffset? ExpiresAt, Dictionary<string, IssuerKeyEntry[]> ByKid);
}
