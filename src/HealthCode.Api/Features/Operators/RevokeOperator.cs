using HealthCode.Api.Infrastructure.Store;

namespace HealthCode.Api.Features.Operators;

/// <summary>
/// <c>DELETE /api/v1/admin/operators/{operatorId}</c> (DESIGN §10): the account's token stops working at once: the next
/// request with it is answered 401 <c>operator_key_revoked</c>. Revoking a revoked account changes nothing.
/// </summary>
internal sealed record RevokeOperator(string OperatorId) : ICommand<Result<string>>;

internal sealed class RevokeOperatorHandler(IOperatorStore operators, TimeProvider time) : ICommandHandler<RevokeOperator, Result<string>>
{
    public async ValueTask<Result<string>> Handle(RevokeOperator command, CancellationToken cancellationToken) =>
        await operators.RevokeAsync(command.OperatorId, time.GetUtcNow(), cancellationToken)
            ? command.OperatorId
            : ApiProblem.NotFound("operator_not_found", "There is no operator account with this id.");
}

internal static class RevokeOperatorEndpoint
{
    public static void MapRevokeOperator(this RouteGroupBuilder group) => group
        .MapDelete("/operators/{operatorId}", (string operatorId, IMediator mediator, CancellationToken ct) =>
            mediator.Send(new RevokeOperator(operatorId), ct).Answer(_ => TypedResults.NoContent()))
        .ProducesProblem(StatusCodes.Status401Unauthorized)
        .ProducesProblem(StatusCodes.Status403Forbidden)
        .ProducesProblem(StatusCodes.Status404NotFound)
        .WithName("RevokeOperator")
        .WithSummary("Revoke a named operator's token (role admin)")
        .WithDescription("Takes effect at once, on every instance that shares the store: the next request with that token is refused with 401 operator_key_revoked.");
}
