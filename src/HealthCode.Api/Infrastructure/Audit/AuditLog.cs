using System.Threading.Channels;
using HealthCode.Api.Infrastructure.Store;

namespace HealthCode.Api.Infrastructure.Audit;

/// <summary>
/// Takes audit events from scans without making the scan wait on the store: events queue in
/// memory and one writer appends them to the chain in batches. The queue is bounded and a full
/// queue makes the scan wait rather than drop an event; on shutdown the writer drains it.
/// Under load the writer lingers a moment before each batch, so that one transaction (and one
/// fsync) carries many scans instead of a handful: at thousands of scans a second, a commit per
/// few scans cost more CPU than the scans' signature checks.
/// </summary>
internal sealed partial class AuditLog(IAuditStore store, ILogger<AuditLog> logger) : BackgroundService
{
    private const int MaxBatch = 500;
    private static readonly TimeSpan Linger = TimeSpan.FromMilliseconds(20);

    private readonly Channel<object> queue = Channel.CreateBounded<object>(new BoundedChannelOptions(100_000)
    {
        SingleReader = true,
        FullMode = BoundedChannelFullMode.Wait,
    });

    public ValueTask RecordAsync(AuditEvent e, CancellationToken cancellationToken) => queue.Writer.WriteAsync(e, cancellationToken);

    /// <summary>Completes when every event recorded before the call is in the store.</summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        var flushed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await queue.Writer.WriteAsync(flushed, cancellationToken);
        await flushed.Task.WaitAsync(cancellationToken);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        queue.Writer.TryComplete();
        await base.StopAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<AuditEvent>(MaxBatch);
        var waiting = new List<TaskCompletionSource>();
        // Reads until the queue is completed and empty: stopping drains, it does not drop.
        while (await queue.Reader.WaitToReadAsync(CancellationToken.None))
        {
            Take(batch, waiting);
            if (batch.Count is > 1 and < MaxBatch && waiting.Count == 0)
            {
                // More than one event was waiting: scans are arriving faster than single commits.
                await Task.Delay(Linger, CancellationToken.None);
                Take(batch, waiting);
            }

            await WriteAsync(batch);
            waiting.ForEach(w => w.TrySetResult());
            batch.Clear();
            waiting.Clear();
        }
    }

    private void Take(List<AuditEvent> batch, List<TaskCompletionSource> waiting)
    {
        while (batch.Count < MaxBatch && queue.Reader.TryRead(out var item))
        {
            switch (item)
            {
                case AuditEvent e:
                    batch.Add(e);
                    break;
                case TaskCompletionSource flush:
                    waiting.Add(flush);
                    break;
            }
        }
    }

    private async Task WriteAsync(List<AuditEvent> batch)
    {
        for (var attempt = 1; batch.Count > 0; attempt++)
        {
            try
            {
                await store.AppendAsync(batch, CancellationToken.None);
                return;
            }
            catch (Microsoft.Data.Sqlite.SqliteException e) when (attempt < 10)
            {
                // A busy or briefly unavailable store: keep the batch and try again.
                LogRetry(logger, batch.Count, attempt, e.SqliteErrorCode);
                await Task.Delay(TimeSpan.FromMilliseconds(100 * attempt));
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Audit batch of {Count} not written (attempt {Attempt}, SQLite error {Error}); retrying")]
    private static partial void LogRetry(ILogger logger, int count, int attempt, int error);
}
