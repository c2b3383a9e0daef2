using System.Security.Cryptography;
using HealthCode.Api.Infrastructure.Shared;
using StackExchange.Redis;

namespace HealthCode.Api.Infrastructure.RateLimiting;

/// <summary>
/// <see cref="ISlidingWindowLimiter"/> for several instances of one province (DESIGN §11): each partition's sliding log is
/// a sorted set in Redis (<c>healthcode:&lt;province&gt;:limit:&lt;name&gt;:&lt;hashed partition&gt;</c>), a permit a member
/// scored by when it was taken. Trimming, counting and adding run in one Lua script, which Redis runs alone, so two
/// instances that ask at the same moment cannot both take the last permit. The set expires a window after its newest
/// permit, so idle partitions leave Redis by themselves.
/// </summary>
/// <remarks>
/// Time is this instance's <see cref="TimeProvider"/>, not Redis' <c>TIME</c>: the windows can be tested with a fake clock
/// (STYLE §5), and NTP keeps instances within milliseconds of each other, against windows of seconds to a day.
/// When Redis cannot be reached the decision is <see cref="RateDecision.NotCounted"/> (fail closed): counting alone per
/// instance would multiply every budget by the number of instances, and give a guesser of one-time codes a fresh
/// wrong-guess budget on each.
/// </remarks>
internal sealed partial class RedisSlidingWindowLimiter(
    IConnectionMultiplexer redis, IOptions<HealthCodeOptions> options, TimeProvider time, ILogger<RedisSlidingWindowLimiter> logger)
    : ISlidingWindowLimiter
{
    // KEYS[1] the partition's set; ARGV: now (ms), window (ms), limit, the new permit's member.
    // A permit taken exactly a window ago has left it, as in the in-process log. Answers {1, 0} or {0, ms to wait}.
    private const string AcquireScript = """
        local now = tonumber(ARGV[1])
        local window = tonumber(ARGV[2])
        redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
        if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[3]) then
            redis.call('ZADD', KEYS[1], now, ARGV[4])
            redis.call('PEXPIRE', KEYS[1], window)
            return {1, 0}
        end
        local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
        return {0, tonumber(oldest[2]) + window - now}
        """;

    private readonly string prefix = RedisKeys.Prefix(options.Value) + "limit:";

    public async ValueTask<RateDecision> TryAcquireAsync(SlidingWindow limit, string partition, CancellationToken cancellationToken)
    {
        var key = prefix + limit.Name + ":" + RedisKeys.Opaque(partition);
        var id = RandomNumberGenerator.GetInt32(int.MaxValue) * (long)int.MaxValue + RandomNumberGenerator.GetInt32(int.MaxValue);
        var window = Math.Max(1, (long)limit.Window.TotalMilliseconds);
        try
        {
            var answer = (RedisResult[])(await redis.GetDatabase().ScriptEvaluateAsync(
                AcquireScript,
                [key],
                [time.GetUtcNow().ToUnixTimeMilliseconds(), window, limit.Limit, id]))!;
            return (long)answer[0] == 1
                ? new RateDecision(new RatePermit(key, id), TimeSpan.Zero)
                : new RateDecision(null, TimeSpan.FromMilliseconds(Math.Max(0, (long)answer[1])));
        }
        catch (Exception e) when (RedisKeys.IsUnavailable(e))
        {
            LogUnavailable(logger, limit.Name, e.Message);
            return RateDecision.NotCounted;
        }
    }

    public async ValueTask ReleaseAsync(RatePermit permit, CancellationToken cancellationToken)
    {
        try
        {
            await redis.GetDatabase().SortedSetRemoveAsync(permit.Key, permit.Id);
        }
        catch (Exception e) when (RedisKeys.IsUnavailable(e))
        {
            // The permit stays counted until it leaves its window: stricter, never looser.
            LogUnavailable(logger, "release", e.Message);
        }
    }

    // The limit's name only: a partition is a phone or an address.
    [LoggerMessage(Level = LogLevel.Warning, Message = "Redis unavailable (limit {Limit}): {Reason}; refused, as nothing could be counted")]
    private static partial void LogUnavailable(ILogger logger, string limit, string reason);
}
