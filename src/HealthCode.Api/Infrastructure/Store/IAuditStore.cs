using HealthCode.Api.Infrastructure.Audit;

namespace HealthCode.Api.Infrastructure.Store;

/// <summary>The append-only scan audit log.</summary>
internal interface IAuditStore
{
    /// <summary>Appends events in order, each chained to the one before.</summary>
    Task AppendAsync(IReadOnlyList<AuditEvent> events, CancellationToken cancellationToken);

    Task<IReadOnlyList<AuditEntry>> ReadAsync(DateTimeOffset from, DateTimeOffset to, int limit, CancellationToken cancellationToken);

    Task<AuditChainReport> VerifyChainAsync(CancellationToken cancellationToken);

    /// <summary>Deletes entries older than the cutoff, moving the chain's anchor to the last one deleted.</summary>
    Task<int> PurgeBeforeAsync(DateTimeOffset cutoff, CancellationToken cancellationToken);
}
