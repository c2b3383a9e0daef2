using HealthCode.Api.Infrastructure.Store;

namespace HealthCode.Api.Features.Operators;

/// <summary><c>GET /api/v1/admin/operators</c>: every named operator account, without tokens.</summary>
internal sealed record ListOperators : IQuery<Result<IReadOnlyList<OperatorView>>>;

/// <param name="State"><c>active</c>, <c>expired</c> or <c>revoked</c>, now.</param>
internal sealed record OperatorView(
    string OperatorId,
    string Name,
    IReadOnlyList<string> Roles,
    string State,
    DateTimeOffset CreatedAt,
    string CreatedBy,
    DateTimeOffset ExpiresAt,
    DateTimeOffset? RevokedAt);

internal sealed class ListOperatorsHandler(IOperatorStore operators, TimeProvider time) : IQueryHandler<ListOperators, Result<IReadOnlyList<OperatorView>>>
{
    public async ValueTask<Result<IReadOnlyList<OperatorView>>> Handle(ListOperators query, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        return Result<IReadOnlyList<OperatorView>>.From([.. (await operators.ListAsync(cancellationToken)).Select(o => new OperatorView(
            o.Id,
            o.Name,
            o.Roles,
            o.RevokedAt is not null ? "revoked" : now >= o.ExpiresAt ? "expired" : "active",
            o.CreatedAt,
            o.CreatedBy,
            o.ExpiresAt,
            o.RevokedAt))]);
    }
}

internal static class ListOperatorsEndpoint
{
    public static void MapListOperators(this RouteGroupBuilder group) => group
        .MapGet("/operators", (IMediator mediator, CancellationToken ct) => mediator.Send(new ListOperators(), ct).Answer(TypedResults.Ok))
        .ProducesProblem(StatusCodes.Status401Unauthorized)
        .ProducesProblem(StatusCodes.Status403Forbidden)
        .WithName("ListOperators")
        .WithSummary("Named operator accounts (role admin)")
        .WithDescription("Every account, oldest first, with its roles, state (active, expired, revoked), who created it (an operator id, or bootstrap) and when. Never a token.");
}
