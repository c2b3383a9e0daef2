using HealthCode.Api.Infrastructure.Audit;
using HealthCode.Api.Infrastructure.Store;

namespace HealthCode.Api.Features.Audit;

/// <summary>
/// <c>GET /api/v1/admin/audit/verify</c>: checks the whole hash chain from its anchor, and its end against the store's
/// head and the witness (DESIGN §10), so a changed or deleted entry is named, in the middle or at the end.
/// </summary>
internal sealed record VerifyAuditChain : IQuery<Result<AuditChainReport>>;

internal sealed class VerifyAuditChainHandler(IAuditStore store, IAuditHeadWitness witness, IAuditBacklog backlog) : IQueryHandler<VerifyAuditChain, Result<AuditChainReport>>
{
    public async ValueTask<Result<AuditChainReport>> Handle(VerifyAuditChain query, CancellationToken cancellationToken)
    {
        // This instance's spool into the chain first (PostgreSQL), so the check covers every scan it answered.
        await backlog.FlushAsync(cancellationToken);
        // The witness first: it is written after each commit, so rows read after it can only be further ahead.
        var head = await witness.ReadAsync(cancellationToken);
        return await store.VerifyChainAsync(head, cancellationToken) with { Spooled = backlog.Spooled };
    }
}

internal static class VerifyAuditChainEndpoint
{
    public static RouteHandlerBuilder MapVerifyAuditChain(this RouteGroupBuilder group) => group
        .MapGet("/audit/verify", (IMediator mediator, CancellationToken ct) =>
            mediator.Send(new VerifyAuditChain(), ct).Answer(TypedResults.Ok))
        .ProducesProblem(StatusCodes.Status401Unauthorized)
        .ProducesProblem(StatusCodes.Status403Forbidden)
        .WithName("VerifyAuditChain")
        .WithSummary("Check the audit log's hash chain")
        .WithDescription("valid=false with brokenAtSeq and problem when an entry was changed or deleted, including entries deleted from the end: the rows must end at the chain's head (headSeq, kept with the entries) and reach the witness's head (witnessSeq, kept beside the database; it may lag the rows, never lead them). On PostgreSQL this instance's spooled entries are shipped first, and spooled says how many of them still wait (answered, not yet in the chain); null on SQLite, where every entry answered is in the chain. 503 store_unavailable while PostgreSQL is down.");
}
