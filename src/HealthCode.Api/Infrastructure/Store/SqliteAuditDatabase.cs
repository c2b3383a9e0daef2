using Microsoft.Data.Sqlite;

namespace HealthCode.Api.Infrastructure.Store;

/// <summary>
/// The scan audit's own SQLite file beside the store's (<c>hc.db</c> → <c>hc.audit.db</c>), with its own write lock and
/// its own log. SQLite has one write lock per file: in the store's file a scan's audit commit waited for a department's
/// batch, row by row, and then carried the batch's pages in its fsync, so scans with 16 checkpoint staff waiting on
/// their answers ran at half their rate while a batch applied (docs/PERFORMANCE.md, issue 10). The audit chain depends
/// on nothing else in the store, so nothing is lost by keeping it apart: an append is one commit in one file, as before.
/// A store written before the audit had a file of its own is moved over once, at start (<see cref="InitializeAsync"/>).
/// </summary>
internal sealed class SqliteAuditDatabase(SqliteDatabase store) : IDisposable
{
    /// <summary>What the file is called beside the store's: <c>hc.db</c> → <c>hc.audit.db</c>.</summary>
    public const string Infix = "audit";

    private static readonly string[] Migrations =
    [
        // 1: the hash-chained audit (the store's steps 2, 5 and 8 as one), its anchor, and its head at genesis.
        """
        CREATE TABLE audit (
            seq             INTEGER PRIMARY KEY,
            at              INTEGER NOT NULL,
            checkpoint_id   TEXT NOT NULL,
            staff_id        TEXT NOT NULL,
            action          TEXT NOT NULL,
            issuer          TEXT,
            code_id         TEXT,
            outcome         TEXT NOT NULL,
            prev_hash       TEXT NOT NULL,
            hash            TEXT NOT NULL,
            actor_id        TEXT,
            actor_name      TEXT,
            target          TEXT
        );
        CREATE INDEX audit_by_time ON audit(at);
        CREATE TABLE audit_anchor (
            id              INTEGER PRIMARY KEY CHECK (id = 1),
            seq             INTEGER NOT NULL,
            hash            TEXT NOT NULL
        );
        CREATE TABLE audit_head (
            id              INTEGER PRIMARY KEY CHECK (id = 1),
            seq             INTEGER NOT NULL,
            hash            TEXT NOT NULL
        );
        INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
        """,
        // 2 (PostgreSQL 0004_scan_ids.sql): the scanId an entry's answer carried, when it was named before it had a seq
        // (PostgreSQL's spool, AuditSpool); SQLite's entries are named by their seq and leave it empty.
        """
        ALTER TABLE audit ADD COLUMN scan_id TEXT;
        CREATE UNIQUE INDEX audit_by_scan_id ON audit(scan_id);
        """,
    ];

    public SqliteDatabase Database { get; } = store.Beside(Infix, Migrations);

    /// <summary>
    /// Creates or upgrades the audit's file, then moves an audit still in the store's file into it: the entries, the
    /// anchor and the head as they are (a chain that was broken stays broken, for the check to report), in one
    /// transaction of the audit's file, and only then drops the store's tables, in one of the store's. A crash between
    /// the two leaves the entries in both; the next start finds the audit's file holding a chain and only drops.
    /// </summary>
    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        await Database.MigrateAsync(cancellationToken);
        await using var connection = await Database.OpenAsync(cancellationToken);
        await ExecuteAsync(connection, null, "ATTACH DATABASE $store AS store", cancellationToken, ("$store", store.FilePath));
        try
        {
            if (!await ExistsAsync(connection, "SELECT 1 FROM store.sqlite_master WHERE type = 'table' AND name = 'audit'", cancellationToken))
            {
                return;
            }

            await using (var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken))
            {
                if (!await ExistsAsync(connection, "SELECT 1 FROM audit UNION ALL SELECT 1 FROM audit_anchor", cancellationToken, transaction))
                {
                    await ExecuteAsync(connection, transaction, $"""
                        INSERT INTO audit ({SqliteAuditStore.Columns}) SELECT {SqliteAuditStore.Columns} FROM store.audit ORDER BY seq;
                        INSERT INTO audit_anchor (id, seq, hash) SELECT id, seq, hash FROM store.audit_anchor;
                        DELETE FROM audit_head;
                        INSERT INTO audit_head (id, seq, hash) SELECT id, seq, hash FROM store.audit_head;
                        """, cancellationToken);
                }

                await transaction.CommitAsync(cancellationToken);
            }

            await using (var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken))
            {
                await ExecuteAsync(connection, transaction, "DROP TABLE store.audit; DROP TABLE store.audit_anchor; DROP TABLE store.audit_head;", cancellationToken);
                await transaction.CommitAsync(cancellationToken);
            }
        }
        finally
        {
            await ExecuteAsync(connection, null, "DETACH DATABASE store", CancellationToken.None);
        }
    }

    public void Dispose() => Database.Dispose();

    private static async Task ExecuteAsync(
        SqliteConnection connection, SqliteTransaction? transaction, string sql, CancellationToken cancellationToken, params (string Name, object Value)[] parameters)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task<bool> ExistsAsync(SqliteConnection connection, string sql, CancellationToken cancellationToken, SqliteTransaction? transaction = null)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        return await command.ExecuteScalarAsync(cancellationToken) is not null;
    }
}
