using System.Globalization;
using HealthCode.Api.Infrastructure.Store;

namespace HealthCode.Api.Infrastructure.Audit;

/// <summary>
/// Where <see cref="AuditLog"/> commits a batch of entries, durably, before their scans are answered (DESIGN §10 "Audit
/// durability"). On SQLite the chain itself, a local file (<see cref="ChainJournal"/>); on PostgreSQL the instance's
/// spool (<see cref="Store.Postgres.AuditSpool"/>), which a shipper moves into the one chain the instances share, so
/// that no scan waits on that chain's head lock or on PostgreSQL being there at all.
/// </summary>
internal interface IAuditJournal
{
    /// <summary>Commits <paramref name="events"/> in order; the <c>scanId</c> of each, in the same order, once they are durable.</summary>
    Task<AuditCommit> CommitAsync(IReadOnlyList<AuditEvent> events, CancellationToken cancellationToken);
}

/// <summary>
/// What a journal holds that the chain does not yet: readers of the chain ship it first, so the chain they read holds
/// every entry this instance answered, and the chain check says how much waits (<see cref="Spooled"/>).
/// </summary>
internal interface IAuditBacklog
{
    /// <summary>Entries answered by this instance and not yet in the chain; null where entries go into the chain directly.</summary>
    long? Spooled { get; }

    /// <summary>Moves what waits into the chain now; throws when the chain's store does not answer.</summary>
    Task FlushAsync(CancellationToken cancellationToken);
}

/// <param name="ScanIds">The <c>scanId</c> of each event committed, in order.</param>
/// <param name="Head">The chain's new head when the commit extended the chain itself (for the witness); null for a spool.</param>
internal sealed record AuditCommit(IReadOnlyList<string> ScanIds, AuditHead? Head);

/// <summary>The chain in a local file (SQLite): an entry is committed straight into it, and named by its seq in decimal.</summary>
internal sealed class ChainJournal(IAuditStore store) : IAuditJournal, IAuditBacklog
{
    /// <summary>Nothing waits: every entry answered is in the chain.</summary>
    public long? Spooled => null;

    public Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task<AuditCommit> CommitAsync(IReadOnlyList<AuditEvent> events, CancellationToken cancellationToken)
    {
        var head = await store.AppendAsync(events, cancellationToken);
        var scanIds = new string[events.Count];
        for (var i = 0; i < scanIds.Length; i++)
        {
            scanIds[i] = (head.Seq - events.Count + 1 + i).ToString(CultureInfo.InvariantCulture);
        }

        return new AuditCommit(scanIds, head);
    }
}
