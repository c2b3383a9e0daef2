using HealthCode.Api.Infrastructure.Store;

namespace HealthCode.Api.Features.DataUseLog;

/// <summary>
/// <c>GET /api/v1/admin/data-use?cursor=&amp;limit=&amp;order=&amp;from=&amp;to=</c> (DESIGN §10): a page of the whole
/// data-use log for auditors, paged as the scan audit is (<see cref="LogPageQuery"/>).
/// </summary>
internal sealed record ListDataUse(LogPageQuery Page) : IQuery<Result<LogPageView<DataUseEntryView>>>;

/// <summary>An entry as stored: the person by their pseudonymous id, the actor as recorded, and the chain's hashes.</summary>
internal sealed record DataUseEntryView(
    long Seq, DateTimeOffset At, string PersonId, string Purpose, string Actor, string? Source, string? BatchId, string PrevHash, string Hash);

internal sealed class ListDataUseHandler(IDataUseStore store, TimeProvider time) : IQueryHandler<ListDataUse, Result<LogPageView<DataUseEntryView>>>
{
    public async ValueTask<Result<LogPageView<DataUseEntryView>>> Handle(ListDataUse query, CancellationToken cancellationToken) =>
        await query.Page.ReadAsync(time.GetUtcNow(), page => store.PageAsync(page, cancellationToken), e => e.Seq, e => new DataUseEntryView(
            e.Seq, e.At, e.Use.PersonId, e.Use.Purpose, e.Use.Actor, e.Use.Source, e.Use.BatchId, e.PrevHash, e.Hash));
}

internal static class ListDataUseEndpoint
{
    public static RouteHandlerBuilder MapListDataUse(this RouteGroupBuilder group) => group
        .MapGet("/data-use", (string? cursor, string? limit, string? order, string? from, string? to, IMediator mediator, CancellationToken ct) =>
            mediator.Send(new ListDataUse(new LogPageQuery(cursor, limit, order, from, to)), ct).Answer(TypedResults.Ok))
        .ProducesProblem(StatusCodes.Status400BadRequest)
        .ProducesProblem(StatusCodes.Status401Unauthorized)
        .ProducesProblem(StatusCodes.Status403Forbidden)
        .WithName("ListDataUse")
        .WithSummary("A page of the data-use log (role auditor or admin)")
        .WithDescription("Every use of a person's shared data (DESIGN §10): seq, at, personId (pseudonymous), purpose, actor as recorded, source and batchId, prevHash and hash. Paged as GET /api/v1/admin/audit: cursor (the nextCursor of the previous page, null once nothing follows), limit (1 to 1000, default 1000), order asc (default) or desc (newest first), from and to (ISO 8601); without cursor, order or from, the last 24 hours oldest first. Invalid values are a 400 validation_failed naming each (cursor_invalid, limit_invalid, limit_out_of_range, order_invalid, datetime_invalid, range_invalid).");
}
