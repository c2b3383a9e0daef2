using System.Globalization;
using HealthCode.Api.Infrastructure.Audit;
using Microsoft.Data.Sqlite;

namespace HealthCode.Api.Infrastructure.Store.Postgres;

/// <summary>
/// This instance's audit spool on PostgreSQL: a small SQLite file in its local data folder (<see cref="LocalDataFolder"/>,
/// <c>audit-spool.db</c>) where a scan's, a lookup's or an operator action's entry is committed before it is answered.
/// Appending straight to the shared chain made every scan of every instance wait for the one head row's lock
/// (<c>SELECT ... FOR UPDATE</c>), and answer 503 while PostgreSQL was down (docs/PERFORMANCE.md, issue 13); here a
/// scan waits for one local fsync shared with the scans queued beside it (the group commit of <see cref="AuditLog"/>),
/// and <see cref="AuditShipper"/> moves the entries into the chain in batches. WAL mode with <c>synchronous = FULL</c>
/// fsyncs the log at every commit (https://sqlite.org/pragma.html#pragma_synchronous): an answered entry survives
/// kill -9 and a power cut. An entry's <c>scanId</c> is the instance's id (random, made with the file) and its seq
/// here, which AUTOINCREMENT never hands out twice, even after the entries shipped are deleted
/// (https://sqlite.org/autoinc.html): unique across instances, and the key by which shipping is made idempotent.
/// </summary>
internal sealed class AuditSpool : IAuditJournal, IDisposable
{
    public const string FileName = "audit-spool.db";

    private const string EventColumns = "at, checkpoint_id, staff_id, action, issuer, code_id, outcome, actor_id, actor_name, target";

    private static readonly string[] ParameterNames = ["$at", "$checkpoint", "$staff", "$action", "$issuer", "$code", "$outcome", "$actorId", "$actorName", "$target"];

    private static readonly string[] Migrations =
    [
        // 1: the entries not yet shipped, and this spool's instance id (12 hex digits of SQLite's randomness).
        """
        CREATE TABLE spool (
            seq             INTEGER PRIMARY KEY AUTOINCREMENT,
            at              INTEGER NOT NULL,
            checkpoint_id   TEXT NOT NULL,
            staff_id        TEXT NOT NULL,
            action          TEXT NOT NULL,
            issuer          TEXT,
            code_id         TEXT,
            outcome         TEXT NOT NULL,
            actor_id        TEXT,
            actor_name      TEXT,
            target          TEXT
        );
        CREATE TABLE spool_instance (
            id              INTEGER PRIMARY KEY CHECK (id = 1),
            instance        TEXT NOT NULL
        );
        INSERT INTO spool_instance (id, instance) VALUES (1, lower(hex(randomblob(6))));
        """,
    ];

    private readonly SqliteDatabase database;

    // The file is created or upgraded once, at its first use; a failure there (a full disk) is tried again at the next.
    private readonly SemaphoreSlim opening = new(1, 1);
    private string? instanceId;

    // The commits' connection, kept open with synchronous = FULL; used by the audit's one writer at a time.
    private SqliteConnection? writer;

    // The entries in the file: counted at open, then moved by each commit and each removal.
    private long pending;

    public AuditSpool(LocalDataFolder folder)
    {
        database = new SqliteDatabase(
            new SqliteConnectionStringBuilder { DataSource = System.IO.Path.Combine(folder.Path, FileName) }.ToString(), Migrations);
    }

    /// <summary>How many entries wait to be shipped, as this process counts them (0 before the spool's first use).</summary>
    public long Pending => Interlocked.Read(ref pending);

    /// <summary>The spool file.</summary>
    public string Path => database.FilePath;

    /// <summary>The <c>scanId</c> of the entry at <paramref name="seq"/> in the spool of <paramref name="instanceId"/>.</summary>
    public static string ScanId(string instanceId, long seq) => $"{instanceId}-{seq.ToString(CultureInfo.InvariantCulture)}";

    public async Task<AuditCommit> CommitAsync(IReadOnlyList<AuditEvent> events, CancellationToken cancellationToken)
    {
        var id = await InstanceAsync(cancellationToken);
        using var turn = await database.TakeWriteTurnAsync(cancellationToken);
        try
        {
            writer ??= await OpenWriterAsync(cancellationToken);
            await using var transaction = (SqliteTransaction)await writer.BeginTransactionAsync(cancellationToken);
            await using var insert = writer.CreateCommand();
            insert.Transaction = transaction;
            insert.CommandText = $"""
                INSERT INTO spool ({EventColumns}) VALUES ($at, $checkpoint, $staff, $action, $issuer, $code, $outcome, $actorId, $actorName, $target)
                RETURNING seq
                """;
            var values = ParameterNames.Select(name => insert.Parameters.Add(name, SqliteType.Text)).ToArray();
            values[0].SqliteType = SqliteType.Integer;
            var scanIds = new string[events.Count];
            for (var i = 0; i < events.Count; i++)
            {
                var e = events[i];
                object?[] row = [e.At.ToUnixTimeMilliseconds(), e.CheckpointId, e.StaffId, e.Action, e.Issuer, e.CodeId, e.Outcome, e.Actor?.OperatorId, e.Actor?.Name, e.Target];
                for (var c = 0; c < row.Length; c++)
                {
                    values[c].Value = row[c] ?? DBNull.Value;
                }

                var seq = Convert.ToInt64(await insert.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
                scanIds[i] = ScanId(id, seq);
            }

            await transaction.CommitAsync(cancellationToken);
            Interlocked.Add(ref pending, events.Count);
            return new AuditCommit(scanIds, null);
        }
        catch
        {
            // A commit that failed leaves its connection in doubt: the next one starts on a new one.
            writer?.Dispose();
            writer = null;
            throw;
        }
    }

    /// <summary>Up to <paramref name="max"/> of the oldest entries, in spool order, each with its <c>scanId</c>.</summary>
    public async Task<IReadOnlyList<SpooledEntry>> OldestAsync(int max, CancellationToken cancellationToken)
    {
        var id = await InstanceAsync(cancellationToken);
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var select = connection.CreateCommand();
        select.CommandText = $"SELECT seq, {EventColumns} FROM spool ORDER BY seq LIMIT $max";
        select.Parameters.AddWithValue("$max", max);
        await using var reader = await select.ExecuteReaderAsync(cancellationToken);
        string? Text(int column) => reader.IsDBNull(column) ? null : reader.GetString(column);
        var entries = new List<SpooledEntry>();
        while (await reader.ReadAsync(cancellationToken))
        {
            var seq = reader.GetInt64(0);
            entries.Add(new SpooledEntry(seq, new AuditEvent(
                DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(1)), reader.GetString(2), reader.GetString(3), reader.GetString(4), Text(5), Text(6), reader.GetString(7))
            {
                Actor = Text(8) is null && Text(9) is null ? null : new AuditActor(Text(8) ?? "", Text(9) ?? ""),
                Target = Text(10),
                ScanId = ScanId(id, seq),
            }));
        }

        return entries;
    }

    /// <summary>Deletes the entries up to <paramref name="seq"/>: called only once the chain holds them.</summary>
    public async Task RemoveThroughAsync(long seq, CancellationToken cancellationToken)
    {
        await InstanceAsync(cancellationToken);
        using var turn = await database.TakeWriteTurnAsync(cancellationToken);
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var delete = connection.CreateCommand();
        delete.CommandText = "DELETE FROM spool WHERE seq <= $seq";
        delete.Parameters.AddWithValue("$seq", seq);
        Interlocked.Add(ref pending, -await delete.ExecuteNonQueryAsync(cancellationToken));
    }

    public void Dispose()
    {
        writer?.Dispose();
        opening.Dispose();
        database.Dispose();
    }

    /// <summary>This spool's instance id, the file created or upgraded first if this is its first use.</summary>
    private async Task<string> InstanceAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref instanceId) is { } known)
        {
            return known;
        }

        await opening.WaitAsync(cancellationToken);
        try
        {
            return instanceId ??= await OpenAsync(cancellationToken);
        }
        finally
        {
            opening.Release();
        }
    }

    private async Task<string> OpenAsync(CancellationToken cancellationToken)
    {
        await database.MigrateAsync(cancellationToken);
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var select = connection.CreateCommand();
        select.CommandText = "SELECT count(*) FROM spool";
        Interlocked.Exchange(ref pending, Convert.ToInt64(await select.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture));
        select.CommandText = "SELECT instance FROM spool_instance WHERE id = 1";
        return (string)(await select.ExecuteScalarAsync(cancellationToken))!;
    }

    private async Task<SqliteConnection> OpenWriterAsync(CancellationToken cancellationToken)
    {
        var connection = await database.OpenAsync(cancellationToken);
        await using var durable = connection.CreateCommand();
        durable.CommandText = "PRAGMA synchronous = FULL";
        await durable.ExecuteNonQueryAsync(cancellationToken);
        return connection;
    }
}

/// <summary>An entry in the spool: its seq there and the event, <see cref="AuditEvent.ScanId"/> set.</summary>
internal sealed record SpooledEntry(long Seq, AuditEvent Event);
