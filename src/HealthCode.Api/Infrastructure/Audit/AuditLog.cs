using System.Threading.Channels;
using HealthCode.Api.Infrastructure.Store;

namespace HealthCode.Api.Infrastructure.Audit;

/// <summary>
/// Records scans and lookups in the audit before they are answered (DESIGN §10 "Audit durability"): a caller
/// gets its entry's <c>scanId</c> only once the transaction that holds the entry is committed, fsync included, so
/// an answered scan survives kill -9 and a power cut. The commit goes to the <see cref="IAuditJournal"/>: the chain
/// itself on SQLite, the instance's spool on PostgreSQL (shipped into the shared chain by <see cref="Store.Postgres.AuditShipper"/>,
/// which then gives the witness its heads). One writer commits whatever is queued as one transaction
/// (group commit): while a commit runs, the scans that arrive queue up, and the next commit carries all of them, so
/// the commits follow the disk's pace, not the scan rate, and nothing lingers on purpose. Every scan waiting on a
/// commit is released as soon as it is done. A batch the store cannot take after a few tries fails each of its
/// scans with <see cref="Unavailable"/>: a scan that is not in the audit gets no verdict. After each commit the
/// new head goes to the witness, written beside the commits rather than between them: a witness may lag, so no scan
/// waits for it, and it is written at most every <see cref="WitnessInterval"/>, with the newest head. On shutdown
/// the writer drains the queue and the witness gets the last head.
/// </summary>
internal sealed partial class AuditLog(IAuditStore store, IAuditJournal journal, IAuditHeadWitness witness, ILogger<AuditLog> logger) : BackgroundService
{
    private const int MaxBatch = 500;

    /// <summary>What a scan or lookup answers when its entry could not be committed.</summary>
    public static readonly ApiProblem Unavailable = new(
        StatusCodes.Status503ServiceUnavailable,
        "audit_unavailable",
        "The scan could not be recorded in the audit log, so it gets no answer.",
        "Scan again in a moment. If it keeps failing, tell the operator: the audit store is not taking entries.");

    // Pauses between the tries of one batch, for a disk that is busy or failing for a moment. Under a second in all:
    // a staff member waits on the answer. Other writers' locks are waited for by SQLite's own busy timeout.
    private static readonly TimeSpan[] RetryDelays = [TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(150), TimeSpan.FromMilliseconds(300)];

    // A witness write is a file replaced and fsynced: at one per commit it would take the disk from the commits
    // for a guarantee that holds as well with a witness a moment behind.
    private static readonly TimeSpan WitnessInterval = TimeSpan.FromMilliseconds(100);

    private readonly Channel<PendingEntry> queue = Channel.CreateBounded<PendingEntry>(new BoundedChannelOptions(100_000)
    {
        SingleReader = true,
        FullMode = BoundedChannelFullMode.Wait,
    });

    // The newest committed head not yet given to the witness: a newer one replaces it.
    private readonly Channel<AuditHead> heads = Channel.CreateBounded<AuditHead>(new BoundedChannelOptions(1)
    {
        SingleReader = true,
        SingleWriter = true,
        FullMode = BoundedChannelFullMode.DropOldest,
    });

    private long asked;

    /// <summary>Scans, lookups and operator actions asked to be recorded since the start: whether checkpoints are busy.</summary>
    public long Asked => Interlocked.Read(ref asked);

    /// <summary>Records <paramref name="e"/>; its <c>scanId</c> (DESIGN §5) once it is durable, or <see cref="Unavailable"/>.</summary>
    public async Task<Result<string>> RecordAsync(AuditEvent e, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref asked);
        var pending = new PendingEntry(e);
        try
        {
            await queue.Writer.WriteAsync(pending, cancellationToken);
        }
        catch (ChannelClosedException)
        {
            // The service is stopping and the writer takes nothing more.
            return Unavailable;
        }

        return await pending.Task.WaitAsync(cancellationToken) is { } scanId ? scanId : Unavailable;
    }

    /// <summary>
    /// Gives a data folder without a witness (new, or from before the witness existed) one before the first scan,
    /// so that from then on a missing witness is a removed one.
    /// </summary>
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        if (await witness.ReadAsync(cancellationToken) is null)
        {
            await witness.WriteAsync(await store.ReadHeadAsync(cancellationToken), cancellationToken);
        }

        await base.StartAsync(cancellationToken);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        queue.Writer.TryComplete();
        await base.StopAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var witnessing = Task.Run(WitnessAsync, CancellationToken.None);
        var batch = new List<PendingEntry>(MaxBatch);
        var events = new List<AuditEvent>(MaxBatch);
        // Reads until the queue is completed and empty: stopping drains, it does not drop.
        while (await queue.Reader.WaitToReadAsync(CancellationToken.None))
        {
            while (batch.Count < MaxBatch && queue.Reader.TryRead(out var pending))
            {
                batch.Add(pending);
                events.Add(pending.Event);
            }

            var committed = await CommitAsync(events);
            for (var i = 0; i < batch.Count; i++)
            {
                batch[i].TrySetResult(committed?.ScanIds[i]);
            }

            batch.Clear();
            events.Clear();
            if (committed?.Head is { } head)
            {
                heads.Writer.TryWrite(head);
            }
        }

        heads.Writer.TryComplete();
        await witnessing;
    }

    /// <summary>The batch's commit; null when the journal would not take it.</summary>
    private async Task<AuditCommit?> CommitAsync(List<AuditEvent> events)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return await journal.CommitAsync(events, CancellationToken.None);
            }
            catch (Exception e) when (attempt < RetryDelays.Length && e is System.Data.Common.DbException or IOException)
            {
                LogRetry(logger, events.Count, attempt + 1, e.Message);
                // Pacing runs on the real clock (here and for the witness), whatever clock stamps the entries.
                await Task.Delay(RetryDelays[attempt], CancellationToken.None);
            }
            catch (Exception e)
            {
                // Whatever went wrong, the scans waiting on this batch must hear that their entries are not stored.
                LogFailed(logger, e, events.Count);
                return null;
            }
        }
    }

    /// <summary>
    /// Gives the witness the newest head, at most every <see cref="WitnessInterval"/>. It lags the store by design:
    /// if a write fails or a crash comes first, the check still holds the rows to the store's head, and the next
    /// commit's head is written again.
    /// </summary>
    private async Task WitnessAsync()
    {
        await foreach (var head in heads.Reader.ReadAllAsync(CancellationToken.None))
        {
            try
            {
                await witness.WriteAsync(head, CancellationToken.None);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                LogWitnessFailed(logger, head.Seq, e.Message);
            }

            // Real time, as for the retries.
            await Task.Delay(WitnessInterval, CancellationToken.None);
        }
    }

    /// <summary>An entry waiting for its commit; completed with its scanId, or null when the batch failed.</summary>
    private sealed class PendingEntry(AuditEvent e) : TaskCompletionSource<string?>(TaskCreationOptions.RunContinuationsAsynchronously)
    {
        public AuditEvent Event { get; } = e;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Audit batch of {Count} not written (attempt {Attempt}: {Error}); retrying")]
    private static partial void LogRetry(ILogger logger, int count, int attempt, string error);

    [LoggerMessage(Level = LogLevel.Error, Message = "Audit batch of {Count} not written; its scans are answered audit_unavailable")]
    private static partial void LogFailed(ILogger logger, Exception exception, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Audit head {Seq} not written to the witness ({Error}); the next commit writes it again")]
    private static partial void LogWitnessFailed(ILogger logger, long seq, string error);
}
