using HealthCode.Api.Infrastructure.Store;

namespace HealthCode.Api.Features.Catalog;

/// <summary><c>GET /api/v1/admin/departments</c> (DESIGN §9): every registered department with its public key, by code.</summary>
internal sealed record ListDepartments : IQuery<Result<IReadOnlyList<DepartmentView>>>;

internal sealed class ListDepartmentsHandler(ICatalogStore store) : IQueryHandler<ListDepartments, Result<IReadOnlyList<DepartmentView>>>
{
    public async ValueTask<Result<IReadOnlyList<DepartmentView>>> Handle(ListDepartments query, CancellationToken cancellationToken) =>
        Result<IReadOnlyList<DepartmentView>>.From([.. (await store.ListDepartmentsAsync(cancellationToken)).Select(DepartmentView.From)]);
}

internal static class ListDepartmentsEndpoint
{
    public static void MapListDepartments(this RouteGroupBuilder group) => group
        .MapGet("/departments", (IMediator mediator, CancellationToken ct) => mediator.Send(new ListDepartments(), ct).Answer(TypedResults.Ok))
        .ProducesProblem(StatusCodes.Status401Unauthorized)
        .WithName("ListDepartments")
        .WithSummary("Registered departments with their keys")
        .WithDescription("Each department's code, name, public JWK, its kid and when it was first registered, ordered by code.");
}
