using HealthCode.Api.Features.Declarations;

namespace HealthCode.Api.Features.Overrides;

/// <summary><c>GET /api/v1/admin/overrides?state=&amp;limit=</c> (DESIGN §10): the most recent overrides, newest first.</summary>
internal sealed record ListOverrides(string? State, string? Limit) : IQuery<Result<IReadOnlyList<OverrideView>>>;

internal sealed class ListOverridesHandler(IOverrideStore overrides, TimeProvider time) : IQueryHandler<ListOverrides, Result<IReadOnlyList<OverrideView>>>
{
    public const int DefaultLimit = 100;
    public const int MaxLimit = 500;

    public async ValueTask<Result<IReadOnlyList<OverrideView>>> Handle(ListOverrides query, CancellationToken cancellationToken)
    {
        var errors = new List<FieldError>();
        FieldRules.OneOf("state", query.State, OverrideStates.All, errors);
        var limit = FieldRules.Limit(query.Limit, DefaultLimit, MaxLimit, errors);

        if (errors.Count > 0)
        {
            return ApiProblem.Validation(errors);
        }

        var listed = await overrides.ListAsync(query.State, time.Today(), limit, cancellationToken);
        return Result<IReadOnlyList<OverrideView>>.From([.. listed.Select(OverrideView.From)]);
    }
}

internal static class ListOverridesEndpoint
{
    public static RouteHandlerBuilder MapListOverrides(this RouteGroupBuilder group) => group
        .MapGet("/overrides", (string? state, string? limit, IMediator mediator, CancellationToken ct) =>
            mediator.Send(new ListOverrides(state, limit), ct).Answer(TypedResults.Ok))
        .ProducesProblem(StatusCodes.Status400BadRequest)
        .ProducesProblem(StatusCodes.Status401Unauthorized)
        .ProducesProblem(StatusCodes.Status403Forbidden)
        .WithName("ListOverrides")
        .WithSummary("Overrides, newest first (role health)")
        .WithDescription("state narrows the list: proposed, active, rejected, withdrawn, superseded or expired (an active override past its until date reads expired at once). At most limit (1 to 500, default 100). Each with the person masked, colour, reason, rule, until, disputeId, proposedBy and decidedBy {operatorId, name} and their times.");
}
