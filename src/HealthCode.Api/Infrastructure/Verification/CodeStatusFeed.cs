using System.Collections.Concurrent;
using System.Globalization;
using HealthCode.Api.Infrastructure.Store;
using StackExchange.Redis;

namespace HealthCode.Api.Infrastructure.Verification;

/// <summary>
/// Carries a code's new status version from the instance that took the declaration to every
/// other instance of the province, whose <see cref="CodeStatusIndex"/> would otherwise accept the
/// superseded token until it restarts.
/// </summary>
internal interface ICodeStatusFeed
{
    /// <summary>Records the version here and tells the other instances; never throws for the shared channel.</summary>
    Task PublishAsync(string codeId, int version);

    /// <summary>Starts applying other instances' changes to this instance's index.</summary>
    Task SubscribeAsync(CancellationToken cancellationToken);
}

/// <summary>One instance alone: the index is the whole truth.</summary>
internal sealed class LocalCodeStatusFeed(CodeStatusIndex index) : ICodeStatusFeed
{
    public Task PublishAsync(string codeId, int version)
    {
        index.Set(codeId, version);
        return Task.CompletedTask;
    }

    public Task SubscribeAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>
/// Status changes on a Redis pub/sub channel of the province (<c>healthcode:&lt;code&gt;:code-status</c>).
/// Pub/sub does not keep messages, so when the connection comes back this instance warms its
/// index again from the store (changes it missed) and publishes the changes it took meanwhile
/// (changes the others missed, when only this instance was cut off).
/// </summary>
internal sealed partial class RedisCodeStatusFeed(
    IConnectionMultiplexer redis,
    CodeStatusIndex index,
    IHealthCodeStore store,
    IOptions<HealthCodeOptions> options,
    ILogger<RedisCodeStatusFeed> logger) : ICodeStatusFeed
{
    // A bound on what waits for Redis to come back; tokens live minutes, so older changes matter little.
    private const int MaxUnpublished = 100_000;

    private readonly RedisChannel channel = RedisChannel.Literal($"healthcode:{options.Value.Province.Code}:code-status");
    private readonly ConcurrentQueue<string> unpublished = new();

    public async Task PublishAsync(string codeId, int version)
    {
        index.Set(codeId, version);
        var message = $"{codeId} {version.ToString(CultureInfo.InvariantCulture)}";
        if (!redis.IsConnected)
        {
            // The declaration does not wait on a Redis that is down; the change goes out when it is back.
            Hold(message);
            return;
        }

        try
        {
            await redis.GetSubscriber().PublishAsync(channel, message);
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            Hold(message);
            LogUnavailable(logger, e.Message);
        }
    }

    public async Task SubscribeAsync(CancellationToken cancellationToken)
    {
        redis.ConnectionRestored += (_, _) => _ = Task.WhenAll(CatchUpAsync(), PublishHeldAsync());
        try
        {
            var queue = await redis.GetSubscriber().SubscribeAsync(channel);
            queue.OnMessage(message => Apply(message.Message!));
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            // The multiplexer subscribes again when it reconnects.
            LogUnavailable(logger, e.Message);
        }
    }

    private void Apply(string message)
    {
        var parts = message.Split(' ');
        if (parts.Length == 2 && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var version))
        {
            index.Set(parts[0], version);
        }
    }

    private void Hold(string message)
    {
        if (unpublished.Count < MaxUnpublished)
        {
            unpublished.Enqueue(message);
        }
    }

    private async Task PublishHeldAsync()
    {
        while (redis.IsConnected && unpublished.TryDequeue(out var message))
        {
            try
            {
                await redis.GetSubscriber().PublishAsync(channel, message);
            }
            catch (Exception e) when (e is RedisException or TimeoutException)
            {
                Hold(message);
                LogUnavailable(logger, e.Message);
                return;
            }
        }
    }

    private async Task CatchUpAsync()
    {
        try
        {
            await index.WarmAsync(store, CancellationToken.None);
        }
        catch (Exception e) when (e is System.Data.Common.DbException or InvalidOperationException)
        {
            LogCatchUpFailed(logger, e.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Redis unavailable (code status): {Reason}; other instances catch up from the store")]
    private static partial void LogUnavailable(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Code status index not caught up from the store: {Reason}")]
    private static partial void LogCatchUpFailed(ILogger logger, string reason);
}
