namespace HealthCode.Api.Infrastructure.Store;

/// <summary>
/// The batches departments upload (DESIGN §9) and their state: <c>receiving</c> while the body streams in,
/// <c>applying</c> once it is received whole and matches its manifest (the answer is given then, and a restart
/// resumes from here), <c>rescoring</c> once its facts are in, then <c>applied</c>; or <c>rejected</c>, with why.
/// </summary>
internal interface IBatchStore
{
    Task<BatchRecord?> FindAsync(string source, string batchId, CancellationToken cancellationToken);

    /// <summary>
    /// Records a new batch as receiving. A batch id seen before is taken again only when that batch was rejected
    /// (nothing of it applied); otherwise false: the same batchId applies once.
    /// </summary>
    Task<bool> BeginAsync(BatchRecord batch, CancellationToken cancellationToken);

    /// <summary>The body is received whole and matches its manifest: the batch is to be applied from <paramref name="file"/>.</summary>
    Task MarkApplyingAsync(string source, string batchId, string file, CancellationToken cancellationToken);

    /// <summary>Refuses a batch, with the first row errors; nothing of it is applied.</summary>
    Task RejectAsync(string source, string batchId, string reason, IReadOnlyList<RowError> errors, long rowsRead, long rejectedRows, DateTimeOffset at, CancellationToken cancellationToken);

    Task<IReadOnlyList<RowError>> ErrorsAsync(string source, string batchId, int limit, CancellationToken cancellationToken);

    Task MarkAppliedAsync(string source, string batchId, long applied, long rescored, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>Batches a restart must finish: applying or rescoring; and those whose upload a crash cut off (receiving), to reject.</summary>
    Task<IReadOnlyList<BatchRecord>> UnfinishedAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Claims an unfinished batch for <paramref name="owner"/> until <paramref name="until"/>, by one row update: true when
    /// no one else holds it (never claimed, claimed by this owner, or a claim that lapsed before <paramref name="now"/>).
    /// Of several instances sharing the store, only the one holding the claim receives, applies or resumes the batch.
    /// </summary>
    Task<bool> ClaimAsync(string source, string batchId, string owner, DateTimeOffset now, DateTimeOffset until, CancellationToken cancellationToken);
}

/// <summary>A batch as stored; <c>Status</c> is one of receiving, applying, rescoring, applied, rejected.</summary>
internal sealed record BatchRecord(
    string Source,
    string BatchId,
    string Status,
    string Kind,
    string ContentType,
    string Sha256,
    long RowsDeclared,
    DateTimeOffset ProducedAt,
    string Manifest,
    string UploadedBy,
    DateTimeOffset ReceivedAt,
    DateTimeOffset? FinishedAt,
    string? File,
    long RowsRead,
    long Applied,
    long Rejected,
    string? Reason)
{
    /// <summary>Persons re-scored once it was applied (0 before).</summary>
    public long Rescored { get; init; }
}

/// <summary>One problem of a batch, as the status answer gives it: the line it is on (1 is a CSV's header), the column, a stable code.</summary>
internal sealed record RowError(long Line, string Field, string Code);
