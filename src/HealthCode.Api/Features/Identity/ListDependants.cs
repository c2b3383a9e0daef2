using HealthCode.Api.Infrastructure.Auth;
using HealthCode.Api.Infrastructure.Store;

namespace HealthCode.Api.Features.Identity;

/// <summary><c>GET /api/v1/me/dependants</c>: the account's family members, each with their code's colour.</summary>
internal sealed record ListDependants(string ResidentId) : IQuery<Result<IReadOnlyList<DependantView>>>;

internal sealed class ListDependantsHandler(IPersonStore persons) : IQueryHandler<ListDependants, Result<IReadOnlyList<DependantView>>>
{
    public async ValueTask<Result<IReadOnlyList<DependantView>>> Handle(ListDependants query, CancellationToken cancellationToken) =>
        Result<IReadOnlyList<DependantView>>.From([.. (await persons.ListDependantsAsync(query.ResidentId, cancellationToken)).Select(DependantView.From)]);
}

internal static class ListDependantsEndpoint
{
    public static void MapListDependants(this RouteGroupBuilder group) => group
        .MapGet("/me/dependants", (HttpContext context, IMediator mediator, CancellationToken ct) =>
        {
            // The holder's family's names and ID numbers: never kept by a cache on the way.
            context.Response.Headers.CacheControl = "no-store";
            return mediator.Send(new ListDependants(context.User.ResidentId()), ct).Answer(TypedResults.Ok);
        })
        .RequireAuthorization(ResidentSessionAuthentication.SchemeName)
        .ProducesProblem(StatusCodes.Status401Unauthorized)
        .WithName("ListDependants")
        .WithSummary("The account's family members")
        .WithDescription("Each family member's name and ID number (as the holder entered them, to fill in their declarations), masked name, ID tail and code colour (null before their first declaration), in the order they were added.");
}
