using System.Data.Common;
using Dapper;

namespace HealthCode.Api.Infrastructure.Store;

/// <summary>Batches and their row errors, through Dapper, on either engine (<see cref="IStoreDatabase"/>).</summary>
internal sealed class BatchStore(IStoreDatabase database) : IBatchStore
{
    private const string Columns = """
        source AS Source, batch_id AS BatchId, status AS Status, kind AS Kind, content_type AS ContentType, sha256 AS Sha256,
        rows_declared AS RowsDeclared, produced_at AS ProducedAt, manifest AS Manifest, uploaded_by AS UploadedBy,
        received_at AS ReceivedAt, finished_at AS FinishedAt, file AS File, rows_read AS RowsRead, applied AS Applied,
        rejected AS Rejected, reason AS Reason, rescored AS Rescored
        """;

    public async Task<BatchRecord?> FindAsync(string source, string batchId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<BatchRow>(new CommandDefinition(
            $"SELECT {Columns} FROM batches WHERE source = @source AND batch_id = @batchId", new { source, batchId }, cancellationToken: cancellationToken));
        return row?.ToRecord();
    }

    public async Task<bool> BeginAsync(BatchRecord batch, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var key = new { source = batch.Source, batchId = batch.BatchId };
        var status = await connection.QuerySingleOrDefaultAsync<string>(new CommandDefinition(
            "SELECT status FROM batches WHERE source = @source AND batch_id = @batchId", key, transaction, cancellationToken: cancellationToken));
        if (status is not (null or "rejected"))
        {
            return false;
        }

        try
        {
            await InsertAsync(connection, transaction, batch, cancellationToken);
        }
        catch (DbException e) when (SqlDialect.IsConstraintViolation(e))
        {
            // Another instance sharing the PostgreSQL database received this batch a moment ago (SQLite's one writer never gets here).
            return false;
        }

        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    private static async Task InsertAsync(DbConnection connection, DbTransaction transaction, BatchRecord batch, CancellationToken cancellationToken)
    {
        await connection.ExecuteAsync(new CommandDefinition(
            """
            DELETE FROM batch_errors WHERE source = @source AND batch_id = @batchId;
            DELETE FROM batches WHERE source = @source AND batch_id = @batchId;
            INSERT INTO batches (source, batch_id, status, kind, content_type, sha256, rows_declared, produced_at, manifest, uploaded_by, received_at)
            VALUES (@source, @batchId, 'receiving', @kind, @contentType, @sha256, @rows, @producedAt, @manifest, @uploadedBy, @receivedAt);
            """,
            new
            {
                source = batch.Source,
                batchId = batch.BatchId,
                kind = batch.Kind,
                contentType = batch.ContentType,
                sha256 = batch.Sha256,
                rows = batch.RowsDeclared,
                producedAt = batch.ProducedAt.ToUnixTimeMilliseconds(),
                manifest = batch.Manifest,
                uploadedBy = batch.UploadedBy,
                receivedAt = batch.ReceivedAt.ToUnixTimeMilliseconds(),
            },
            transaction,
            cancellationToken: cancellationToken));
    }

    public async Task MarkApplyingAsync(string source, string batchId, string file, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE batches SET status = 'applying', file = @file WHERE source = @source AND batch_id = @batchId",
            new { source, batchId, file }, cancellationToken: cancellationToken));
    }

    public async Task RejectAsync(string source, string batchId, string reason, IReadOnlyList<RowError> errors, long rowsRead, long rejectedRows, DateTimeOffset at, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            """
            UPDATE batches SET status = 'rejected', reason = @reason, rows_read = @rowsRead, rejected = @rejectedRows, applied = 0,
                finished_at = @at, file = NULL
            WHERE source = @source AND batch_id = @batchId
            """,
            new { source, batchId, reason, rowsRead, rejectedRows, at = at.ToUnixTimeMilliseconds() }, transaction, cancellationToken: cancellationToken));
        await connection.ExecuteAsync(new CommandDefinition(
            "INSERT INTO batch_errors (source, batch_id, line, field, code) VALUES (@source, @batchId, @Line, @Field, @Code)",
            errors.Select(e => new { source, batchId, e.Line, e.Field, e.Code }), transaction, cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<RowError>> ErrorsAsync(string source, string batchId, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<(long Line, string Field, string Code)>(new CommandDefinition(
            $"SELECT line, field, code FROM batch_errors WHERE source = @source AND batch_id = @batchId ORDER BY line, {database.Dialect.InsertionOrder} LIMIT @limit",
            new { source, batchId, limit }, cancellationToken: cancellationToken));
        return [.. rows.Select(r => new RowError(r.Line, r.Field, r.Code))];
    }

    public async Task MarkAppliedAsync(string source, string batchId, long applied, long rescored, DateTimeOffset at, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            """
            UPDATE batches SET status = 'applied', applied = @applied, rows_read = @applied, rescored = @rescored, finished_at = @at, file = NULL
            WHERE source = @source AND batch_id = @batchId;
            DELETE FROM batch_persons WHERE source = @source AND batch_id = @batchId;
            DELETE FROM batch_regions WHERE source = @source AND batch_id = @batchId;
            DELETE FROM batch_services WHERE source = @source AND batch_id = @batchId;
            """,
            new { source, batchId, applied, rescored, at = at.ToUnixTimeMilliseconds() }, cancellationToken: cancellationToken));
    }

    public async Task<IReadOnlyList<BatchRecord>> UnfinishedAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<BatchRow>(new CommandDefinition(
            $"SELECT {Columns} FROM batches WHERE status IN ('receiving', 'applying', 'rescoring') ORDER BY received_at", cancellationToken: cancellationToken));
        return [.. rows.Select(r => r.ToRecord())];
    }

    public async Task<bool> ClaimAsync(string source, string batchId, string owner, DateTimeOffset now, DateTimeOffset until, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        // One statement: of two instances claiming at once, the second finds the first's claim in the row and changes nothing.
        return await connection.ExecuteAsync(new CommandDefinition(
            """
            UPDATE batches SET claimed_by = @owner, claimed_until = @until
            WHERE source = @source AND batch_id = @batchId AND status IN ('receiving', 'applying', 'rescoring')
              AND (claimed_by IS NULL OR claimed_by = @owner OR claimed_until < @now)
            """,
            new { source, batchId, owner, now = now.ToUnixTimeMilliseconds(), until = until.ToUnixTimeMilliseconds() },
            cancellationToken: cancellationToken)) == 1;
    }

    private sealed class BatchRow
    {
        public string Source { get; init; } = "";

        public string BatchId { get; init; } = "";

        public string Status { get; init; } = "";

        public string Kind { get; init; } = "";

        public string ContentType { get; init; } = "";

        public string Sha256 { get; init; } = "";

        public long RowsDeclared { get; init; }

        public long ProducedAt { get; init; }

        public string Manifest { get; init; } = "";

        public string UploadedBy { get; init; } = "";

        public long ReceivedAt { get; init; }

        public long? FinishedAt { get; init; }

        public string? File { get; init; }

        public long RowsRead { get; init; }

        public long Rescored { get; init; }

        public long Applied { get; init; }

        public long Rejected { get; init; }

        public string? Reason { get; init; }

        public BatchRecord ToRecord() => new(
            Source, BatchId, Status, Kind, ContentType, Sha256, RowsDeclared, DateTimeOffset.FromUnixTimeMilliseconds(ProducedAt), Manifest, UploadedBy,
            DateTimeOffset.FromUnixTimeMilliseconds(ReceivedAt), FinishedAt is { } f ? DateTimeOffset.FromUnixTimeMilliseconds(f) : null, File,
            RowsRead, Applied, Rejected, Reason)
        {
            Rescored = Rescored,
        };
    }
}
