using HealthCode.Api.Features.Federation;
using HealthCode.Api.Infrastructure.Keys;
using HealthCode.Api.Infrastructure.Store;
using HealthCode.Api.Infrastructure.Verification;
using HealthCode.Trust.TrustLists;

namespace HealthCode.Api.Infrastructure.Federation;

/// <summary>The list partners fetch, as served: the signed JWS, its ETag, its seq, when it was signed and when it expires.</summary>
internal sealed record PublishedList(string Jws, string ETag, long Seq, DateTimeOffset IssuedAt, DateTimeOffset ExpiresAt);

/// <summary>
/// This province's trust list (DESIGN §4.2). It is re-signed with the root key, with a higher
/// <c>seq</c>, whenever the issuer keys or their status change and well before it expires, so
/// that partners never hold a void list of ours. Where the root key is offline (no private part
/// in the keys folder), the list signed with <c>healthcode trust-list sign</c> and left in the
/// keys folder is served instead, after checking it against our own root.
/// </summary>
internal sealed partial class OwnTrustList(
    IssuingKeys keys,
    TrustStore trust,
    ISignedListStore store,
    OwnListChangedHints hints,
    IOptions<HealthCodeOptions> options,
    TimeProvider time,
    ILogger<OwnTrustList> logger) : ISignedListSource
{
    private PublishedList? current;

    public PublishedList? Current => current;

    public string Kind => "trust-list";

    public async Task EnsureCurrentAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        Refresh();
        var published = keys.Current.CanSignLists
            ? await SignedListPublisher.EnsureAsync(this, store, options.Value.Federation.ResignBefore, now, cancellationToken)
            : LoadOfflineList(now);
        var previous = current;
        if (published is not null && published.Seq != previous?.Seq)
        {
            LogPublished(logger, published.Seq, published.ExpiresAt);
        }

        current = published ?? current;
        if (previous is not null && published?.Seq > previous.Seq)
        {
            // DESIGN §11: partners and the hub fetch the new list now, not at their next poll. Not at start-up
            // (previous is null then): a list changed while the service was down reaches them by polling.
            hints.TrustListChanged();
        }
    }

    /// <summary>
    /// Another instance of this province rotated or revoked a key in the shared keys folder: this one signs and
    /// trusts what the folder now says (a revoked key is refused here too, and never signed into a list again).
    /// </summary>
    public void Refresh()
    {
        if (keys.ReloadIfChanged())
        {
            TrustSetup.SetOwnKeys(trust, keys, options.Value);
            LogKeysReloaded(logger);
        }
    }

    public string ContentHash(DateTimeOffset now) => SignedListPublisher.Hash(
        List(0, now).Keys.Select(k => $"{k.Key.Thumbprint}:{k.Status}:{k.NotBefore?.ToUnixTimeSeconds()}:{k.NotAfter?.ToUnixTimeSeconds()}")
            .Prepend(options.Value.Province.Name));

    public string Sign(long seq, DateTimeOffset now) => TrustListCodec.Sign(List(seq, now), keys.Current.Root);

    /// <summary>Our own list is checked like anyone's before we serve it.</summary>
    public (long Seq, DateTimeOffset IssuedAt, DateTimeOffset ExpiresAt)? Read(string jws, DateTimeOffset now)
    {
        var result = TrustListCodec.Verify(jws, keys.Current.Root, options.Value.Province.Code, null, now, options.Value.Trust.ClockSkew);
        if (!result.IsValid)
        {
            LogUnusable(logger, result.Error!.Value.ToCode());
            return null;
        }

        return (result.List!.Seq, result.List.IssuedAt, result.List.ExpiresAt);
    }

    private TrustList List(long seq, DateTimeOffset now) =>
        keys.Current.ToTrustList(options.Value.Province.Code, options.Value.Province.Name, seq, now, options.Value.Federation.ListLifetime);

    private PublishedList? LoadOfflineList(DateTimeOffset now)
    {
        var path = Path.Combine(keys.Folder, TrustFolder.ListFileName);
        if (!File.Exists(path))
        {
            LogNoOfflineList(logger, path);
            return null;
        }

        var jws = File.ReadAllText(path).Trim();
        return Read(jws, now) is { } read ? SignedListPublisher.Publish(jws, read) : null;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Own trust list published: seq {Seq}, valid until {ExpiresAt:O}")]
    private static partial void LogPublished(ILogger logger, long seq, DateTimeOffset expiresAt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The root key is offline and there is no signed list at {Path}: sign one with 'healthcode trust-list sign'")]
    private static partial void LogNoOfflineList(ILogger logger, string path);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Own trust list not usable: {Error}")]
    private static partial void LogUnusable(ILogger logger, string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "The keys folder changed (a key rotated or revoked by another instance): keys read again")]
    private static partial void LogKeysReloaded(ILogger logger);
}

/// <summary>
/// Checks the own list often enough that it is re-signed well before it expires, and the keys folder often enough that a
/// key another instance revoked is refused here within <see cref="KeysFolderInterval"/>. Each look reads the held list
/// (one row) and the folder's file times; it signs only when something changed. While PostgreSQL is down the list
/// published stays served and the keys in memory stay trusted (scans go on); the next look tries again.
/// </summary>
internal static class OwnTrustListJob
{
    public static void Add(IServiceCollection services) =>
        PeriodicWork.Add(services, "own trust list check",
            sp =>
            {
                var interval = CheckInterval(sp.GetRequiredService<IOptions<HealthCodeOptions>>().Value.Federation);
                return interval < KeysFolderInterval ? interval : KeysFolderInterval;
            },
            (sp, ct) => sp.GetRequiredService<OwnTrustList>().EnsureCurrentAsync(ct));

    /// <summary>
    /// How often this instance looks at the keys folder, which other instances of the province share: a key revoked
    /// through one is refused by the others within this time.
    /// </summary>
    public static readonly TimeSpan KeysFolderInterval = TimeSpan.FromSeconds(2);

    /// <summary>At most five minutes, and at least three checks inside the re-sign window.</summary>
    public static TimeSpan CheckInterval(FederationOptions federation) =>
        TimeSpan.FromTicks(Math.Clamp(federation.ResignBefore.Ticks / 3, TimeSpan.FromSeconds(1).Ticks, TimeSpan.FromMinutes(5).Ticks));
}
