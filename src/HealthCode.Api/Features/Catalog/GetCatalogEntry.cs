using HealthCode.Api.Infrastructure.Store;

namespace HealthCode.Api.Features.Catalog;

/// <summary><c>GET /api/v1/catalog/{code}</c>: one entry of the public catalogue (where a new entry's <c>Location</c> points).</summary>
internal sealed record GetCatalogEntry(string Code) : IQuery<Result<CatalogEntryView>>;

internal sealed class GetCatalogEntryHandler(ICatalogStore store, TimeProvider time) : IQueryHandler<GetCatalogEntry, Result<CatalogEntryView>>
{
    public async ValueTask<Result<CatalogEntryView>> Handle(GetCatalogEntry query, CancellationToken cancellationToken) =>
        await CatalogEntryView.ReadAsync(store, query.Code, time.GetUtcNow(), cancellationToken) is { } entry
            ? entry
            : CatalogProblems.NotFound(query.Code);
}

internal static class GetCatalogEntryEndpoint
{
    public static void MapGetCatalogEntry(this RouteGroupBuilder group) => group
        .MapGet("/catalog/{code}", async Task<Results<Ok<CatalogEntryView>, ProblemHttpResult>> (string code, HttpContext context, IMediator mediator, CancellationToken ct) =>
        {
            var answer = await mediator.Send(new GetCatalogEntry(code), ct).Answer(TypedResults.Ok);
            if (answer.Result is Ok<CatalogEntryView>)
            {
                // Not on a 404: an entry added a moment later is not hidden behind a cached "not found".
                context.Response.Headers.CacheControl = GetCatalogEndpoint.CacheControl;
            }

            return answer;
        })
        .AllowAnonymous()
        .ProducesProblem(StatusCodes.Status404NotFound)
        .WithName("GetCatalogEntry")
        .WithSummary("One catalogue entry (public)")
        .WithDescription("The entry as in GET /api/v1/catalog, with late and lateSince. 404 catalog_entry_not_found for an unknown code.");
}
