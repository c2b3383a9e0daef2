using HealthCode.Api.Infrastructure;
using HealthCode.Api.Infrastructure.Audit;
using HealthCode.Api.Infrastructure.Store;

namespace HealthCode.Api.Features.Audit;

/// <summary><c>GET /api/v1/admin/audit?from=&amp;to=</c>: the scan audit log of a time range (at most 1000 entries).</summary>
internal sealed record ListAudit(DateTimeOffset? From, DateTimeOffset? To) : IQuery<Result<AuditPage>>;

internal sealed record AuditPage(DateTimeOffset From, DateTimeOffset To, IReadOnlyList<AuditEntryView> Entries);

internal sealed record AuditEntryView(long Seq, DateTimeOffset At, string CheckpointId, string StaffId, string Action, string? Issuer, string? CodeId, string Outcome, string Hash);

internal sealed class ListAuditHandler(IAuditStore store, AuditLog log, TimeProvider time) : IQueryHandler<ListAudit, Result<AuditPage>>
{
    public const int MaxEntries = 1000;

    public async ValueTask<Result<AuditPage>> Handle(ListAudit query, CancellationToken cancellationToken)
    {
        var to = query.To ?? time.GetUtcNow().AddSeconds(1);
        var from = query.From ?? to.AddDays(-1);
        if (from > to)
        {
            return new ApiProblem(StatusCodes.Status400BadRequest, "validation_failed", "'from' must be before 'to'.",
                Errors: [new FieldError("from", "range_invalid", "Choose a 'from' earlier than 'to'.")]);
        }

        // What was scanned before this request is in the answer.
        await log.FlushAsync(cancellationToken);
        var entries = await store.ReadAsync(from, to, MaxEntries, cancellationToken);
        return new AuditPage(from, to, [.. entries.Select(e => new AuditEntryView(
            e.Seq, e.Event.At, e.Event.CheckpointId, e.Event.StaffId, e.Event.Action, e.Event.Issuer, e.Event.CodeId, e.Event.Outcome, e.Hash))]);
    }
}

/// <summary><c>GET /api/v1/admin/audit/verify</c>: checks the whole hash chain; a changed or deleted entry is named.</summary>
internal sealed record VerifyAuditChain : IQuery<Result<AuditChainReport>>;

internal sealed class VerifyAuditChainHandler(IAuditStore store, AuditLog log) : IQueryHandler<VerifyAuditChain, Result<AuditChainReport>>
{
    public async ValueTask<Result<AuditChainReport>> Handle(VerifyAuditChain query, CancellationToken cancellationToken)
    {
        await log.FlushAsync(cancellationToken);
        return await store.VerifyChainAsync(cancellationToken);
    }
}

/// <summary><c>POST /api/v1/admin/audit/purge</c>: removes entries past the retention period; the chain stays checkable.</summary>
internal sealed record PurgeAudit : ICommand<Result<AuditPurged>>;

internal sealed record AuditPurged(int Purged, DateTimeOffset Cutoff);

internal sealed class PurgeAuditHandler(IAuditStore store, AuditLog log, IOptions<HealthCodeOptions> options, TimeProvider time)
    : ICommandHandler<PurgeAudit, Result<AuditPurged>>
{
    public async ValueTask<Result<AuditPurged>> Handle(PurgeAudit command, CancellationToken cancellationToken)
    {
        await log.FlushAsync(cancellationToken);
        var cutoff = time.GetUtcNow().AddDays(-options.Value.Audit.RetentionDays);
        return new AuditPurged(await store.PurgeBeforeAsync(cutoff, cancellationToken), cutoff);
    }
}

/// <summary>Runs the retention purge every hour.</summary>
internal sealed class AuditRetention(IServiceScopeFactory scopes, TimeProvider time) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromHours(1), time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            await using var scope = scopes.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<IMediator>().Send(new PurgeAudit(), stoppingToken);
        }
    }
}

internal static class AuditEndpoints
{
    public static void MapAudit(this RouteGroupBuilder group)
    {
        group.MapGet("/audit", (DateTimeOffset? from, DateTimeOffset? to, IMediator mediator, CancellationToken ct) =>
                mediator.Send(new ListAudit(from, to), ct).Answer(TypedResults.Ok))
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .WithName("ListAudit")
            .WithSummary("The scan audit log of a time range")
            .WithDescription("Every verify and lookup: checkpoint, staff id, time, issuer, pseudonymous code id, outcome, and the entry's chain hash. At most 1000 entries; default the last 24 hours.");
        group.MapGet("/audit/verify", (IMediator mediator, CancellationToken ct) =>
                mediator.Send(new VerifyAuditChain(), ct).Answer(TypedResults.Ok))
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .WithName("VerifyAuditChain")
            .WithSummary("Check the audit log's hash chain")
            .WithDescription("valid=false with brokenAtSeq when an entry was changed or deleted.");
        group.MapPost("/audit/purge", (IMediator mediator, CancellationToken ct) =>
                mediator.Send(new PurgeAudit(), ct).Answer(TypedResults.Ok))
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .WithName("PurgeAudit")
            .WithSummary("Purge audit entries past the retention period")
            .WithDescription("Also runs every hour. Removes entries older than HealthCode:Audit:RetentionDays (default 30); the chain stays checkable from its anchor.");
    }
}
