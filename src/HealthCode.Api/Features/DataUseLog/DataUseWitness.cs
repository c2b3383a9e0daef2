using Dapper;
using HealthCode.Api.Infrastructure.Audit;
using HealthCode.Api.Infrastructure.Store;

namespace HealthCode.Api.Features.DataUseLog;

/// <summary>
/// A copy of the data-use log's head kept where deleting rows from the store cannot reach it, as the scan audit's
/// (<see cref="IAuditHeadWitness"/>, DESIGN §10): whoever removes uses from the end of the log and rewrites the store's
/// head row to match still leaves the witness pointing past the rows, and the check says so. A file in this instance's
/// data folder (<c>data-use-head.json</c>), written once at start when there is none, then every second from the store's
/// head: so it also covers the uses that declarations and batches append inside their own transactions. It lags the
/// store by up to a second and never leads it, and it only moves forward, and only while the log still holds the hash
/// this instance last witnessed at its seq: a log whose end was rewritten is not copied over the witness that shows it.
/// What was last witnessed is kept in memory, read from the file once at start: a witness file removed while the service
/// runs is not taken from the store's head again (which would witness a rewritten end), only written anew at the next
/// head that still holds what was witnessed.
/// </summary>
internal sealed partial class DataUseWitness(IAuditHeadWitness file, IStoreDatabase database, ILogger<DataUseWitness> logger) : BackgroundService
{
    /// <summary>The witness's file name in the instance's data folder.</summary>
    public const string FileName = "data-use-head.json";

    /// <summary>How often the store's head is copied (real time, whatever clock stamps the uses).</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    /// <summary>The head this instance last witnessed; set at start.</summary>
    private AuditHead witnessed = new(0, DataUseChain.Genesis);

    public Task<AuditHead?> ReadAsync(CancellationToken cancellationToken) => file.ReadAsync(cancellationToken);

    /// <summary>Gives a data folder without a witness (new, or from before the witness existed) one before the first use.</summary>
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        if (await file.ReadAsync(cancellationToken) is { } kept)
        {
            witnessed = kept;
        }
        else
        {
            await using var connection = await database.OpenConnectionAsync(cancellationToken);
            witnessed = await connection.QuerySingleAsync<AuditHead>(new CommandDefinition(
                "SELECT seq AS Seq, hash AS Hash FROM data_use_head WHERE id = 1", cancellationToken: cancellationToken));
            await file.WriteAsync(witnessed, cancellationToken);
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
            // One read: the head, and what the log now holds where the witness points.
            await using var connection = await database.OpenConnectionAsync(cancellationToken);
            var now = await connection.QuerySingleAsync<(long Seq, string Hash, string? AtWitnessed)>(new CommandDefinition(
                "SELECT seq, hash, (SELECT hash FROM data_use WHERE seq = @seq) FROM data_use_head WHERE id = 1",
                new { seq = witnessed.Seq }, cancellationToken: cancellationToken));
            if (now.Seq <= witnessed.Seq)
            {
                return;
            }

            if (witnessed.Seq > 0 && now.AtWitnessed != witnessed.Hash)
            {
                LogDiverged(logger, witnessed.Seq);
                return;
            }

            var head = new AuditHead(now.Seq, now.Hash);
            await file.WriteAsync(head, cancellationToken);
            witnessed = head;
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
