using HealthCode.Api.Infrastructure.Auth;

namespace HealthCode.Api.Features.DataUseLog;

/// <summary>
/// The data-use log (DESIGN §10): who used a person's data, when, for what and from which source. Residents read their
/// own and their family's, a department how its data was used in aggregate, auditors the whole chain and its check.
/// </summary>
internal static class DataUseModule
{
    public static IServiceCollection AddDataUse(this IServiceCollection services)
    {
        services.AddSingleton<IDataUseStore, DataUseStore>();
        return services;
    }

    /// <summary>
    /// Maps the residents' endpoint on <paramref name="resident"/>, the departments' on <paramref name="departments"/>
    /// (<c>/api/v1</c>, any operator, audited) and the auditors' on <paramref name="operators"/> (<c>/api/v1/admin</c>,
    /// any operator, audited): reading and checking the log takes the role auditor or admin, as the scan audit does.
    /// </summary>
    public static void MapDataUse(RouteGroupBuilder resident, RouteGroupBuilder departments, RouteGroupBuilder operators)
    {
        resident.MapGetMyDataUse();
        departments.MapGetSourceUsage();
        operators.MapListDataUse().RequireAuthorization(OperatorPolicies.AuditReader);
        operators.MapVerifyDataUseChain().RequireAuthorization(OperatorPolicies.AuditReader);
    }
}
