using System.Collections.Concurrent;
using StackExchange.Redis;

namespace HealthCode.Api.Infrastructure.Federation;

/// <summary>A signed list as fetched: the JWS exactly as the partner served it, and its ETag.</summary>
internal sealed record CachedList(string Jws, string? ETag);

/// <summary>
/// Where fetched trust lists are shared between instances. What comes out is only ever the signed
/// JWS, which the reader verifies again before use (DESIGN §4.5): a tampered entry is rejected.
/// </summary>
internal interface ITrustListCache
{
    /// <summary>False when the shared cache cannot be reached; scans go on from memory.</summary>
    bool IsAvailable { get; }

    Task<CachedList?> GetAsync(string key);

    Task SetAsync(string key, CachedList list);

    /// <summary>Tells every instance that a list changed, so each reloads and re-verifies it.</summary>
    Task PublishChangedAsync(string key);

    Task SubscribeAsync(Func<string, Task> onChanged);

    /// <summary>At most one instance fetches a given partner at a time; null when another holds the lease.</summary>
    Task<IAsyncDisposable?> TryLeaseAsync(string key, TimeSpan ttl);
}

/// <summary>The embedded default: one instance, so the cache, the lease and the notification are in process.</summary>
internal sealed class InProcessTrustListCache : ITrustListCache
{
    private readonly ConcurrentDictionary<string, CachedList> lists = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte> leases = new(StringComparer.Ordinal);

    public bool IsAvailable => true;

    public Task<CachedList?> GetAsync(string key) => Task.FromResult(lists.GetValueOrDefault(key));

    public Task SetAsync(string key, CachedList list)
    {
        lists[key] = list;
        return Task.CompletedTask;
    }

    public Task PublishChangedAsync(string key) => Task.CompletedTask;

    public Task SubscribeAsync(Func<string, Task> onChanged) => Task.CompletedTask;

    public Task<IAsyncDisposable?> TryLeaseAsync(string key, TimeSpan ttl) =>
        Task.FromResult<IAsyncDisposable?>(leases.TryAdd(key, 0) ? new Release(() => leases.TryRemove(key, out _)) : null);

    private sealed class Release(Action release) : IAsyncDisposable
    {
        public ValueTask DisposeAsync()
        {
            release();
            return ValueTask.CompletedTask;
        }
    }
}

/// <summary>
/// Trust lists in Redis (StackExchange.Redis): a hash per list, a pub/sub channel for changes,
/// and a SET NX lease per partner fetch. When Redis is down every call degrades to "not there":
/// the in-memory trust store keeps verifying and /readyz says degraded.
/// </summary>
internal sealed partial class RedisTrustListCache(IConnectionMultiplexer redis, Microsoft.Extensions.Options.IOptions<HealthCodeOptions> options, ILogger<RedisTrustListCache> logger)
    : ITrustListCache
{
    // Keys are per province: instances of one province share them; provinces sharing a Redis do not.
    private readonly string prefix = $"healthcode:{options.Value.Province.Code}:";
    private readonly string owner = Guid.NewGuid().ToString("N");

    private RedisChannel Changed => RedisChannel.Literal(prefix + "trust-list-changed");

    public bool IsAvailable => redis.IsConnected;

    public async Task<CachedList?> GetAsync(string key)
    {
        try
        {
            var fields = await redis.GetDatabase().HashGetAsync(prefix + "list:" + key, ["jws", "etag"]);
            return fields[0].IsNullOrEmpty ? null : new CachedList(fields[0]!, fields[1].IsNullOrEmpty ? null : (string?)fields[1]);
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            LogUnavailable(logger, "read", e.Message);
            return null;
        }
    }

    public async Task SetAsync(string key, CachedList list)
    {
        try
        {
            await redis.GetDatabase().HashSetAsync(prefix + "list:" + key, [new("jws", list.Jws), new("etag", list.ETag ?? "")]);
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            LogUnavailable(logger, "write", e.Message);
        }
    }

    public async Task PublishChangedAsync(string key)
    {
        try
        {
            await redis.GetSubscriber().PublishAsync(Changed, key);
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            LogUnavailable(logger, "publish", e.Message);
        }
    }

    public async Task SubscribeAsync(Func<string, Task> onChanged)
    {
        try
        {
            var queue = await redis.GetSubscriber().SubscribeAsync(Changed);
            queue.OnMessage(message => onChanged(message.Message!));
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            // The multiplexer re-subscribes when it reconnects.
            LogUnavailable(logger, "subscribe", e.Message);
        }
    }

    public async Task<IAsyncDisposable?> TryLeaseAsync(string key, TimeSpan ttl)
    {
        var lease = prefix + "lease:" + key;
        try
        {
            var db = redis.GetDatabase();
            return await db.StringSetAsync(lease, owner, ttl, When.NotExists)
                ? new Lease(db, lease, owner)
                : null;
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            // Without Redis no instance can coordinate; fetching anyway keeps lists fresh.
            LogUnavailable(logger, "lease", e.Message);
            return new Lease(null, lease, owner);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Redis unavailable ({Operation}): {Reason}; serving trust lists from memory")]
    private static partial void LogUnavailable(ILogger logger, string operation, string reason);

    private sealed class Lease(IDatabase? db, string key, string owner) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            if (db is null)
            {
                return;
            }

            try
            {
                // Release only our own lease: it may have expired and been taken by another instance.
                await db.ScriptEvaluateAsync(
                    "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end",
                    [key],
                    [owner]);
            }
            catch (Exception e) when (e is RedisException or TimeoutException)
            {
                // The lease expires by itself.
            }
        }
    }
}
