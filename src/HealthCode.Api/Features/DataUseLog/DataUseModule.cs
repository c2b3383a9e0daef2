using HealthCode.Api.Infrastructure.Audit;
using HealthCode.Api.Infrastructure.Auth;
using HealthCode.Api.Infrastructure.Store;

namespace HealthCode.Api.Features.DataUseLog;

/// <summary>
/// The data-use log (DESIGN §10): who used a person's data, when, for what and from which source. Residents read their
/// own and their family's, a department how its data was used in aggregate, auditors the whole chain and its check.
/// </summary>
internal static class DataUseModule
{
    public static IServiceCollection AddDataUse(this IServiceCollection services)
    {
        // The witness in the instance's data folder, out of the store's reach (DataUseWitness).
        services.AddSingleton(sp => new DataUseWitness(
            new FileAuditHeadWitness(Path.Combine(Directory.CreateDirectory(sp.GetRequiredService<LocalDataFolder>().Path).FullName, DataUseWitness.FileName)),
            sp.GetRequiredService<IStoreDatabase>(),
            sp.GetRequiredService<ILogger<DataUseWitness>>()));
        services.AddHostedService(sp => sp.GetRequiredService<DataUseWitness>());
        services.AddSingleton<IDataUseStore>(sp => new DataUseStore(sp.GetRequiredService<IStoreDatabase>(), sp.GetRequiredService<DataUseWitness>()));
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
