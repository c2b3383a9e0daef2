using HealthCode.Api.Infrastructure;
using HealthCode.Api.Infrastructure.Federation;
using HealthCode.Trust.TrustLists;

namespace HealthCode.Api.Features.Federation;

/// <summary>What a service does with a hint it accepted: whose hints it takes, and the fetch a hint triggers.</summary>
internal interface IListChangedReceiver
{
    /// <summary>Whether hints about <paramref name="iss"/> are taken here (a partner, the hub, a member).</summary>
    bool Knows(string iss);

    /// <summary>Fetches <paramref name="iss"/>'s list and verifies it as any fetched list is: the hint itself is never trusted.</summary>
    Task FetchAsync(string iss, CancellationToken cancellationToken);
}

/// <summary>
/// A province: hints about a partner (bilateral or through the hub) fetch that partner's list through
/// <see cref="PartnerTrust.RefreshAsync"/> (the pinned or hub-vouched root, no rollback, not expired); a hint from the
/// hub (<c>iss</c> = <c>hub</c>, when one is configured) fetches the federation list, then the lists of members it
/// newly names.
/// </summary>
internal sealed class ProvinceListChangedReceiver(PartnerTrust partners, IEnumerable<IFederationSource> hubs, TimeProvider time) : IListChangedReceiver
{
    public const string Hub = "hub";

    private static readonly TimeSpan LeaseRetry = TimeSpan.FromMilliseconds(500);

    public bool Knows(string iss) => iss == Hub ? hubs.Any() : partners.Find(iss) is not null;

    public async Task FetchAsync(string iss, CancellationToken cancellationToken)
    {
        if (iss != Hub)
        {
            // The lease is held by a poll of this partner, here or on another instance, which may have fetched just before
            // the change: wait for it to end and fetch again. Bounded; a poll holds the lease for one fetch (seconds).
            for (var attempt = 0; attempt < 20; attempt++)
            {
                if (await partners.RefreshAsync(iss, cancellationToken) || partners.Find(iss) is null)
                {
                    return;
                }

                await Task.Delay(LeaseRetry, time, cancellationToken);
            }

            return;
        }

        foreach (var hub in hubs)
        {
            await hub.RefreshAsync(cancellationToken);
        }

        // A member just admitted would otherwise wait for the next round; the members already held fetch on their own hints.
        foreach (var added in partners.List().Where(p => p.Seq is null))
        {
            await partners.RefreshAsync(added.Issuer, cancellationToken);
        }
    }
}

/// <summary>
/// The hub: a member's hint is relayed to the other active members (the fan-out of DESIGN §11), but only once the
/// hub fetched that member's list itself and found a newer one, signed by the root the hub vouches for. A forged or
/// repeated hint therefore costs one conditional GET here and reaches no member.
/// </summary>
internal sealed partial class HubListChangedReceiver(
    FederationPublisher federation,
    TrustListClient client,
    ListChangedSender sender,
    IOptions<HealthCodeOptions> options,
    TimeProvider time,
    ILogger<HubListChangedReceiver> logger) : IListChangedReceiver
{
    // Per member, the seq and ETag last seen here; only HintedFetches calls FetchAsync, one fetch per member at a time.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, (long Seq, string? ETag)> seen = new(StringComparer.Ordinal);

    public bool Knows(string iss) => federation.Members.Any(m => m.Issuer == iss && m.Status == "active");

    public async Task FetchAsync(string iss, CancellationToken cancellationToken)
    {
        var members = federation.Members;
        if (members.FirstOrDefault(m => m.Issuer == iss && m.Status == "active") is not { } member)
        {
            return;
        }

        var held = seen.TryGetValue(iss, out var h) ? h : ((long Seq, string? ETag)?)null;
        switch (await client.FetchAsync(member.TrustListUrl, held?.ETag, cancellationToken))
        {
            case FetchResult.Fetched fetched:
                using (var root = HealthCode.Trust.Keys.EcKey.FromJwk(member.RootKeyJwk))
                {
                    var verified = TrustListCodec.Verify(fetched.Jws, root, iss, held?.Seq, time.GetUtcNow(), options.Value.Trust.ClockSkew);
                    if (!verified.IsValid)
                    {
                        LogRejected(logger, iss, verified.Error!.Value.ToCode());
                        return;
                    }

                    seen[iss] = (verified.List!.Seq, fetched.ETag);
                    if (held?.Seq == verified.List.Seq)
                    {
                        return;
                    }

                    LogRelayed(logger, iss, verified.List.Seq);
                    sender.Send(iss, members.Where(m => m.Status == "active" && m.Issuer != iss).Select(m => m.TrustListUrl));
                }

                break;
            case FetchResult.Failed failed:
                LogFetchFailed(logger, iss, failed.Reason);
                break;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Member {Iss}'s list changed (seq {Seq}): hint relayed to the other members")]
    private static partial void LogRelayed(ILogger logger, string iss, long seq);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Member {Iss}'s list, fetched on a hint, rejected ({Error}): not relayed")]
    private static partial void LogRejected(ILogger logger, string iss, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Member {Iss}'s list could not be fetched on a hint ({Reason}): not relayed")]
    private static partial void LogFetchFailed(ILogger logger, string iss, string reason);
}
