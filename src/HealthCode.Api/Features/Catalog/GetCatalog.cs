using HealthCode.Api.Infrastructure.Store;

namespace HealthCode.Api.Features.Catalog;

/// <summary>
/// <c>GET /api/v1/catalog</c> (DESIGN §9): the sharing catalogue, published to society. Anyone may read it, without
/// logging in: what each department shares, under what law, for what purpose, how often, and whether it is late.
/// </summary>
internal sealed record GetCatalog : IQuery<Result<CatalogView>>;

/// <param name="AsOf">The time <c>late</c> was judged at.</param>
internal sealed record CatalogView(DateTimeOffset AsOf, IReadOnlyList<CatalogEntryView> Entries);

internal sealed class GetCatalogHandler(ICatalogStore store, TimeProvider time) : IQueryHandler<GetCatalog, Result<CatalogView>>
{
    public async ValueTask<Result<CatalogView>> Handle(GetCatalog query, CancellationToken cancellationToken)
    {
        var names = (await store.ListDepartmentsAsync(cancellationToken)).ToDictionary(d => d.Code, d => d.Name, StringComparer.Ordinal);
        var entries = await store.ListEntriesAsync(cancellationToken);
        var now = time.GetUtcNow();
        return new CatalogView(now, [.. entries.Select(e => CatalogEntryView.From(e, names.GetValueOrDefault(e.Provider), now))]);
    }
}

internal static class GetCatalogEndpoint
{
    /// <summary>
    /// How long a browser or proxy may keep the catalogue. Its readers want to know how fresh the data is, in hours or
    /// days; a minute of lag in "late" or in an operator's change costs them nothing and spares the store every
    /// reload of a public page.
    /// </summary>
    public const string CacheControl = "public, max-age=60";

    public static void MapGetCatalog(this RouteGroupBuilder group) => group
        .MapGet("/catalog", (HttpContext context, IMediator mediator, CancellationToken ct) =>
        {
            context.Response.Headers.CacheControl = CacheControl;
            return mediator.Send(new GetCatalog(), ct).Answer(TypedResults.Ok);
        })
        .AllowAnonymous()
        .WithName("GetCatalog")
        .WithSummary("The sharing catalogue (public)")
        .WithDescription("{asOf, entries}: every entry with every DESIGN §9 field (code, name, provider and providerName, summary, kind, items, sharing, updateCycle, legalBasis, purpose, retentionDays, publishedAt, lastBatchAt, rows), ordered by code, plus late (its data is older than its update cycle, or no batch came yet; never for sharing type none) and lateSince. No login; cacheable for 60 s.");
}
