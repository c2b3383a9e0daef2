using System.Security.Claims;
using HealthCode.Api.Infrastructure.Auth;
using HealthCode.Api.Infrastructure.Store;

namespace HealthCode.Api.Features.Sharing;

/// <summary>
/// <c>GET /api/v1/sources/{code}/batches/{batchId}</c> (DESIGN §9): a batch's state, with its progress while it runs and
/// its first 1,000 row errors when rejected. For the providing department, and for admins and auditors.
/// </summary>
internal sealed record GetBatchStatus(string Source, string BatchId, ClaimsPrincipal Operator) : IQuery<Result<BatchStatusView>>;

/// <param name="Status">receiving, applying, applied or rejected.</param>
/// <param name="Phase">While applying: checking, applying or rescoring.</param>
/// <param name="Rows">The rows the manifest declares.</param>
/// <param name="RowsRead">Rows read so far (checking), or in all.</param>
/// <param name="Applied">Rows applied.</param>
/// <param name="Rejected">Rows refused (a rejected batch applies none).</param>
/// <param name="Rescored">Persons whose facts the batch changed, re-scored: so far while rescoring, in all once applied.</param>
/// <param name="Reason">Why a batch was rejected: row_errors, row_count_mismatch, hash_mismatch, upload_incomplete, body_unavailable, ...</param>
internal sealed record BatchStatusView(
    string Source,
    string BatchId,
    string Status,
    string? Phase,
    long Rows,
    long RowsRead,
    long Applied,
    long Rejected,
    long Rescored,
    string? Reason,
    DateTimeOffset ReceivedAt,
    DateTimeOffset? FinishedAt,
    string UploadedBy,
    IReadOnlyList<RowError> Errors);

internal sealed class GetBatchStatusHandler(ICatalogStore catalog, IBatchStore batches, BatchApplier applier) : IQueryHandler<GetBatchStatus, Result<BatchStatusView>>
{
    public async ValueTask<Result<BatchStatusView>> Handle(GetBatchStatus query, CancellationToken cancellationToken)
    {
        if (await catalog.FindEntryAsync(query.Source, cancellationToken) is not { } entry)
        {
            return SharingProblems.SourceNotFound(query.Source);
        }

        var user = query.Operator;
        if (!user.IsDepartment(entry.Provider) && !user.HasRole(OperatorRoles.Admin) && !user.HasRole(OperatorRoles.Auditor))
        {
            return SharingProblems.DepartmentRequired(entry.Provider);
        }

        if (await batches.FindAsync(query.Source, query.BatchId, cancellationToken) is not { } batch)
        {
            return SharingProblems.BatchNotFound(query.Source, query.BatchId);
        }

        var running = batch.Status is "applying" or "rescoring" ? applier.Progress(batch.Source, batch.BatchId) : null;
        var errors = batch.Status == "rejected" ? await batches.ErrorsAsync(batch.Source, batch.BatchId, BatchApplier.MaxErrors, cancellationToken) : [];
        return new BatchStatusView(
            batch.Source,
            batch.BatchId,
            BatchStatus.Public(batch.Status),
            running?.Phase ?? (batch.Status == "rescoring" ? "rescoring" : null),
            batch.RowsDeclared,
            running?.RowsRead ?? batch.RowsRead,
            running?.Applied ?? batch.Applied,
            batch.Rejected,
            running?.Rescored ?? batch.Rescored,
            batch.Reason,
            batch.ReceivedAt,
            batch.FinishedAt,
            batch.UploadedBy,
            errors);
    }
}

internal static class GetBatchStatusEndpoint
{
    public static void MapGetBatchStatus(this RouteGroupBuilder group) => group
        .MapGet("/sources/{code}/batches/{batchId}", (string code, string batchId, HttpContext context, IMediator mediator, CancellationToken ct) =>
            mediator.Send(new GetBatchStatus(code, batchId, context.User), ct).Answer(TypedResults.Ok))
        .ProducesProblem(StatusCodes.Status401Unauthorized)
        .ProducesProblem(StatusCodes.Status403Forbidden)
        .ProducesProblem(StatusCodes.Status404NotFound)
        .WithCallerRoles(OperatorRoles.Department("<provider>"), OperatorRoles.Admin, OperatorRoles.Auditor)
        .WithName("GetBatchStatus")
        .WithSummary("A batch's state, progress and row errors")
        .WithDescription("status receiving | applying | applied | rejected; while applying, phase (checking, applying, rescoring) and the rows read and applied so far; when rejected, reason and the first 1,000 row errors {line, field, code}. For the providing department (role department:<provider>), admins and auditors.");
}
