namespace HealthCode.Api.Features.DataUseLog;

/// <summary>
/// <c>GET /api/v1/admin/data-use/verify</c>: checks the data-use log's hash chain from its first entry, and its end
/// against the head kept with every append (DESIGN §10), so a changed or deleted entry is named, in the middle or at
/// the end.
/// </summary>
internal sealed record VerifyDataUseChain : IQuery<Result<DataUseChainReport>>;

internal sealed class VerifyDataUseChainHandler(IDataUseStore store) : IQueryHandler<VerifyDataUseChain, Result<DataUseChainReport>>
{
    public async ValueTask<Result<DataUseChainReport>> Handle(VerifyDataUseChain query, CancellationToken cancellationToken) =>
        await store.VerifyAsync(cancellationToken);
}

internal static class VerifyDataUseChainEndpoint
{
    public static RouteHandlerBuilder MapVerifyDataUseChain(this RouteGroupBuilder group) => group
        .MapGet("/data-use/verify", (IMediator mediator, CancellationToken ct) =>
            mediator.Send(new VerifyDataUseChain(), ct).Answer(TypedResults.Ok))
        .ProducesProblem(StatusCodes.Status401Unauthorized)
        .ProducesProblem(StatusCodes.Status403Forbidden)
        .WithName("VerifyDataUseChain")
        .WithSummary("Check the data-use log's hash chain (role auditor or admin)")
        .WithDescription("{valid, checked, headSeq, brokenAtSeq, problem, witnessSeq}: valid=false with brokenAtSeq and problem when an entry was changed (entry N was changed), deleted in the middle (entry N is missing) or deleted from the end: the rows must end at the log's head (the log ends at N but its head is at M) and reach the witness's head, kept in the instance's data folder out of the store's reach (entries N to M are missing from the end; entry N does not match the witness; the log's witness is missing). The witness is copied from the head every second: it may lag it, never lead it.");
}
