using System.Collections.Concurrent;
using System.Text.Json.Serialization;
using HealthCode.Api.Infrastructure.Store;
using HealthCode.Trust.Keys;
using HealthCode.Trust.TrustLists;

namespace HealthCode.Api.Infrastructure.Federation;

/// <summary>How a partner came to be trusted: registered by an operator, or vouched for by the hub.</summary>
internal enum PartnerSource
{
    Bilateral,
    Hub,
}

/// <summary>A partner to fetch: its list URL and the root its list must be signed by.</summary>
internal sealed record PartnerEndpoint(string Issuer, string Name, Uri TrustListUrl, EcKey Root, PartnerSource Source);

/// <summary>What operators see of a partner: where its list comes from and how fresh it is.</summary>
internal sealed record PartnerStatus(
    string Issuer,
    string Name,
    Uri TrustListUrl,
    string Source,
    string State,
    long? Seq,
    DateTimeOffset? LastFetchAt,
    DateTimeOffset? LastSuccessAt,
    DateTimeOffset? ListReceivedAt,
    DateTimeOffset? ListExpiresAt,
    string? LastError,
    // For metrics and readiness, not the operator's answer: when the held list was signed (its iat), and how many
    // fetches in a row have failed (0 after a success).
    [property: JsonIgnore] DateTimeOffset? ListIssuedAt = null,
    [property: JsonIgnore] int FailuresInARow = 0);

/// <summary>
/// Keeps partners' trust lists current in the in-memory trust store that scans read. A list is
/// fetched by one instance at a time (a lease in the shared cache), verified against the
/// partner's pinned root (no rollback, not expired, right issuer), shared through the cache, and
/// verified again by every instance that reads it back. A failed fetch keeps the last good list
/// until its <c>exp</c>; after that the verifier answers <c>trust_list_stale</c>.
/// </summary>
internal sealed partial class PartnerTrust(
    TrustStore trust,
    ITrustListCache cache,
    TrustListClient client,
    IPartnerStore store,
    IOptions<HealthCodeOptions> options,
    TimeProvider time,
    ILogger<PartnerTrust> logger)
{
    private readonly ConcurrentDictionary<string, Entry> partners = new(StringComparer.Ordinal);

    public IReadOnlyList<PartnerStatus> List() =>
        [.. partners.Values.OrderBy(e => e.Endpoint.Issuer, StringComparer.Ordinal).Select(Status)];

    public PartnerStatus? Find(string issuer) => partners.TryGetValue(issuer, out var entry) ? Status(entry) : null;

    /// <summary>
    /// How a trusted partner's keys came: <see cref="PartnerSource.Hub"/> when its root is the one the hub vouched for,
    /// else <see cref="PartnerSource.Bilateral"/>: registered by an operator, or a list under a root pinned in
    /// <c>HealthCode:Trust:PartnersPath</c> (which this class does not track). A bilateral root is never replaced by the
    /// hub's (<see cref="SetHubMembers"/>), so a partner that is both is bilateral. Read on every partner scan: no allocation.
    /// </summary>
    public PartnerSource RouteOf(string issuer) =>
        partners.TryGetValue(issuer, out var entry) && entry.Endpoint.Source == PartnerSource.Hub ? PartnerSource.Hub : PartnerSource.Bilateral;

    /// <summary>Loads the registered partners and whatever the shared cache already holds for them.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var record in await store.ListAsync(cancellationToken))
        {
            Track(ToEndpoint(record));
        }

        await cache.SubscribeAsync(OnChangedAsync);
        foreach (var issuer in partners.Keys)
        {
            await ReloadFromCacheAsync(issuer);
        }
    }

    /// <summary>
    /// Starts trusting a partner (or updates it). Its list is fetched at once in the background,
    /// so the operator's answer does not wait on the partner: the state shows <c>pending</c> until then.
    /// </summary>
    public async Task<PartnerStatus> RegisterAsync(PartnerRecord record, CancellationToken cancellationToken)
    {
        await store.UpsertAsync(record, cancellationToken);
        var endpoint = ToEndpoint(record);
        var replaced = partners.TryGetValue(endpoint.Issuer, out var old) && !old.Endpoint.Root.Thumbprint.Equals(endpoint.Root.Thumbprint, StringComparison.Ordinal);
        if (replaced)
        {
            // A new pinned root: nothing signed by the old one is trusted any more.
            trust.Remove(endpoint.Issuer);
            partners.TryRemove(endpoint.Issuer, out _);
        }

        Track(endpoint);
        await cache.PublishChangedAsync(endpoint.Issuer);
        _ = Task.Run(() => RefreshInBackgroundAsync(endpoint.Issuer), CancellationToken.None);
        return Find(endpoint.Issuer)!;
    }

    public async Task<bool> RemoveAsync(string issuer, CancellationToken cancellationToken)
    {
        var removed = await store.RemoveAsync(issuer, cancellationToken);
        if (partners.TryRemove(issuer, out _))
        {
            trust.Remove(issuer);
            removed = true;
        }

        await cache.PublishChangedAsync(issuer);
        return removed;
    }

    /// <summary>The hub's current members (except this province): trusted beside the bilateral partners.</summary>
    public void SetHubMembers(IReadOnlyList<PartnerEndpoint> members)
    {
        var current = members.Select(m => m.Issuer).ToHashSet(StringComparer.Ordinal);
        foreach (var gone in partners.Values.Where(e => e.Endpoint.Source == PartnerSource.Hub && !current.Contains(e.Endpoint.Issuer)).ToList())
        {
            partners.TryRemove(gone.Endpoint.Issuer, out _);
            trust.Remove(gone.Endpoint.Issuer);
        }

        foreach (var member in members)
        {
            // A pinned bilateral root is never overridden by the hub.
            if (partners.TryGetValue(member.Issuer, out var existing) && existing.Endpoint.Source == PartnerSource.Bilateral)
            {
                continue;
            }

            if (existing is null || existing.Endpoint.Root.Thumbprint != member.Root.Thumbprint || existing.Endpoint.TrustListUrl != member.TrustListUrl)
            {
                if (existing is not null)
                {
                    trust.Remove(member.Issuer);
                }

                partners[member.Issuer] = new Entry(member);
            }
        }
    }

    public async Task RefreshAllAsync(CancellationToken cancellationToken)
    {
        foreach (var issuer in partners.Keys)
        {
            cancellationToken.ThrowIfCancellationRequested();
            await RefreshAsync(issuer, cancellationToken);
        }
    }

    /// <summary>
    /// One conditional GET of one partner's list, by at most one instance at a time; false when no fetch was made (not a
    /// partner, or another fetch holds the lease).
    /// </summary>
    public async Task<bool> RefreshAsync(string issuer, CancellationToken cancellationToken)
    {
        if (!partners.TryGetValue(issuer, out var entry))
        {
            return false;
        }

        await using var lease = await cache.TryLeaseAsync("fetch:" + issuer, TimeSpan.FromSeconds(30));
        if (lease is null)
        {
            // Another instance is fetching; its result arrives through the cache's notification.
            LogLeaseHeld(logger, issuer);
            return false;
        }

        var result = await client.FetchAsync(entry.Endpoint.TrustListUrl, entry.ETag, cancellationToken);
        var now = time.GetUtcNow();
        entry.LastFetchAt = now;
        switch (result)
        {
            case FetchResult.NotModified:
                entry.Succeeded(now);
                break;
            case FetchResult.Fetched fetched when Accept(entry, fetched.Jws) is { } error:
                entry.Failed($"rejected: {error}");
                LogRejected(logger, issuer, error);
                break;
            case FetchResult.Fetched fetched:
                entry.ETag = fetched.ETag;
                entry.Succeeded(now);
                await cache.SetAsync(CacheKey(issuer), new CachedList(fetched.Jws, fetched.ETag));
                await cache.PublishChangedAsync(issuer);
                break;
            case FetchResult.Failed failed:
                entry.Failed(failed.Reason);
                LogFetchFailed(logger, issuer, failed.Reason);
                break;
        }

        return true;
    }

    private async Task RefreshInBackgroundAsync(string issuer)
    {
        try
        {
            await RefreshAsync(issuer, CancellationToken.None);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // The background refresher tries again next round.
            LogFetchFailed(logger, issuer, e.Message);
        }
    }

    private async Task OnChangedAsync(string issuer)
    {
        if (!partners.TryGetValue(issuer, out var known))
        {
            // Maybe registered on another instance.
            if (await store.FindAsync(issuer, CancellationToken.None) is { } record)
            {
                Track(ToEndpoint(record));
            }
        }
        else if (known.Endpoint.Source == PartnerSource.Bilateral && await store.FindAsync(issuer, CancellationToken.None) is null)
        {
            // Removed on another instance.
            partners.TryRemove(issuer, out _);
            trust.Remove(issuer);
            return;
        }

        await ReloadFromCacheAsync(issuer);
    }

    private async Task ReloadFromCacheAsync(string issuer)
    {
        if (partners.TryGetValue(issuer, out var entry) && await cache.GetAsync(CacheKey(issuer)) is { } cached)
        {
            // Verified again: what comes out of the cache is trusted no more than what came off the wire.
            if (Accept(entry, cached.Jws) is { } error)
            {
                LogCacheRejected(logger, issuer, error);
            }
            else
            {
                entry.ETag ??= cached.ETag;
            }
        }
    }

    /// <summary>DESIGN §4.5: the pinned root's signature, the right issuer, no rollback, not expired.</summary>
    private string? Accept(Entry entry, string jws)
    {
        var issuer = entry.Endpoint.Issuer;
        var verified = TrustListCodec.Verify(jws, entry.Endpoint.Root, issuer, trust.HeldSeq(issuer), time.GetUtcNow(), options.Value.Trust.ClockSkew);
        if (!verified.IsValid)
        {
            return verified.Error!.Value.ToCode();
        }

        trust.SetPartner(verified.List!);
        entry.ListIssuedAt = verified.List!.IssuedAt;
        // From its own fetch or from another instance's through the cache: the fetch times above
        // are this instance's, and stay empty on an instance that never needed to fetch.
        entry.ListReceivedAt = time.GetUtcNow();
        return null;
    }

    private void Track(PartnerEndpoint endpoint) => partners.AddOrUpdate(endpoint.Issuer, _ => new Entry(endpoint), (_, old) => old.Endpoint == endpoint ? old : new Entry(endpoint));

    private PartnerStatus Status(Entry entry)
    {
        var issuer = entry.Endpoint.Issuer;
        var expires = trust.ListExpiresAt(issuer);
        var state = expires is null ? (entry.LastError is null ? "pending" : "failing")
            : trust.IsStale(issuer, time.GetUtcNow()) ? "stale"
            : entry.LastError is null ? "ok" : "failing";
        return new PartnerStatus(issuer, entry.Endpoint.Name, entry.Endpoint.TrustListUrl, entry.Endpoint.Source.ToString().ToLowerInvariant(),
            state, trust.HeldSeq(issuer), entry.LastFetchAt, entry.LastSuccessAt, entry.ListReceivedAt, expires, entry.LastError,
            entry.ListIssuedAt, entry.FailuresInARow);
    }

    private static PartnerEndpoint ToEndpoint(PartnerRecord record) =>
        new(record.Issuer, record.Name, record.TrustListUrl, EcKey.FromJwk(record.RootKeyJwk), PartnerSource.Bilateral);

    private static string CacheKey(string issuer) => "trust-list:" + issuer;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Partner {Issuer}: fetched trust list rejected ({Error}); keeping the last good list")]
    private static partial void LogRejected(ILogger logger, string issuer, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Partner {Issuer}: cached trust list rejected ({Error})")]
    private static partial void LogCacheRejected(ILogger logger, string issuer, string error);

    // Debug: with several instances this is the normal case, and operators need not see it; tests turn it on.
    [LoggerMessage(Level = LogLevel.Debug, Message = "Partner {Issuer}: fetch skipped, the lease is held by another fetch; the list comes through the shared cache")]
    private static partial void LogLeaseHeld(ILogger logger, string issuer);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Partner {Issuer}: fetch failed ({Reason}); keeping the last good list")]
    private static partial void LogFetchFailed(ILogger logger, string issuer, string reason);

    private sealed class Entry(PartnerEndpoint endpoint)
    {
        public PartnerEndpoint Endpoint { get; } = endpoint;

        public string? ETag { get; set; }

        public DateTimeOffset? LastFetchAt { get; set; }

        public DateTimeOffset? LastSuccessAt { get; private set; }

        public DateTimeOffset? ListReceivedAt { get; set; }

        public DateTimeOffset? ListIssuedAt { get; set; }

        public string? LastError { get; private set; }

        public int FailuresInARow { get; private set; }

        public void Succeeded(DateTimeOffset at)
        {
            LastSuccessAt = at;
            LastError = null;
            FailuresInARow = 0;
        }

        public void Failed(string error)
        {
            LastError = error;
            FailuresInARow++;
        }
    }
}
