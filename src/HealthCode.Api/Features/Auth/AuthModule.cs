using HealthCode.Api.Infrastructure.Auth;
using HealthCode.Api.Infrastructure.RateLimiting;

namespace HealthCode.Api.Features.Auth;

/// <summary>Resident login's services: one-time codes, the limits on them, and the client address they count.</summary>
internal static class AuthModule
{
    public static IServiceCollection AddAuth(this IServiceCollection services)
    {
        services.AddSingleton<OneTimeCodes>();
        services.AddSingleton<OtpLimits>();
        services.AddSingleton<PhoneCodeCheck>();
        // In process: each instance counts alone. Several instances behind one address (DESIGN §11) need a
        // shared one here (Redis, when ConnectionStrings:Redis is set), so the limits hold across them.
        services.AddSingleton<ISlidingWindowLimiter, InProcessSlidingWindowLimiter>();
        services.AddClientAddress();
        return services;
    }
}
