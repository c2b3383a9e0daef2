using HealthCode.Api.Infrastructure.Store;

namespace HealthCode.Api.Features.Catalog;

/// <summary>
/// <c>PUT /api/v1/admin/catalog/{code}</c> (DESIGN §9): an operator changes a published entry; the body is the whole
/// entry, its code the one in the path. What the service keeps (the last batch and its rows) is not touched. The
/// code names the provider, so moving an entry to another department is a new entry.
/// </summary>
internal sealed record UpdateCatalogEntry(string Code, CatalogEntryRequest Entry) : ICommand<Result<CatalogEntryView>>;

internal sealed class UpdateCatalogEntryValidator(CatalogEntryValidator entry) : IValidator<UpdateCatalogEntry>
{
    public IReadOnlyList<FieldError> Validate(UpdateCatalogEntry message)
    {
        var errors = new List<FieldError>(entry.Validate(message.Entry));
        if (message.Entry.Code is { } code && code != message.Code && !errors.Any(e => e.Field == "code"))
        {
            errors.Add(new FieldError("code", "catalog_code_mismatch",
                $"The body's code must be the path's, {message.Code}: an entry's code does not change (publish a new entry instead)."));
        }

        return errors;
    }
}

internal sealed class UpdateCatalogEntryHandler(ICatalogStore store, TimeProvider time) : ICommandHandler<UpdateCatalogEntry, Result<CatalogEntryView>>
{
    public async ValueTask<Result<CatalogEntryView>> Handle(UpdateCatalogEntry command, CancellationToken cancellationToken)
    {
        if (await store.FindEntryAsync(command.Code, cancellationToken) is not { } current)
        {
            return CatalogProblems.NotFound(command.Code);
        }

        if (await CatalogProblems.CheckProviderAsync(store, command.Entry.Provider!, cancellationToken) is { } unknown)
        {
            return unknown;
        }

        // Without publishedAt, the entry keeps its publication date: changing a field does not republish it.
        var entry = command.Entry.ToEntry(publishedAt: current.PublishedAt);
        if (!await store.UpdateEntryAsync(entry, cancellationToken))
        {
            return CatalogProblems.NotFound(command.Code);
        }

        return (await CatalogEntryView.ReadAsync(store, entry.Code, time.GetUtcNow(), cancellationToken))!;
    }
}

internal static class UpdateCatalogEntryEndpoint
{
    public static void MapUpdateCatalogEntry(this RouteGroupBuilder group) => group
        .MapPut("/catalog/{code}", async Task<Results<Ok<CatalogEntryView>, ProblemHttpResult>> (
            string code, JsonBody<CatalogEntryRequest> body, IMediator mediator, CancellationToken ct) =>
            body.Problem is { } invalid
                ? invalid.ToResult()
                : await mediator.Send(new UpdateCatalogEntry(code, body.Value!), ct).Answer(TypedResults.Ok))
        .Accepts<CatalogEntryRequest>("application/json")
        .ProducesProblem(StatusCodes.Status400BadRequest)
        .ProducesProblem(StatusCodes.Status401Unauthorized)
        .ProducesProblem(StatusCodes.Status404NotFound)
        .WithName("UpdateCatalogEntry")
        .WithSummary("Change a catalogue entry")
        .WithDescription("The body is the whole entry, checked as for POST /api/v1/admin/catalog; its code must be the path's (catalog_code_mismatch otherwise), and so must name the same provider. Without publishedAt the entry keeps its publication date. lastBatchAt and rows are kept. 404 catalog_entry_not_found for an unknown code.");
}
