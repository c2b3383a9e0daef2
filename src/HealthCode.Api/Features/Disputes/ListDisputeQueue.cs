using System.Globalization;
using System.Security.Claims;
using HealthCode.Api.Infrastructure.Auth;

namespace HealthCode.Api.Features.Disputes;

/// <summary>
/// <c>GET /api/v1/admin/disputes?state=&amp;cursor=&amp;limit=</c> (DESIGN §10): the queue of disputes, oldest first. A
/// health operator sees every dispute; a department's operator only those of its own sources (a department never sees
/// what residents say of another department's data); anyone else, admins included, is refused: the queue shows
/// residents' words about their records, which is the health operators' and the providers' business alone.
/// </summary>
internal sealed record ListDisputeQueue(ClaimsPrincipal Operator, string? State, string? Cursor, string? Limit) : IQuery<Result<DisputePage>>;

/// <param name="NextCursor">The cursor of the next page; null on the last.</param>
internal sealed record DisputePage(IReadOnlyList<DisputeView> Items, string? NextCursor);

internal sealed class ListDisputeQueueHandler(IDisputeStore disputes) : IQueryHandler<ListDisputeQueue, Result<DisputePage>>
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 200;

    public async ValueTask<Result<DisputePage>> Handle(ListDisputeQueue query, CancellationToken cancellationToken)
    {
        var user = query.Operator;
        IReadOnlyCollection<string>? providers = null;
        if (!user.HasRole(OperatorRoles.Health))
        {
            providers = user.DepartmentCodes();
            if (providers.Count == 0)
            {
                return OperatorPolicies.RoleRequired(OperatorRoles.Health, OperatorRoles.Department("<code>"));
            }
        }

        var errors = new List<FieldError>();
        FieldRules.OneOf("state", query.State, DisputeStates.All, errors);

        var after = QueryPaging.Cursor(query.Cursor, errors);

        var limit = FieldRules.Limit(query.Limit, DefaultLimit, MaxLimit, errors);

        if (errors.Count > 0)
        {
            return ApiProblem.Validation(errors);
        }

        var items = await disputes.QueueAsync(new DisputeQuery(query.State, providers, after, limit), cancellationToken);
        return new DisputePage(
            [.. items.Select(DisputeView.ForOperator)],
            items.Count == limit ? items[^1].Seq.ToString(CultureInfo.InvariantCulture) : null);
    }
}

internal static class ListDisputeQueueEndpoint
{
    public static void MapListDisputeQueue(this RouteGroupBuilder group) => group
        .MapGet("/disputes", (string? state, string? cursor, string? limit, HttpContext context, IMediator mediator, CancellationToken ct) =>
            mediator.Send(new ListDisputeQueue(context.User, state, cursor, limit), ct).Answer(TypedResults.Ok))
        .ProducesProblem(StatusCodes.Status400BadRequest)
        .ProducesProblem(StatusCodes.Status401Unauthorized)
        .ProducesProblem(StatusCodes.Status403Forbidden)
        .WithCallerRoles(OperatorRoles.Health, OperatorRoles.Department("<code>"))
        .WithName("ListDisputeQueue")
        .WithSummary("The disputes queue (role health; a department's operator: its own sources)")
        .WithDescription("""
            Oldest first, at most limit (1 to 200, default 50) after cursor (the previous page's nextCursor; null on the
            last page). state narrows it: open, retracted, overridden or rejected. Each item: disputeId, personId, the person
            masked (maskedName, idTail), the fact {source, sourceName, batchId, kind, provider}, the resident's reason, state,
            filedAt, resolvedAt, resolvedBy (the operator who answered, or the department whose batch retracted or replaced
            the row), note and overrideId. Role health sees every dispute; role department:<code> only those of its own
            catalogue entries; any other operator is answered 403 role_required.
            """);
}
