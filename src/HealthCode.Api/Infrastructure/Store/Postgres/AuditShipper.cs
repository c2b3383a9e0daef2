using System.Diagnostics.Metrics;
using HealthCode.Api.Infrastructure.Audit;
using HealthCode.Api.Infrastructure.Ops;

namespace HealthCode.Api.Infrastructure.Store.Postgres;

/// <summary>How often the shipper looks into the spool (<c>HealthCode:Store:AuditShipInterval</c>, default 100 ms).</summary>
internal sealed record AuditShipping(TimeSpan Interval)
{
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromMilliseconds(100);
}

/// <summary>
/// Moves this instance's spooled audit entries (<see cref="AuditSpool"/>) into the one chain the instances share, oldest
/// first, in batches: one head lock and one insert per batch (<see cref="PostgresAuditStore.AppendAsync"/>), then the
/// batch is deleted from the spool, then the new head goes to this instance's witness. A crash between the chain's
/// commit and the delete ships the batch again, and the chain leaves out what it holds by scanId, so nothing is appended
/// twice and nothing answered is lost. While PostgreSQL does not answer the spool grows and the shipper tries again,
/// waiting longer each time up to <see cref="MaxBackoff"/>; Npgsql's pool opens new connections once the server is back,
/// so shipping resumes without a restart. The entries waiting are <c>healthcode_audit_spooled</c> and <c>spooled</c>
/// in the chain check's answer (GET /api/v1/admin/audit/verify).
/// </summary>
internal sealed partial class AuditShipper : BackgroundService, IAuditBacklog
{
    public const int MaxBatch = 1000;

    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(5);

    // A stop ships what the audit writer drained into the spool, if the chain takes it within this; else it stays spooled.
    private static readonly TimeSpan LastShipTimeout = TimeSpan.FromSeconds(3);

    private readonly AuditSpool spool;
    private readonly IAuditStore chain;
    private readonly IAuditHeadWitness witness;
    private readonly TimeSpan interval;
    private readonly ILogger<AuditShipper> logger;

    // One shipment at a time: the background rounds and ShipAsync from a request (the audit's readers) take turns.
    private readonly SemaphoreSlim shipping = new(1, 1);

    public AuditShipper(AuditSpool spool, IAuditStore chain, IAuditHeadWitness witness, AuditShipping settings, IMeterFactory meters, ILogger<AuditShipper> logger)
    {
        (this.spool, this.chain, this.witness, interval, this.logger) = (spool, chain, witness, settings.Interval, logger);
        meters.Create(Telemetry.MeterPrefix + "Audit").CreateObservableGauge(
            "healthcode.audit.spooled", () => spool.Pending, description: "Audit entries answered by this instance and not yet shipped into the shared chain.");
    }

    public long? Spooled => spool.Pending;

    public Task FlushAsync(CancellationToken cancellationToken) => ShipAsync(cancellationToken);

    /// <summary>
    /// Ships everything spooled now, so a reader of the chain on this instance sees every scan it answered; throws when
    /// the chain does not take it (PostgreSQL down), leaving the entries spooled. The number of entries shipped.
    /// </summary>
    public async Task<long> ShipAsync(CancellationToken cancellationToken)
    {
        await shipping.WaitAsync(cancellationToken);
        try
        {
            long shipped = 0;
            // Bounded: a spool that fills faster than it ships is left to the next round, not chased here for ever.
            for (var round = 0; round < 100; round++)
            {
                var batch = await spool.OldestAsync(MaxBatch, cancellationToken);
                if (batch.Count == 0)
                {
                    break;
                }

                var head = await chain.AppendAsync([.. batch.Select(entry => entry.Event)], cancellationToken);
                await spool.RemoveThroughAsync(batch[^1].Seq, cancellationToken);
                try
                {
                    await witness.WriteAsync(head, cancellationToken);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    // The witness may lag the chain; the next batch's head is written again.
                    LogWitnessFailed(logger, head.Seq, e.Message);
                }

                shipped += batch.Count;
                if (batch.Count < MaxBatch)
                {
                    break;
                }
            }

            return shipped;
        }
        finally
        {
            shipping.Release();
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            var pause = interval;
            try
            {
                await ShipAsync(stoppingToken);
                if (failures > 0)
                {
                    LogResumed(logger, failures, spool.Pending);
                }

                failures = 0;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                // PostgreSQL down or restarting (Npgsql's socket and 57P0x errors), or anything else: the entries stay
                // spooled, and the next try waits twice as long as this one, up to MaxBackoff.
                failures++;
                pause = TimeSpan.FromTicks(Math.Min(MaxBackoff.Ticks, Math.Max(interval.Ticks, TimeSpan.FromMilliseconds(250).Ticks) << Math.Min(failures - 1, 10)));
                LogShipFailed(logger, spool.Pending, pause.TotalMilliseconds, e.GetType().Name, e.Message);
            }

            try
            {
                // Real time, as the audit writer's pacing: whatever clock stamps the entries.
                await Task.Delay(pause, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        using var last = new CancellationTokenSource(LastShipTimeout);
        try
        {
            await ShipAsync(last.Token);
        }
        catch (Exception e)
        {
            LogLeftSpooled(logger, spool.Pending, e.Message);
        }
    }

    public override void Dispose()
    {
        shipping.Dispose();
        base.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Audit entries not shipped ({Spooled} spooled; trying again in {PauseMs} ms): {ErrorType}: {Error}")]
    private static partial void LogShipFailed(ILogger logger, long spooled, double pauseMs, string errorType, string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "Audit shipping resumed after {Failures} failed tries ({Spooled} spooled)")]
    private static partial void LogResumed(ILogger logger, int failures, long spooled);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Audit entries left in the spool at stop ({Spooled}): {Error}; the next start ships them")]
    private static partial void LogLeftSpooled(ILogger logger, long spooled, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Audit head {Seq} not written to the witness ({Error}); the next batch writes it again")]
    private static partial void LogWitnessFailed(ILogger logger, long seq, string error);
}
