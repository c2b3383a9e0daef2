using HealthCode.Api.Infrastructure;
using HealthCode.Api.Infrastructure.Audit;
using HealthCode.Api.Infrastructure.Store;

namespace HealthCode.Api.Features.Audit;

/// <summary><c>POST /api/v1/admin/audit/purge</c>: removes entries past the retention period; the chain stays checkable.</summary>
internal sealed record PurgeAudit : ICommand<Result<AuditPurged>>;

internal sealed record AuditPurged(int Purged, DateTimeOffset Cutoff);

internal sealed class PurgeAuditHandler(IAuditStore store, IAuditBacklog backlog, IOptions<HealthCodeOptions> options, TimeProvider time)
    : ICommandHandler<PurgeAudit, Result<AuditPurged>>
{
    public async ValueTask<Result<AuditPurged>> Handle(PurgeAudit command, CancellationToken cancellationToken)
    {
        // This instance's spooled entries into the chain first (PostgreSQL): a purge acts on the chain as it answered it.
        await backlog.FlushAsync(cancellationToken);
        var cutoff = time.GetUtcNow().AddDays(-options.Value.Audit.RetentionDays);
        return new AuditPurged(await store.PurgeBeforeAsync(cutoff, cancellationToken), cutoff);
    }
}

internal static class PurgeAuditEndpoint
{
    public static RouteHandlerBuilder MapPurgeAudit(this RouteGroupBuilder group) => group
        .MapPost("/audit/purge", (IMediator mediator, CancellationToken ct) =>
            mediator.Send(new PurgeAudit(), ct).Answer(TypedResults.Ok))
        .ProducesProblem(StatusCodes.Status401Unauthorized)
        .ProducesProblem(StatusCodes.Status403Forbidden)
        .WithName("PurgeAudit")
        .WithSummary("Purge audit entries past the retention period")
        .WithDescription("Also runs every hour. Removes entries older than HealthCode:Audit:RetentionDays (default 30); the chain stays checkable from its anchor.");
}
