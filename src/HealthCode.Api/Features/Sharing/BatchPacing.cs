using System.Diagnostics;
using HealthCode.Api.Infrastructure;
using HealthCode.Api.Infrastructure.Audit;

namespace HealthCode.Api.Features.Sharing;

/// <summary>
/// Leaves the processor to the scans while a batch applies (issue 10: scans keep their throughput while a batch
/// applies). A batch's apply loop keeps a core busy; on a service with two, sixteen checkpoint staff who each wait for
/// their answer got half their rate during an apply, and as much with their audit commits unsynced, so what they waited
/// for was the processor, not the disk or the store's lock (docs/PERFORMANCE.md, "Batches from the departments"). So
/// between two steps of its work (a chunk applied, a thousand rows checked, a group re-scored) the batch looks whether
/// scans or lookups were asked for meanwhile, and if so sleeps long enough that it works only
/// <see cref="SharingOptions.ShareWhileScanning"/> of the time (a quarter by default); with no scans it goes at full speed.
/// A batch at a checkpoint's rush hour applies more slowly, and its facts reach codes later: a scan is someone waiting at
/// a gate, a batch is not.
/// </summary>
internal sealed class BatchPacing(AuditLog audit, IOptions<HealthCodeOptions> options)
{
    private long working = Stopwatch.GetTimestamp();
    private long scansSeen;

    /// <summary>Starts timing a batch's work (its first step).</summary>
    public void Start()
    {
        scansSeen = audit.Asked;
        working = Stopwatch.GetTimestamp();
    }

    /// <summary>Between two steps of one batch's work (the applier applies one batch at a time): sleeps while scans go on.</summary>
    public async ValueTask PaceAsync(CancellationToken cancellationToken)
    {
        var worked = Stopwatch.GetElapsedTime(working);
        var scans = audit.Asked;
        var share = options.Value.Sharing.ShareWhileScanning;
        if (scans != scansSeen && share < 1)
        {
            // A real sleep, not one on the injected clock: it paces the processor, which a test's fake clock does not move.
            await Task.Delay(worked * ((1 - share) / share), cancellationToken);
        }

        scansSeen = audit.Asked;
        working = Stopwatch.GetTimestamp();
    }
}
