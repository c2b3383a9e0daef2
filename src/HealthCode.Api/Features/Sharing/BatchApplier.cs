using System.Collections.Concurrent;
using System.Text;
using System.Threading.Channels;
using HealthCode.Api.Features.Declarations;
using HealthCode.Api.Infrastructure.Store;

namespace HealthCode.Api.Features.Sharing;

/// <summary>
/// Applies received batches, one at a time, in the background (DESIGN §9). First every row is read and checked, with
/// nothing written: a batch with any row error, or with another row count than its manifest's, is rejected whole,
/// with the first 1,000 errors (line, column, code). Then the rows are applied in chunks of their own transactions,
/// so that scans and declarations are never held behind one long write; a crash part-way resumes the batch from its
/// file, and since every row is an upsert or a retraction by its key, applying it again leaves the same facts: the
/// batch applies once, whole. Last, the persons whose facts changed are re-scored.
/// </summary>
internal sealed partial class BatchApplier(
    PersonRescoring rescoring,
    Disputes.IDisputeStore disputes,
    IBatchStore batches,
    IFactStore facts,
    RiskPolicy policy,
    BatchMetrics metrics,
    BatchPacing pacing,
    BatchFiles files,
    BatchBodies bodies,
    IOptions<Infrastructure.HealthCodeOptions> options,
    TimeProvider time,
    ILogger<BatchApplier> logger) : BackgroundService
{
    /// <summary>
    /// How long a claim on a batch holds without being renewed (<c>HealthCode:Sharing:ClaimLease</c>); renewed at half of
    /// it while the batch is received or worked on, and looked for at half of it by the other instances, which take up a
    /// batch whose claim has lapsed: its instance is gone.
    /// </summary>
    private readonly TimeSpan claimLease = options.Value.Sharing.ClaimLease;

    /// <summary>The batches this instance has claimed and works on (a set: the claim's lease is the store's, renewed by <see cref="BatchClaimHold"/>).</summary>
    private readonly ConcurrentDictionary<(string, string), bool> claimed = new();

    /// <summary>The most row errors kept and answered (DESIGN §9).</summary>
    public const int MaxErrors = 1000;

    /// <summary>
    /// Why a batch whose instance is gone is rejected when the store's copy of its body is missing or not the signed
    /// body: only when someone changed the store's rows; the department sends the batch again under a new batchId.
    /// </summary>
    public const string BodyUnavailable = "body_unavailable";

    /// <summary>
    /// Rows per transaction when applying: a few milliseconds of the store's write lock each, which a declaration may
    /// have to wait for (docs/PERFORMANCE.md, "Batches from the departments").
    /// </summary>
    private const int ChunkRows = 250;

    /// <summary>
    /// Persons re-scored, and their codes and data uses committed, together: the writes of a group hold the store's
    /// write lock a few milliseconds, in turn with its other writers (docs/PERFORMANCE.md, "Data-use log and re-scoring").
    /// </summary>
    private const int RescoreGroup = 32;

    /// <summary>Names looked up in one query while checking.</summary>
    private const int NameLookupRows = 1000;

    private readonly Channel<(string Source, string BatchId)> queue = Channel.CreateUnbounded<(string, string)>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ConcurrentDictionary<(string, string), BatchProgress> progress = new();

    /// <summary>What this instance is doing with a batch right now, for the status answer.</summary>
    internal sealed class BatchProgress
    {
        public string Phase = "checking";

        public long RowsRead;

        public long Applied;

        public long Rescored;
    }

    public void Enqueue(string source, string batchId) => queue.Writer.TryWrite((source, batchId));

    public BatchProgress? Progress(string source, string batchId) => progress.GetValueOrDefault((source, batchId));

    /// <summary>
    /// Who claims batches here: this process, by machine, process id and a random part, never another process, even
    /// one that shares its data folder (instances of one SQLite file on one host do). A process that dies leaves its
    /// claims to lapse within <see cref="claimLease"/>; then it, restarted, or another instance takes them up, from the
    /// received file where it is still there, else from the store's copy (<see cref="BatchBodies"/>).
    /// </summary>
    private string Claimant { get; } = $"{Environment.MachineName}/{Environment.ProcessId}/{Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(4))}";

    /// <summary>Claims the batch for this instance (<see cref="IBatchStore.ClaimAsync"/>); false when another instance holds it.</summary>
    public async Task<bool> ClaimAsync(string source, string batchId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (!await batches.ClaimAsync(source, batchId, Claimant, now, now + claimLease, cancellationToken))
        {
            return false;
        }

        claimed[(source, batchId)] = true;
        return true;
    }

    /// <summary>Keeps this instance's claim on the batch renewed until disposed (<see cref="BatchClaimHold"/>).</summary>
    public BatchClaimHold Hold(BatchRecord batch, CancellationToken cancellationToken) =>
        new(ct => ClaimAsync(batch.Source, batch.BatchId, ct), claimLease / 3, time, cancellationToken);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await TakeUpUnfinishedAsync(stoppingToken);
        var sweeping = SweepAsync(stoppingToken);
        await ApplyQueuedAsync(stoppingToken);
        await sweeping;
    }

    /// <summary>
    /// Every half lease, the unfinished batches whose claims have lapsed: an instance that received or applied them is
    /// gone (killed and not back, its pod rescheduled with a new data folder), and this one takes them up.
    /// </summary>
    private async Task SweepAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(claimLease / 2, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await TakeUpUnfinishedAsync(stoppingToken);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    LogSweepFailed(logger, e);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    /// <summary>Claims every unfinished batch no instance holds: an upload cut off is rejected, the others applied.</summary>
    private async Task TakeUpUnfinishedAsync(CancellationToken stoppingToken)
    {
        foreach (var unfinished in await batches.UnfinishedAsync(stoppingToken))
        {
            // This instance works on it already; or another instance sharing the store is receiving or applying it now.
            if (claimed.ContainsKey((unfinished.Source, unfinished.BatchId)) || !await ClaimAsync(unfinished.Source, unfinished.BatchId, stoppingToken))
            {
                continue;
            }

            if (unfinished.Status == "receiving")
            {
                // Its upload was cut off by a crash before it was answered: nothing of it was applied, and whatever
                // part of its body reached the store goes with it.
                await RejectAsync(unfinished, new BatchRejection(SharingProblems.UploadIncomplete.Code, [], 0, 0), files.PathFor(unfinished), stoppingToken);
            }
            else
            {
                Enqueue(unfinished.Source, unfinished.BatchId);
            }
        }
    }

    private async Task ApplyQueuedAsync(CancellationToken stoppingToken)
    {
        await foreach (var (source, batchId) in queue.Reader.ReadAllAsync(stoppingToken))
        {
            var state = progress.GetOrAdd((source, batchId), _ => new BatchProgress());
            try
            {
                await ProcessAsync(source, batchId, state, stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The store failed mid-way: the batch keeps its state and is taken up again at the next start.
                LogFailed(logger, e, source, batchId);
            }
            finally
            {
                progress.TryRemove((source, batchId), out _);
                claimed.TryRemove((source, batchId), out _);
            }
        }
    }

    private async Task ProcessAsync(string source, string batchId, BatchProgress state, CancellationToken stoppingToken)
    {
        if (await batches.FindAsync(source, batchId, stoppingToken) is not { Status: "applying" or "rescoring" } batch
            || !await ClaimAsync(source, batchId, stoppingToken))
        {
            return;
        }

        await using var hold = Hold(batch, stoppingToken);
        try
        {
            await ProcessAsync(batch, state, hold.Token);
        }
        catch (OperationCanceledException) when (hold.Lost && !stoppingToken.IsCancellationRequested)
        {
            throw new BatchClaimLostException($"Batch {source}/{batchId} was taken over by another instance: this one stalled past its claim's lease.");
        }
    }

    /// <summary>Applies a batch this instance holds; <paramref name="cancellationToken"/> is cancelled should it lose the batch.</summary>
    private async Task ProcessAsync(BatchRecord batch, BatchProgress state, CancellationToken cancellationToken)
    {
        var (source, batchId) = (batch.Source, batch.BatchId);
        var kind = FactKinds.ByName[batch.Kind];
        var file = files.PathFor(batch);
        pacing.Start();
        if (batch.Status == "applying")
        {
            // Received by an instance that is gone: its file is the store's copy now.
            if (!File.Exists(file))
            {
                if (!await bodies.RestoreAsync(batch, file, cancellationToken))
                {
                    await RejectAsync(batch, new BatchRejection(BodyUnavailable, [], 0, 0), file, cancellationToken);
                    return;
                }

                LogTakenOver(logger, source, batchId);
            }

            if (await CheckAsync(batch, kind, file, state, cancellationToken) is { } reason)
            {
                await RejectAsync(batch, reason, file, cancellationToken);
                return;
            }

            state.Phase = "applying";
            var chunk = new List<FactRow>(ChunkRows);
            foreach (var (line, values) in BatchFile.Read(file, batch.ContentType, kind, []))
            {
                chunk.Add(FactKinds.Parse(kind, line, values, batch.ReceivedAt, [])!);
                if (chunk.Count == ChunkRows)
                {
                    await ApplyChunkAsync(batch, chunk, state, cancellationToken);
                }
            }

            await ApplyChunkAsync(batch, chunk, state, cancellationToken);
            await facts.FinishAsync(batch, kind, time.GetUtcNow(), cancellationToken);
        }

        state.Phase = "rescoring";
        var persons = await facts.PersonsToRescoreAsync(batch, time.Today().AddDays(-policy.RiskWindowDays), cancellationToken);
        var waitedForStore = await rescoring.RescoreAllAsync(
            persons, RescoreGroup, CommitSync.Deferred, done => Interlocked.Add(ref state.Rescored, done), cancellationToken,
            pacing.PaceAsync);

        // A dispute of a row this batch retracted or replaced is settled before the batch reads applied (DESIGN §10).
        await disputes.SettleRetractedAsync(null, time.GetUtcNow(), cancellationToken);

        await batches.MarkAppliedAsync(source, batchId, batch.RowsDeclared, persons.Count, time.GetUtcNow(), cancellationToken);
        metrics.Applied(source);
        File.Delete(file);
        await bodies.DeleteAsync(source, batchId, cancellationToken);
        LogApplied(logger, source, batchId, batch.RowsDeclared, persons.Count, waitedForStore.TotalSeconds);
    }

    private async Task RejectAsync(BatchRecord batch, BatchRejection reason, string file, CancellationToken cancellationToken)
    {
        await batches.RejectAsync(batch.Source, batch.BatchId, reason.Reason, reason.Errors, reason.RowsRead, reason.Rejected, time.GetUtcNow(), cancellationToken);
        metrics.Rejected(batch.Source, reason.Reason, reason.Rejected);
        LogRejected(logger, batch.Source, batch.BatchId, reason.Reason, reason.Errors.Count);
        File.Delete(file);
        await bodies.DeleteAsync(batch.Source, batch.BatchId, cancellationToken);
    }

    private async Task ApplyChunkAsync(BatchRecord batch, List<FactRow> chunk, BatchProgress state, CancellationToken cancellationToken)
    {
        if (chunk.Count == 0)
        {
            return;
        }

        await facts.ApplyAsync(batch, chunk, time.GetUtcNow(), cancellationToken);
        state.Applied += chunk.Count;
        metrics.RowsApplied(batch.Source, chunk.Count);
        chunk.Clear();
        // Between two chunks the store's write lock is free: let a waiting declaration or data use in, and scans have the processor.
        await Task.Yield();
        await pacing.PaceAsync(cancellationToken);
    }

    /// <summary>Reads and checks every row, writing nothing; the reason to reject, if any.</summary>
    private async Task<BatchRejection?> CheckAsync(BatchRecord batch, FactKind kind, string file, BatchProgress state, CancellationToken cancellationToken)
    {
        var errors = new List<RowError>();
        long rows = 0;
        long rejected = 0;
        var named = new List<(FactRow Row, string IdNumber, string Name)>();
        try
        {
            foreach (var (line, values) in BatchFile.Read(file, batch.ContentType, kind, errors))
            {
                rows++;
                state.RowsRead = rows;
                var before = errors.Count;
                var row = values.Length == 0 ? null : FactKinds.Parse(kind, line, values, batch.ReceivedAt, errors);
                if (row is not null && NameOf(row) is { } person)
                {
                    named.Add((row, person.IdNumber, person.Name));
                    if (named.Count == NameLookupRows)
                    {
                        await CheckNamesAsync(named, errors, cancellationToken);
                        await pacing.PaceAsync(cancellationToken);
                    }
                }

                rejected += errors.Count > before ? 1 : 0;
                if (errors.Count > MaxErrors * 10)
                {
                    // Far past what anyone reads: the batch is rejected whatever the rest holds.
                    break;
                }
            }

            await CheckNamesAsync(named, errors, cancellationToken);
        }
        catch (DecoderFallbackException)
        {
            errors.Add(new RowError(rows + 1, "", "invalid_utf8"));
        }
        catch (Exception e) when (e is InvalidDataException or FormatException or ArgumentException)
        {
            // Sep refuses a file it cannot read as CSV (an unclosed quote, a repeated column name).
            errors.Add(new RowError(rows + 1, "", "csv_invalid"));
        }

        if (errors.Count > 0)
        {
            return new BatchRejection("row_errors", [.. errors.OrderBy(e => e.Line).Take(MaxErrors)], rows, Math.Max(rejected, 1));
        }

        return rows == batch.RowsDeclared
            ? null
            : new BatchRejection("row_count_mismatch", [new RowError(0, "rows", "row_count_mismatch")], rows, 0);
    }

    /// <summary>A fact about a person names them as the service knows them, or it is about someone else (<c>name_mismatch</c>).</summary>
    private async Task CheckNamesAsync(List<(FactRow Row, string IdNumber, string Name)> named, List<RowError> errors, CancellationToken cancellationToken)
    {
        if (named.Count == 0)
        {
            return;
        }

        var known = await facts.PersonNamesAsync([.. named.Select(n => n.IdNumber).Distinct()], cancellationToken);
        foreach (var (row, idNumber, name) in named)
        {
            if (known.TryGetValue(idNumber, out var held) && held != name)
            {
                errors.Add(new RowError(row.Line, "name", "name_mismatch"));
            }
        }

        named.Clear();
    }

    private static (string IdNumber, string Name)? NameOf(FactRow row) => row switch
    {
        { Retract: true } => null,
        CaseRow { Name: { } n } c => (c.IdNumber, n),
        CloseContactRow { Name: { } n } k => (k.IdNumber, n),
        TestRow { Name: { } n } t => (t.IdNumber, n),
        TravelRow { Name: { } n } j => (j.IdNumber, n),
        _ => null,
    };

    [LoggerMessage(Level = LogLevel.Information, Message = "Batch {Source}/{BatchId} applied: {Rows} rows, {Persons} persons re-scored, the scoring waited {WaitedSeconds:F2} s for its commits")]
    private static partial void LogApplied(ILogger logger, string source, string batchId, long rows, int persons, double waitedSeconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "Batch {Source}/{BatchId} rejected: {Reason} ({Errors} row errors kept)")]
    private static partial void LogRejected(ILogger logger, string source, string batchId, string reason, int errors);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Batch {Source}/{BatchId} taken up from the store's copy of its body: the instance that received it is gone")]
    private static partial void LogTakenOver(ILogger logger, string source, string batchId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Looking for batches whose instance is gone failed; looking again in half a lease")]
    private static partial void LogSweepFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "Batch {Source}/{BatchId} could not be applied now; it is taken up again at the next look for unfinished batches, in half a claim lease")]
    private static partial void LogFailed(ILogger logger, Exception exception, string source, string batchId);
}

/// <summary>Why a batch is rejected: a reason code, the first errors, and how many rows were read and refused.</summary>
/// <summary>This instance's claim on a batch lapsed and another instance took the batch over: this one stops its work on it.</summary>
internal sealed class BatchClaimLostException(string message) : Exception(message);

internal sealed record BatchRejection(string Reason, IReadOnlyList<RowError> Errors, long RowsRead, long Rejected);
