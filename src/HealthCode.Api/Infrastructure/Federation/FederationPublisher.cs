using HealthCode.Api.Features.Federation;
using HealthCode.Api.Infrastructure.Keys;
using HealthCode.Api.Infrastructure.Store;
using HealthCode.Trust.Federation;
using HealthCode.Trust.Keys;

namespace HealthCode.Api.Infrastructure.Federation;

/// <summary>
/// Hub mode (DESIGN §4.3): the federation list of member provinces, their roots and list URLs,
/// signed with the hub's anchor key (<c>anchor.private.jwk</c> in <c>HealthCode:Keys:Path</c>)
/// and re-signed with a higher seq whenever membership changes and well before it expires.
/// </summary>
internal sealed partial class FederationPublisher(
    IHubMemberStore members,
    ISignedListStore store,
    OwnListChangedHints hints,
    IOptions<HealthCodeOptions> options,
    IHostEnvironment environment,
    TimeProvider time,
    ILogger<FederationPublisher> logger) : ISignedListSource, IDisposable
{
    private readonly EcKey anchor = LoadAnchor(Path.GetFullPath(options.Value.Keys.Path, environment.ContentRootPath), environment);
    private IReadOnlyList<HubMemberRecord> snapshot = [];
    private PublishedList? current;

    public PublishedList? Current => current;

    public string Kind => "federation";

    /// <summary>The members as of the last publication: whose hints the hub takes and relays (DESIGN §11).</summary>
    public IReadOnlyList<HubMemberRecord> Members => snapshot;

    public EcKey Anchor => anchor;

    public async Task EnsureCurrentAsync(CancellationToken cancellationToken)
    {
        snapshot = await members.ListAsync(cancellationToken);
        var published = await SignedListPublisher.EnsureAsync(this, store, options.Value.Federation.ResignBefore, time.GetUtcNow(), cancellationToken);
        var previous = current;
        if (published is not null && published.Seq != previous?.Seq)
        {
            LogPublished(logger, published.Seq, snapshot.Count);
        }

        current = published ?? current;
        if (previous is not null && published?.Seq > previous.Seq)
        {
            // DESIGN §11: the members fetch the new federation list now (a member admitted or suspended).
            hints.FederationChanged(snapshot);
        }
    }

    /// <summary>The members are read from the store each time: nothing to read again.</summary>
    public void Refresh()
    {
    }

    public string ContentHash(DateTimeOffset now) =>
        SignedListPublisher.Hash(snapshot.Select(m => $"{m.Issuer}:{m.Name}:{m.TrustListUrl}:{m.Status}:{m.RootKeyJwk}"));

    public string Sign(long seq, DateTimeOffset now)
    {
        var list = new FederationList(seq, now, now + options.Value.Federation.ListLifetime, [.. snapshot.Select(m => new FederationMember(
            m.Issuer, m.Name, EcKey.FromJwk(m.RootKeyJwk), m.TrustListUrl.AbsoluteUri, m.Status == "active" ? MemberStatus.Active : MemberStatus.Suspended))]);
        return FederationListCodec.Sign(list, anchor);
    }

    public (long Seq, DateTimeOffset IssuedAt, DateTimeOffset ExpiresAt)? Read(string jws, DateTimeOffset now)
    {
        var result = FederationListCodec.Verify(jws, anchor, null, now, options.Value.Trust.ClockSkew);
        return result.IsValid ? (result.List!.Seq, result.List.IssuedAt, result.List.ExpiresAt) : null;
    }

    public void Dispose() => anchor.Dispose();

    private static EcKey LoadAnchor(string folder, IHostEnvironment environment) =>
        SampleKeyGuard.Checked(ProvinceKeys.LoadHubAnchor(folder), k => [k], environment, "HealthCode:Keys:Path", folder);

    [LoggerMessage(Level = LogLevel.Information, Message = "Federation list published: seq {Seq}, {Count} members")]
    private static partial void LogPublished(ILogger logger, long seq, int count);
}

/// <summary>Re-signs the federation list in the background (hub mode); while PostgreSQL is down the list published stays served.</summary>
internal static class FederationJob
{
    public static void Add(IServiceCollection services) =>
        PeriodicWork.Add(services, "federation list check",
            sp => OwnTrustListJob.CheckInterval(sp.GetRequiredService<IOptions<HealthCodeOptions>>().Value.Federation),
            (sp, ct) => sp.GetRequiredService<FederationPublisher>().EnsureCurrentAsync(ct));
}
