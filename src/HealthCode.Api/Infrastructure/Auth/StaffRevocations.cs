using HealthCode.Api.Infrastructure.Shared;
using StackExchange.Redis;

namespace HealthCode.Api.Infrastructure.Auth;

/// <summary>
/// Carries "this staff member was revoked" from the instance that revoked them to every other instance of the
/// province, whose <see cref="StaffDirectory"/> would otherwise accept the cached token until its entry ages out.
/// </summary>
internal interface IStaffRevocationFeed
{
    /// <summary>
    /// True while the other instances' revocations reach this one; only then may a cached token be trusted without a
    /// store read.
    /// </summary>
    bool IsLive { get; }

    /// <summary>Tells the other instances; never throws for the shared channel.</summary>
    Task PublishAsync(string staffId);

    /// <summary>
    /// Calls <paramref name="revoked"/> with each staff id another instance revoked, and <paramref name="reconnected"/>
    /// when the channel comes back after a cut (messages sent meanwhile are lost: forget everything cached).
    /// </summary>
    void Subscribe(Action<string> revoked, Action reconnected);
}

/// <summary>
/// One instance alone (no Redis): its own revocations apply at once; those of other instances sharing the store reach
/// it when a cached entry ages out (<c>HealthCode:Staff:TokenCacheLifetime</c>).
/// </summary>
internal sealed class LocalStaffRevocationFeed : IStaffRevocationFeed
{
    public bool IsLive => true;

    public Task PublishAsync(string staffId) => Task.CompletedTask;

    public void Subscribe(Action<string> revoked, Action reconnected)
    {
    }
}

/// <summary>
/// Revocations on a Redis pub/sub channel of the province (<c>healthcode:&lt;code&gt;:staff-revoked</c>), so that a token
/// revoked on one instance is refused on every other within moments. While Redis is unreachable
/// <see cref="IsLive"/> is false and the directory reads every token from the store (fall back, not fail closed:
/// scans must go on, and the store is the truth); once it is back, everything cached is forgotten, since revocations
/// sent meanwhile were lost. A connection that looks alive but drops messages is bounded by the cache lifetime.
/// </summary>
internal sealed partial class RedisStaffRevocationFeed(IConnectionMultiplexer redis, IOptions<HealthCodeOptions> options, ILogger<RedisStaffRevocationFeed> logger)
    : IStaffRevocationFeed
{
    private readonly RedisChannel channel = RedisChannel.Literal(RedisKeys.Prefix(options.Value) + "staff-revoked");

    public bool IsLive => redis.IsConnected;

    public async Task PublishAsync(string staffId)
    {
        try
        {
            await redis.GetSubscriber().PublishAsync(channel, staffId);
        }
        catch (Exception e) when (RedisKeys.IsUnavailable(e))
        {
            // The others read the store while they cannot hear us, and forget their cache when Redis is back.
            LogUnavailable(logger, e.Message);
        }
    }

    public void Subscribe(Action<string> revoked, Action reconnected)
    {
        redis.ConnectionRestored += (_, _) => reconnected();
        try
        {
            redis.GetSubscriber().Subscribe(channel, (_, message) => revoked(message!));
        }
        catch (Exception e) when (RedisKeys.IsUnavailable(e))
        {
            // The multiplexer subscribes again when it reconnects; until then IsLive is false.
            LogUnavailable(logger, e.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Redis unavailable (staff revocations): {Reason}; staff tokens are read from the store until it is back")]
    private static partial void LogUnavailable(ILogger logger, string reason);
}
