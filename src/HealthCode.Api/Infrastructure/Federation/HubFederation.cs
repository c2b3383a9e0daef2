using HealthCode.Api.Infrastructure.Keys;
using HealthCode.Trust.Federation;
using HealthCode.Trust.Keys;

namespace HealthCode.Api.Infrastructure.Federation;

/// <summary>
/// A province that trusts a hub (<c>HealthCode:Hub:Url</c> and its anchor key
/// <c>HealthCode:Hub:AnchorKey</c>): before each refresh round it fetches the federation list,
/// verifies it with the anchor (no rollback, not expired), and trusts every active member but
/// itself, each member's own list still checked against the root the hub vouched for.
/// </summary>
internal sealed partial class HubFederation(
    TrustListClient client,
    PartnerTrust partners,
    ITrustListCache cache,
    IOptions<HealthCodeOptions> options,
    IHostEnvironment environment,
    TimeProvider time,
    ILogger<HubFederation> logger) : IFederationSource, IDisposable
{
    private const string CacheKey = "federation";
    private readonly EcKey anchor = SampleKeyGuard.Checked(
        EcKey.Load(Path.GetFullPath(options.Value.Hub.AnchorKey!, environment.ContentRootPath)),
        k => [k],
        environment,
        "HealthCode:Hub:AnchorKey",
        options.Value.Hub.AnchorKey!);
    // The refresher's round and a hub's list-changed hint may refresh at once; one at a time keeps heldSeq and etag together.
    private readonly SemaphoreSlim refreshing = new(1, 1);
    private long? heldSeq;
    private string? etag;

    public long? HeldSeq => heldSeq;

    public async Task RefreshAsync(CancellationToken cancellationToken)
    {
        await refreshing.WaitAsync(cancellationToken);
        try
        {
            await RefreshOnceAsync(cancellationToken);
        }
        finally
        {
            refreshing.Release();
        }
    }

    private async Task RefreshOnceAsync(CancellationToken cancellationToken)
    {
        var url = new Uri(options.Value.Hub.Url!, "/.well-known/healthcode/federation");
        switch (await client.FetchAsync(url, etag, cancellationToken))
        {
            case FetchResult.Fetched fetched when Accept(fetched.Jws):
                etag = fetched.ETag;
                await cache.SetAsync(CacheKey, new CachedList(fetched.Jws, fetched.ETag));
                break;
            case FetchResult.Failed failed:
                LogFetchFailed(logger, failed.Reason);
                // Another instance may have fetched it; what it stored is verified again here.
                if (await cache.GetAsync(CacheKey) is { } cached)
                {
                    Accept(cached.Jws);
                }

                break;
        }
    }

    public void Dispose()
    {
        anchor.Dispose();
        refreshing.Dispose();
    }

    private bool Accept(string jws)
    {
        var result = FederationListCodec.Verify(jws, anchor, heldSeq, time.GetUtcNow(), options.Value.Trust.ClockSkew);
        if (!result.IsValid)
        {
            LogRejected(logger, result.Error!.Value.ToCode());
            return false;
        }

        heldSeq = result.List!.Seq;
        var self = options.Value.Province.Code;
        partners.SetHubMembers([.. result.List.Members
            .Where(m => m.Status == MemberStatus.Active && m.Issuer != self)
            .Select(m => new PartnerEndpoint(m.Issuer, m.Name, new Uri(m.TrustListUrl), m.RootKey, PartnerSource.Hub))]);
        return true;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Hub federation list rejected ({Error}); keeping the members held")]
    private static partial void LogRejected(ILogger logger, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Hub federation list fetch failed ({Reason}); keeping the members held")]
    private static partial void LogFetchFailed(ILogger logger, string reason);
}
