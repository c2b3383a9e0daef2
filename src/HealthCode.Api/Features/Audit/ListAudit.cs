using HealthCode.Api.Infrastructure.Audit;
using HealthCode.Api.Infrastructure.Store;

namespace HealthCode.Api.Features.Audit;

/// <summary>
/// <c>GET /api/v1/admin/audit?cursor=&amp;limit=&amp;order=&amp;from=&amp;to=</c>: a page of the scan audit log
/// (<see cref="LogPageQuery"/>, the paging the data-use log shares). The values come as the query string has them and
/// are parsed here, so a bad one is a named field error (DESIGN §5).
/// </summary>
internal sealed record ListAudit(LogPageQuery Page) : IQuery<Result<LogPageView<AuditEntryView>>>;

/// <param name="Actor">The named operator of an operator action (<c>{operatorId, name}</c>); null for scans and lookups.</param>
/// <param name="Target">What an operator action acted on, when it names one.</param>
/// <param name="ScanId">The <c>scanId</c> the entry's answer carried (DESIGN §5): the instance and spool seq it was named by on
/// PostgreSQL, else its seq in decimal (SQLite, and entries from before scan ids).</param>
internal sealed record AuditEntryView(
    long Seq, string ScanId, DateTimeOffset At, string CheckpointId, string StaffId, string Action, string? Issuer, string? CodeId, string Outcome, AuditActor? Actor, string? Target, string Hash);

internal sealed class ListAuditHandler(IAuditStore store, IAuditBacklog backlog, TimeProvider time) : IQueryHandler<ListAudit, Result<LogPageView<AuditEntryView>>>
{
    public async ValueTask<Result<LogPageView<AuditEntryView>>> Handle(ListAudit query, CancellationToken cancellationToken)
    {
        // Every scan this instance answered before this request is in the chain once its spool is shipped (PostgreSQL);
        // on SQLite scans wait for their commit into the chain itself. Other instances ship theirs within their interval.
        await backlog.FlushAsync(cancellationToken);
        return await query.Page.ReadAsync(time.GetUtcNow(), page => store.PageAsync(page, cancellationToken), e => e.Seq, e => new AuditEntryView(
            e.Seq, e.Event.ScanId ?? e.Seq.ToString(System.Globalization.CultureInfo.InvariantCulture), e.Event.At, e.Event.CheckpointId, e.Event.StaffId, e.Event.Action, e.Event.Issuer, e.Event.CodeId, e.Event.Outcome,
            e.Event.Actor, e.Event.Target, e.Hash));
    }
}

internal static class ListAuditEndpoint
{
    public static RouteHandlerBuilder MapListAudit(this RouteGroupBuilder group) => group
        .MapGet("/audit", (string? cursor, string? limit, string? order, string? from, string? to, IMediator mediator, CancellationToken ct) =>
            mediator.Send(new ListAudit(new LogPageQuery(cursor, limit, order, from, to)), ct).Answer(TypedResults.Ok))
        .ProducesProblem(StatusCodes.Status400BadRequest)
        .ProducesProblem(StatusCodes.Status401Unauthorized)
        .ProducesProblem(StatusCodes.Status403Forbidden)
        .WithName("ListAudit")
        .WithSummary("A page of the audit log (role auditor or admin)")
        .WithDescription("On PostgreSQL this instance's spooled entries are shipped into the chain first (503 store_unavailable while PostgreSQL is down); other instances' follow within their ship interval. Every verify and lookup: seq (its place in the chain), scanId (the scanId its answer carried: an opaque string, on PostgreSQL the answering instance's id and its spool seq, on SQLite the seq in decimal), checkpoint, staff id, time, issuer, pseudonymous code id, outcome, and the entry's chain hash. Every operator action too (checkpointId operators): action the endpoint's name (CreateStaff, RevokeOperator, ...), target what it acted on, outcome the HTTP status, actor {operatorId, name} (bootstrap for the configured key). Pages: cursor (the nextCursor of the previous page, null once nothing follows), limit (1 to 1000, default 1000), order asc (sequence order, the default) or desc (newest first); without cursor, order or from, the last 24 hours oldest first, as before paging. from and to are ISO 8601 (2026-11-28T08:00:00Z, an offset's '+' as %2B, or a date alone, midnight UTC); an invalid one is a 400 validation_failed naming the field (code datetime_invalid; cursor_invalid, limit_invalid, limit_out_of_range, order_invalid for the others).");
}
