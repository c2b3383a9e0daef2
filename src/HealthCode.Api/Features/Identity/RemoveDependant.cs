using HealthCode.Api.Infrastructure.Auth;
using HealthCode.Api.Infrastructure.Store;

namespace HealthCode.Api.Features.Identity;

/// <summary>
/// <c>DELETE /api/v1/me/dependants/{personId}</c>: the family member leaves this phone. Their code and
/// history stay with the person (a red code stays red wherever they are declared next).
/// </summary>
internal sealed record RemoveDependant(string ResidentId, string PersonId) : ICommand<Result<RemovedDependant>>;

internal sealed record RemovedDependant(string PersonId);

internal sealed class RemoveDependantHandler(IPersonStore persons) : ICommandHandler<RemoveDependant, Result<RemovedDependant>>
{
    public async ValueTask<Result<RemovedDependant>> Handle(RemoveDependant command, CancellationToken cancellationToken) =>
        await persons.RemoveDependantAsync(command.ResidentId, command.PersonId, cancellationToken)
            ? new RemovedDependant(command.PersonId)
            : IdentityProblems.PersonNotFound;
}

internal static class RemoveDependantEndpoint
{
    public static void MapRemoveDependant(this RouteGroupBuilder group) => group
        .MapDelete("/me/dependants/{personId}", (string personId, HttpContext context, IMediator mediator, CancellationToken ct) =>
            mediator.Send(new RemoveDependant(context.User.ResidentId(), personId), ct).Answer(_ => TypedResults.NoContent()))
        .RequireAuthorization(ResidentSessionAuthentication.SchemeName)
        .ProducesProblem(StatusCodes.Status401Unauthorized)
        .ProducesProblem(StatusCodes.Status404NotFound)
        .WithName("RemoveDependant")
        .WithSummary("Remove a family member from this phone")
        .WithDescription("The person keeps their code and history; another phone may add or declare for them afterwards.");
}
