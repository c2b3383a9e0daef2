using HealthCode.Api.Infrastructure.Store;

namespace HealthCode.Api.Features.Identity;

/// <summary>
/// Residents' identity (DESIGN §8): persons behind codes, the account's holder and family members,
/// and moving a person to a new phone.
/// </summary>
internal static class IdentityModule
{
    public static IServiceCollection AddIdentity(this IServiceCollection services)
    {
        services.AddSingleton<IPersonStore, PersonStore>();
        services.AddSingleton<AccountPersons>();
        services.AddSingleton<PersonMoves>();
        services.AddSingleton<IValidator<AddDependant>, AddDependantValidator>();
        services.AddSingleton<IValidator<MovePersonToThisPhone>, MovePersonToThisPhoneValidator>();
        services.AddSingleton<IValidator<MovePersonByOperator>, MovePersonByOperatorValidator>();
        return services;
    }

    /// <summary>Maps the residents' endpoints on <paramref name="resident"/> and the operators' on <paramref name="admin"/>.</summary>
    public static void MapIdentity(RouteGroupBuilder resident, RouteGroupBuilder admin)
    {
        resident.MapAddDependant();
        resident.MapListDependants();
        resident.MapRemoveDependant();
        resident.MapMovePersonToThisPhone();
        admin.MapMovePersonByOperator();
    }
}
