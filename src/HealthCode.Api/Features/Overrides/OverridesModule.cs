using HealthCode.Api.Infrastructure;
using HealthCode.Api.Infrastructure.Auth;

namespace HealthCode.Api.Features.Overrides;

/// <summary>
/// Four-eyes overrides (DESIGN §10 "Overrides"): a health operator proposes a manual colour with a reason, a policy rule
/// and an end date; a different health operator approves it; the person's colour is the override's until then (the
/// scorer applies it, <see cref="Declarations.ColorOverride"/>, loaded with the person's facts), and the scored colour
/// returns after. Every step is an operator action, audited under the operator's name with the override's id as target.
/// </summary>
internal static class OverridesModule
{
    /// <summary>How often the service looks for overrides past their until date.</summary>
    public static readonly TimeSpan ExpireEvery = TimeSpan.FromMinutes(1);

    public static IServiceCollection AddOverrides(this IServiceCollection services)
    {
        services.AddSingleton<IOverrideStore, OverrideStore>();
        services.AddSingleton<IValidator<ProposeOverride>, ProposeOverrideValidator>();
        services.AddSingleton<IValidator<DeclineOverride>, DeclineOverrideValidator>();
        services.AddScoped<OverrideExpiry>();
        PeriodicWork.Add(services, "override expiry", ExpireEvery, (provider, ct) => provider.GetRequiredService<OverrideExpiry>().RunAsync(ct));
        return services;
    }

    /// <summary>Maps the endpoints on <paramref name="operators"/> (<c>/api/v1/admin</c>, audited), each for role health.</summary>
    public static void MapOverrides(RouteGroupBuilder operators)
    {
        operators.MapProposeOverride().RequireAuthorization(OperatorPolicies.Health);
        operators.MapApproveOverride().RequireAuthorization(OperatorPolicies.Health);
        operators.MapDeclineOverride().RequireAuthorization(OperatorPolicies.Health);
        operators.MapListOverrides().RequireAuthorization(OperatorPolicies.Health);
    }
}
