using HealthCode.Api.Infrastructure.Audit;
using Microsoft.Data.Sqlite;

namespace HealthCode.Api.Infrastructure.Store;

/// <summary>The scan audit in its own SQLite file (<see cref="SqliteAuditDatabase"/>).</summary>
internal sealed class SqliteAuditStore(SqliteAuditDatabase audit) : IAuditStore, IAsyncDisposable
{
    internal const string Columns = "seq, at, checkpoint_id, staff_id, action, issuer, code_id, outcome, prev_hash, hash, actor_id, actor_name, target";

    // What is read: the columns written, and the scanId of an entry named before it had a seq (none are, on SQLite).
    private const string ReadColumns = Columns + ", scan_id";

    private static readonly string[] ParameterNames =
        ["$seq", "$at", "$checkpoint", "$staff", "$action", "$issuer", "$code", "$outcome", "$prev", "$hash", "$actorId", "$actorName", "$target"];

    // Appends go through a connection of their own, one batch at a time (see Appender).
    private readonly SemaphoreSlim appending = new(1, 1);
    private Appender? appender;

    public Task InitializeAsync(CancellationToken cancellationToken) => audit.InitializeAsync(cancellationToken);

    public async Task<AuditHead> AppendAsync(IReadOnlyList<AuditEvent> events, CancellationToken cancellationToken)
    {
        await appending.WaitAsync(cancellationToken);
        try
        {
            appender ??= await Appender.OpenAsync(audit.Database, cancellationToken);
            using var turn = await audit.Database.TakeWriteTurnAsync(cancellationToken);
            return await appender.AppendAsync(events, cancellationToken);
        }
        catch
        {
            // A batch that failed leaves its connection in doubt: the next batch starts on a new one.
            await CloseAppenderAsync();
            throw;
        }
        finally
        {
            appending.Release();
        }
    }

    public async Task<AuditHead> ReadHeadAsync(CancellationToken cancellationToken)
    {
        await using var connection = await audit.Database.OpenAsync(cancellationToken);
        await using var transaction = connection.BeginTransaction(deferred: true);
        return await HeadAsync(connection, transaction, cancellationToken) ?? await TailAsync(connection, transaction, cancellationToken);
    }

    public async Task<IReadOnlyList<AuditEntry>> PageAsync(LogPage page, CancellationToken cancellationToken)
    {
        await using var connection = await audit.Database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = page.Sql(ReadColumns, "audit");
        foreach (var (name, value) in page.Values)
        {
            command.Parameters.AddWithValue(name, value);
        }

        var entries = new List<AuditEntry>();
        await foreach (var entry in ReadEntriesAsync(command, cancellationToken))
        {
            entries.Add(entry);
        }

        return entries;
    }

    public async Task<AuditChainReport> VerifyChainAsync(AuditHead? witness, CancellationToken cancellationToken)
    {
        await using var connection = await audit.Database.OpenAsync(cancellationToken);
        // A read transaction: the anchor, the head and the entries are one consistent snapshot.
        await using var transaction = connection.BeginTransaction(deferred: true);
        var anchor = await AnchorAsync(connection, transaction, cancellationToken);
        var head = await HeadAsync(connection, transaction, cancellationToken);
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = $"SELECT {ReadColumns} FROM audit ORDER BY seq";
        var entries = new List<AuditEntry>();
        await foreach (var entry in ReadEntriesAsync(command, cancellationToken))
        {
            entries.Add(entry);
        }

        return AuditChain.Verify(entries, anchor, head, witness);
    }

    public async Task<int> PurgeBeforeAsync(DateTimeOffset cutoff, CancellationToken cancellationToken)
    {
        await using var connection = await audit.Database.OpenAsync(cancellationToken);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        await using var last = connection.CreateCommand();
        last.Transaction = transaction;
        // Purge a prefix of the chain: everything up to the last entry older than the cutoff.
        last.CommandText = "SELECT seq, hash FROM audit WHERE seq <= (SELECT max(seq) FROM audit WHERE at < $cutoff) ORDER BY seq DESC LIMIT 1";
        last.Parameters.AddWithValue("$cutoff", cutoff.ToUnixTimeMilliseconds());
        await using (var reader = await last.ExecuteReaderAsync(cancellationToken))
        {
            if (!await reader.ReadAsync(cancellationToken))
            {
                return 0;
            }

            var (seq, hash) = (reader.GetInt64(0), reader.GetString(1));
            await reader.CloseAsync();
            await using var anchor = connection.CreateCommand();
            anchor.Transaction = transaction;
            anchor.CommandText = """
                INSERT INTO audit_anchor (id, seq, hash) VALUES (1, $seq, $hash)
                ON CONFLICT(id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash;
                DELETE FROM audit WHERE seq <= $seq;
                """;
            anchor.Parameters.AddWithValue("$seq", seq);
            anchor.Parameters.AddWithValue("$hash", hash);
            var deleted = await anchor.ExecuteNonQueryAsync(cancellationToken) - 1;
            await transaction.CommitAsync(cancellationToken);
            return deleted;
        }
    }

    private static Task<AuditHead?> HeadAsync(SqliteConnection connection, SqliteTransaction transaction, CancellationToken cancellationToken) =>
        SelectHeadAsync(connection, transaction, "SELECT seq, hash FROM audit_head WHERE id = 1", cancellationToken);

    /// <summary>
    /// The last entry there is, for a store whose head row is gone (the migration creates it, so only someone
    /// deleting it): scans go on chaining, and the chain check reports the missing head.
    /// </summary>
    private static async Task<AuditHead> TailAsync(SqliteConnection connection, SqliteTransaction transaction, CancellationToken cancellationToken) =>
        await SelectHeadAsync(connection, transaction, "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1", cancellationToken)
        ?? await AnchorAsync(connection, transaction, cancellationToken);

    private static async Task<AuditHead> AnchorAsync(SqliteConnection connection, SqliteTransaction transaction, CancellationToken cancellationToken) =>
        await SelectHeadAsync(connection, transaction, "SELECT seq, hash FROM audit_anchor WHERE id = 1", cancellationToken)
        ?? new AuditHead(0, AuditChain.Genesis);

    /// <summary>The (seq, hash) of the row <paramref name="sql"/> selects; null when it selects none.</summary>
    private static async Task<AuditHead?> SelectHeadAsync(SqliteConnection connection, SqliteTransaction transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? new AuditHead(reader.GetInt64(0), reader.GetString(1)) : null;
    }

    private static async IAsyncEnumerable<AuditEntry> ReadEntriesAsync(SqliteCommand command, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        string? Text(int column) => reader.IsDBNull(column) ? null : reader.GetString(column);
        while (await reader.ReadAsync(cancellationToken))
        {
            var e = new AuditEvent(
                DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(1)),
                reader.GetString(2),
                reader.GetString(3),
                reader.GetString(4),
                Text(5),
                Text(6),
                reader.GetString(7))
            {
                // Half an actor is a changed entry, for the chain check to name, not a failure to read it.
                Actor = Text(10) is null && Text(11) is null ? null : new AuditActor(Text(10) ?? "", Text(11) ?? ""),
                Target = Text(12),
                ScanId = Text(13),
            };
            yield return new AuditEntry(reader.GetInt64(0), e, reader.GetString(8), reader.GetString(9));
        }
    }

    public async ValueTask DisposeAsync()
    {
        await CloseAppenderAsync();
        appending.Dispose();
    }

    private async Task CloseAppenderAsync()
    {
        if (appender is not null)
        {
            await appender.DisposeAsync();
            appender = null;
        }
    }

    /// <summary>
    /// The appends' connection, kept open with its statements prepared, so that a batch costs its rows and its
    /// commit. In WAL mode <c>synchronous = FULL</c> makes every commit fsync the log
    /// (https://sqlite.org/pragma.html#pragma_synchronous): a scan is answered only once its entry is on disk, so it
    /// survives a power cut as well as kill -9. Should the connection go back to the pool (at shutdown, after a
    /// failure), whoever writes on it next keeps that durability.
    /// </summary>
    private sealed class Appender : IAsyncDisposable
    {
        private readonly SqliteConnection connection;
        private readonly SqliteCommand insert;
        private readonly SqliteParameter[] values;
        private readonly SqliteCommand moveHead;
        private readonly SqliteParameter[] headValues;

        private Appender(SqliteConnection connection)
        {
            this.connection = connection;
            insert = connection.CreateCommand();
            insert.CommandText = $"INSERT INTO audit ({Columns}) VALUES ({string.Join(", ", ParameterNames)})";
            values = [.. ParameterNames.Select(name => Parameter(insert, name))];
            // The head moves with the entries, in the same transaction: rows deleted from the end later leave it behind.
            moveHead = connection.CreateCommand();
            moveHead.CommandText = """
                INSERT INTO audit_head (id, seq, hash) VALUES (1, $seq, $hash)
                ON CONFLICT(id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash
                """;
            headValues = [Parameter(moveHead, "$seq"), Parameter(moveHead, "$hash")];
        }

        public static async Task<Appender> OpenAsync(SqliteDatabase database, CancellationToken cancellationToken)
        {
            var connection = await database.OpenAsync(cancellationToken);
            await using var durable = connection.CreateCommand();
            durable.CommandText = "PRAGMA synchronous = FULL";
            await durable.ExecuteNonQueryAsync(cancellationToken);
            return new Appender(connection);
        }

        public async Task<AuditHead> AppendAsync(IReadOnlyList<AuditEvent> events, CancellationToken cancellationToken)
        {
            // An immediate transaction: two writers can never chain onto the same entry.
            await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
            insert.Transaction = transaction;
            moveHead.Transaction = transaction;
            var (seq, previous) = await HeadAsync(connection, transaction, cancellationToken) ?? await TailAsync(connection, transaction, cancellationToken);
            foreach (var e in events)
            {
                seq++;
                var hash = AuditChain.Hash(seq, e, previous);
                object?[] row =
                [
                    seq, e.At.ToUnixTimeMilliseconds(), e.CheckpointId, e.StaffId, e.Action, e.Issuer, e.CodeId, e.Outcome, previous, hash,
                    e.Actor?.OperatorId, e.Actor?.Name, e.Target,
                ];
                for (var i = 0; i < row.Length; i++)
                {
                    values[i].Value = row[i] ?? DBNull.Value;
                }

                await insert.ExecuteNonQueryAsync(cancellationToken);
                previous = hash;
            }

            headValues[0].Value = seq;
            headValues[1].Value = previous;
            await moveHead.ExecuteNonQueryAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return new AuditHead(seq, previous);
        }

        public async ValueTask DisposeAsync()
        {
            await insert.DisposeAsync();
            await moveHead.DisposeAsync();
            await connection.DisposeAsync();
        }

        /// <summary>A parameter whose type SQLite takes from each value bound to it.</summary>
        private static SqliteParameter Parameter(SqliteCommand command, string name)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            command.Parameters.Add(parameter);
            return parameter;
        }
    }
}
