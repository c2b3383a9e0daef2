using HealthCode.Integration.Federation;
using StackExchange.Redis;

namespace HealthCode.Integration.SharedState;

/// <summary>A connection to a test's redis-server made as the service makes its own (ServiceSetup), so a stopped Redis fails as fast there as here.</summary>
internal static class ServiceLikeConnection
{
    public static async Task<ConnectionMultiplexer> ConnectAsync(RedisServer redis)
    {
        var configuration = ConfigurationOptions.Parse(redis.Configuration);
        configuration.AbortOnConnectFail = false;
        configuration.ConnectTimeout = 2000;
        configuration.SyncTimeout = 1000;
        configuration.AsyncTimeout = 1000;
        return await ConnectionMultiplexer.ConnectAsync(configuration);
    }
}
