using System.Globalization;
using HealthCode.Api.Infrastructure.Store;
using Microsoft.Extensions.Options;
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
/// Pub/sub does not keep messages, so when the connection comes back the index is warmed again
/// from the store: a change published while this instance was cut off is not lost.
/// </summary>
internal sealed partial class RedisCodeStatusFeed(
    IConnectionMultiplexer redis,
    CodeStatusIndex index,
    IHealthCodeStore store,
    IOptions<HealthCodeOptions> options,
    ILogger<RedisCodeStatusFeed> logger) : ICodeStatusFeed
{
    private readonly RedisChannel channel = RedisChannel.Literal($"healthcode:{options.Value.Province.Code}:code-status");

    public async Task PublishAsync(string codeId, int version)
    {
        index.Set(codeId, version);
        try
        {
            await redis.GetSubscriber().PublishAsync(channel, $"{codeId} {version.ToString(CultureInfo.InvariantCulture)}");
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            // The others catch up from the store when their connection to Redis comes back.
            LogUnavailable(logger, e.Message);
        }
    }

    public async Task SubscribeAsync(CancellationToken cancellationToken)
    {
        redis.ConnectionRestored += (_, _) => _ = CatchUpAsync();
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

    private async Task CatchUpAsync()
    {
        try
        {
            await index.WarmAsync(store, CancellationToken.None);
        }
        catch (Exception e) when (e is Microsoft.Data.Sqlite.SqliteException or InvalidOperationException)
        {
            LogCatchUpFailed(logger, e.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Redis unavailable (code status): {Reason}; other instances catch up from the store")]
    private static partial void LogUnavailable(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Code status index not caught up from the store: {Reason}")]
    private static partial void LogCatchUpFailed(ILogger logger, string reason);
}
