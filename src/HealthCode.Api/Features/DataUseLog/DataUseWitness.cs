using HealthCode.Api.Infrastructure.Audit;
using HealthCode.Api.Infrastructure.Store;

namespace HealthCode.Api.Features.DataUseLog;

/// <summary>
/// A copy of the data-use log's head kept where deleting rows from the store cannot reach it, as the scan audit's
/// (<see cref="IAuditHeadWitness"/>, DESIGN §10): whoever removes uses from the end of the log and rewrites the store's
/// head row to match still leaves the witness pointing past the rows, and the check says so. A file in this instance's
/// data folder (<c>data-use-head.json</c>), written once at start when there is none, then every second from the store's
/// head: so it also covers the uses that declarations and batches append inside their own transactions. It lags the
/// store by up to a second and never leads it, and it only moves forward, and only while the log still holds the hash it
/// witnessed at its seq: a log whose end was rewritten is not copied over the witness that shows it.
/// </summary>
internal sealed partial class DataUseWitness(IAuditHeadWitness file, IStoreDatabase database, ILogger<DataUseWitness> logger) : BackgroundService
{
    /// <summary>The witness's file name in the instance's data folder.</summary>
    public const string FileName = "data-use-head.json";

    /// <summary>How often the store's head is copied (real time, whatever clock stamps the uses).</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    public Task<AuditHead?> ReadAsync(CancellationToken cancellationToken) => file.ReadAsync(cancellationToken);

    /// <summary>Gives a data folder without a witness (new, or from before the witness existed) one before the first use.</summary>
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        if (await file.ReadAsync(cancellationToken) is null)
        {
            var (seq, hash) = await DataUseStore.ReadHeadAsync(database, cancellationToken);
            await file.WriteAsync(new AuditHead(seq, hash), cancellationToken);
        }

        await base.StartAsync(cancellationToken);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await CopyHeadAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, TimeProvider.System);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            await CopyHeadAsync(stoppingToken);
        }
    }

    /// <summary>Moves the witness to the store's head when that is further on and the log still holds the witnessed hash.</summary>
    private async Task CopyHeadAsync(CancellationToken cancellationToken)
    {
        try
        {
            var witnessed = await file.ReadAsync(cancellationToken);
            var (seq, hash) = await DataUseStore.ReadHeadAsync(database, cancellationToken);
            if (witnessed is not null && seq <= witnessed.Seq)
            {
                return;
            }

            if (witnessed is { Seq: > 0 } && await DataUseStore.HashAtAsync(database, witnessed.Seq, cancellationToken) != witnessed.Hash)
            {
                LogDiverged(logger, witnessed.Seq);
                return;
            }

            await file.WriteAsync(new AuditHead(seq, hash), cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // A store that does not answer, or a file that cannot be written: the witness lags, and the next tick tries again.
            LogNotCopied(logger, e.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "The data-use log no longer holds the hash its witness keeps at {Seq}: the witness is left as it is; GET /api/v1/admin/data-use/verify says where the log was changed")]
    private static partial void LogDiverged(ILogger logger, long seq);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The data-use log's head was not copied to its witness ({Error}); the next tick tries again")]
    private static partial void LogNotCopied(ILogger logger, string error);
}
