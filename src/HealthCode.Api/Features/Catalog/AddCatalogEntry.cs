using HealthCode.Api.Infrastructure.Store;

namespace HealthCode.Api.Features.Catalog;

/// <summary>
/// <c>POST /api/v1/admin/catalog</c> (DESIGN §9): an operator publishes a catalogue entry: what data a department
/// provides, on what legal basis, for what purpose, how it is shared, how often it is updated and how long it is kept.
/// </summary>
internal sealed record AddCatalogEntry(CatalogEntryRequest Entry) : ICommand<Result<CatalogEntryView>>;

internal sealed class AddCatalogEntryValidator(CatalogEntryValidator entry) : IValidator<AddCatalogEntry>
{
    public IReadOnlyList<FieldError> Validate(AddCatalogEntry message) => entry.Validate(message.Entry);
}

internal sealed class AddCatalogEntryHandler(ICatalogStore store, TimeProvider time) : ICommandHandler<AddCatalogEntry, Result<CatalogEntryView>>
{
    public async ValueTask<Result<CatalogEntryView>> Handle(AddCatalogEntry command, CancellationToken cancellationToken)
    {
        if (await CatalogProblems.CheckProviderAsync(store, command.Entry.Provider!, cancellationToken) is { } unknown)
        {
            return unknown;
        }

        var now = time.GetUtcNow();
        var entry = command.Entry.ToEntry(publishedAt: now);
        if (!await store.AddEntryAsync(entry, cancellationToken))
        {
            return new ApiProblem(StatusCodes.Status409Conflict, "catalog_code_taken", "An entry with this code exists.",
                $"Change {entry.Code} with PUT /api/v1/admin/catalog/{entry.Code}, or give the new entry the department's next serial.",
                [new FieldError("code", "catalog_code_taken", $"The catalogue already has {entry.Code}.")]);
        }

        return (await CatalogEntryView.ReadAsync(store, entry.Code, now, cancellationToken))!;
    }
}

internal static class AddCatalogEntryEndpoint
{
    public static void MapAddCatalogEntry(this RouteGroupBuilder group) => group
        .MapPost("/catalog", async Task<Results<Created<CatalogEntryView>, ProblemHttpResult>> (
            JsonBody<CatalogEntryRequest> body, IMediator mediator, CancellationToken ct) =>
            body.Problem is { } invalid
                ? invalid.ToResult()
                : await mediator.Send(new AddCatalogEntry(body.Value!), ct)
                    .Answer(added => TypedResults.Created($"/api/v1/catalog/{added.Code}", added)))
        .Accepts<CatalogEntryRequest>("application/json")
        .ProducesProblem(StatusCodes.Status400BadRequest)
        .ProducesProblem(StatusCodes.Status401Unauthorized)
        .ProducesProblem(StatusCodes.Status409Conflict)
        .WithName("AddCatalogEntry")
        .WithSummary("Publish a catalogue entry")
        .WithDescription("Every field is checked and each invalid one named in errors: code <province>-<provider>-<3 digits> (410000-CDC-002: this province's code and the provider's), name, provider (a registered department: provider_unknown otherwise), summary, kind (population, risk_areas, cases, close_contacts, tests, travel), items [{name, type}] (at least one), sharing {type: unconditional | conditional (conditions required) | none, conditions, method: batch}, updateCycle (ISO 8601 duration in days, hours, minutes or weeks: P1D, PT6H, P1W; not years or months), legalBasis, purpose, retentionDays (1 to 3650), publishedAt (optional, default now). lastBatchAt and rows are kept by the service. 409 catalog_code_taken for a code in use.");
}
