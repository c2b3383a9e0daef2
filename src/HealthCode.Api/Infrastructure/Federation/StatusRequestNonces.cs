using System.Collections.Concurrent;
using HealthCode.Trust.Status;
using StackExchange.Redis;

namespace HealthCode.Api.Infrastructure.Federation;

/// <summary>
/// The nonces (<c>jti</c>) of the status requests answered, each kept for as long as its request
/// lives, so that a replayed request is refused (docs/FEDERATION-FORMAT.md §2.2). With Redis the
/// instances of the province share them (SET NX, expiring with the request), so a replay sent to
/// another instance is refused too; without Redis, or while it is down, this instance's memory
/// still refuses what it has seen.
/// </summary>
internal sealed partial class StatusRequestNonces(
    IServiceProvider services, IOptions<HealthCodeOptions> options, TimeProvider time, ILogger<StatusRequestNonces> logger)
{
    // Past this many held nonces the expired ones are dropped; only a partner's signed requests get here.
    private const int PruneAbove = 100_000;

    private readonly ConcurrentDictionary<string, DateTimeOffset> held = new(StringComparer.Ordinal);
    private readonly IConnectionMultiplexer? redis = services.GetService<IConnectionMultiplexer>();
    private readonly string prefix = $"healthcode:{options.Value.Province.Code}:status-nonce:";

    /// <summary>True the first time a request's nonce is seen while the request lives; false for a replay.</summary>
    public async Task<bool> TryUseAsync(StatusRequest request)
    {
        var now = time.GetUtcNow();
        // The codec refuses a request from exp + skew on, so the nonce is needed until then only.
        var until = request.ExpiresAt + options.Value.Trust.ClockSkew;
        var key = request.Issuer + ":" + request.Nonce;
        if (!UseHere(key, until, now))
        {
            return false;
        }

        if (redis is not { IsConnected: true })
        {
            // No Redis, or it is down: the partner's question is not held up by it (its asker gives up
            // after 300 ms); this instance's memory refuses the replays it has seen.
            return true;
        }

        try
        {
            var ttl = until - now > TimeSpan.FromSeconds(1) ? until - now : TimeSpan.FromSeconds(1);
            return await redis.GetDatabase().StringSetAsync(prefix + key, "1", ttl, When.NotExists);
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            LogUnavailable(logger, e.Message);
            return true;
        }
    }

    private bool UseHere(string key, DateTimeOffset until, DateTimeOffset now)
    {
        if (held.Count > PruneAbove)
        {
            foreach (var (seen, expires) in held)
            {
                if (expires <= now)
                {
                    held.TryRemove(seen, out _);
                }
            }
        }

        return held.TryAdd(key, until)
            || (held.TryGetValue(key, out var expired) && expired <= now && held.TryUpdate(key, until, expired));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Redis unavailable (status request nonces): {Reason}; replays are refused per instance")]
    private static partial void LogUnavailable(ILogger logger, string reason);
}
