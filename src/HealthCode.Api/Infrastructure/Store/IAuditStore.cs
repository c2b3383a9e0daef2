using HealthCode.Api.Infrastructure.Audit;

namespace HealthCode.Api.Infrastructure.Store;

/// <summary>The append-only scan audit log.</summary>
internal interface IAuditStore
{
    /// <summary>Creates or upgrades where the audit is kept, before the first append.</summary>
    Task InitializeAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Appends events in order, each chained to the one before, and moves the chain's head in the same durable
    /// commit. Returns the new head: the events hold the sequence numbers up to <see cref="AuditHead.Seq"/>.
    /// </summary>
    Task<AuditHead> AppendAsync(IReadOnlyList<AuditEvent> events, CancellationToken cancellationToken);

    /// <summary>The chain's head as the store holds it.</summary>
    Task<AuditHead> ReadHeadAsync(CancellationToken cancellationToken);

    /// <summary>A page of the entries, in sequence order or newest first (<see cref="LogPage"/>).</summary>
    Task<IReadOnlyList<AuditEntry>> PageAsync(LogPage page, CancellationToken cancellationToken);

    /// <summary>Checks the chain from its anchor to its end, and the end against the store's head and <paramref name="witness"/>.</summary>
    Task<AuditChainReport> VerifyChainAsync(AuditHead? witness, CancellationToken cancellationToken);

    /// <summary>Deletes entries older than the cutoff, moving the chain's anchor to the last one deleted.</summary>
    Task<int> PurgeBeforeAsync(DateTimeOffset cutoff, CancellationToken cancellationToken);
}
