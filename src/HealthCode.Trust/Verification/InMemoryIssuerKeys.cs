using HealthCode.Trust.Keys;

namespace HealthCode.Trust.Verification;

/// <summary>
/// A simple thread-safe <see cref="IIssuerKeyResolver"/> held in memory: the province's own keys, tests,
/// and offline verification from key files. Lookups take no lock (copy-on-write).
/// </summary>
public sealed class InMemoryIssuerKeys : IIssuerKeyResolver
{
    private readonly Lock _writeLock = new();
    private volatile Dictionary<string, Dictionary<string, IssuerKeyEntry[]>> _byIssuer = new(StringComparer.Ordinal);

    /// <summary>Trusts a key of an issuer.</summary>
    /// <param name="issuer">The issuer id (<c>iss</c>).</param>
    /// <param name="key">The key; not owned, the caller disposes it.</param>
    /// <param name="status">Its status.</param>
    /// <param name="notAfter">The end of its validity window, if any.</param>
    /// <param name="kid">The kid it is published under; by default <see cref="EcKey.Kid"/>.</param>
    public void Add(string issuer, EcKey key, KeyStatus status, DateTimeOffset? notAfter = null, string? kid = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(issuer);
        ArgumentNullException.ThrowIfNull(key);
        kid ??= key.Kid;
        var entry = new IssuerKeyEntry(key, status, notAfter);
        lock (_writeLock)
        {
            var copy = new Dictionary<string, Dictionary<string, IssuerKeyEntry[]>>(_byIssuer, StringComparer.Ordinal);
            var byKid = copy.TryGetValue(issuer, out var existing)
                ? new Dictionary<string, IssuerKeyEntry[]>(existing, StringComparer.Ordinal)
                : new Dictionary<string, IssuerKeyEntry[]>(StringComparer.Ordinal);
            byKid[kid] = byKid.TryGetValue(kid, out var entries) ? [.. entries, entry] : [entry];
            copy[issuer] = byKid;
            _byIssuer = copy;
        }
    }

    /// <inheritdoc />
    public IReadOnlyList<IssuerKeyEntry> Find(string issuer, string kid) =>
        _byIssuer.TryGetValue(issuer, out var byKid) && byKid.TryGetValue(kid, out var entries) ? entries : [];

    /// <inheritdoc />
    public bool KnowsIssuer(string issuer) => _byIssuer.ContainsKey(issuer);
}
