using HealthCode.Api.Infrastructure.Auth;
using HealthCode.Api.Infrastructure.RateLimiting;
using StackExchange.Redis;

namespace HealthCode.Api.Features.Auth;

/// <summary>Resident login's services: one-time codes, the limits on them, and the client address they count.</summary>
internal static class AuthModule
{
    public static IServiceCollection AddAuth(this IServiceCollection services)
    {
        services.AddSingleton<OtpLimits>();
        services.AddSingleton<PhoneCodeCheck>();
        // Alone, in process (the embedded default). With Redis (ConnectionStrings:Redis, which registers the
        // multiplexer) in Redis, so that several instances behind one address (DESIGN §11) share codes and limits.
        services.AddSingleton<OneTimeCodes>();
        services.AddSingleton<InProcessSlidingWindowLimiter>();
        services.AddSingleton<IOneTimeCodes>(sp => sp.GetService<IConnectionMultiplexer>() is { } redis
            ? ActivatorUtilities.CreateInstance<RedisOneTimeCodes>(sp, redis)
            : sp.GetRequiredService<OneTimeCodes>());
        services.AddSingleton<ISlidingWindowLimiter>(sp => sp.GetService<IConnectionMultiplexer>() is { } redis
            ? ActivatorUtilities.CreateInstance<RedisSlidingWindowLimiter>(sp, redis)
            : sp.GetRequiredService<InProcessSlidingWindowLimiter>());
        services.AddClientAddress();
        return services;
    }
}
