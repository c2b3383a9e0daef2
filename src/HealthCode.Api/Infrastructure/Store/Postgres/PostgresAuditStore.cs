using Dapper;
using HealthCode.Api.Infrastructure.Audit;
using Npgsql;

namespace HealthCode.Api.Infrastructure.Store.Postgres;

/// <summary>
/// The scan audit in the store's PostgreSQL database. On SQLite it has a file of its own, for SQLite's one write lock
/// (<see cref="SqliteAuditStore"/>); here its tables sit beside the others. Several instances append to one chain: each
/// append locks the head row (<c>SELECT ... FOR UPDATE</c>) in its transaction, so the next one chains onto what it committed.
/// </summary>
internal sealed class PostgresAuditStore(PostgresDatabase database) : IAuditStore
{
    private const string Columns = """
        seq AS Seq, at AS At, checkpoint_id AS CheckpointId, staff_id AS StaffId, action AS Action, issuer AS Issuer, code_id AS CodeId,
        outcome AS Outcome, prev_hash AS PrevHash, hash AS Hash, actor_id AS ActorId, actor_name AS ActorName, target AS Target,
        scan_id AS ScanId
        """;

    /// <summary>The schema is PostgreSQL's scripts' (<see cref="StoreSetup.MigrateAsync"/>): nothing of its own to create.</summary>
    public Task InitializeAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// Appends as <see cref="IAuditStore.AppendAsync"/> says, leaving out the events whose <see cref="AuditEvent.ScanId"/>
    /// the chain holds already, checked under the head's lock in the same transaction: a shipper that crashed after this
    /// commit and before it deleted its spool's entries ships them again, and they are not appended twice
    /// (<see cref="AuditShipper"/>). The unique index on <c>scan_id</c> stands behind the check.
    /// </summary>
    public async Task<AuditHead> AppendAsync(IReadOnlyList<AuditEvent> events, CancellationToken cancellationToken)
    {
        await using var connection = await database.DataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var (seq, previous) = await HeadAsync(connection, transaction, forUpdate: true, cancellationToken)
            ?? await TailAsync(connection, transaction, cancellationToken);
        var named = events.Select(e => e.ScanId).OfType<string>().ToArray();
        if (named.Length > 0)
        {
            var present = (await connection.QueryAsync<string>(new CommandDefinition(
                "SELECT scan_id FROM audit WHERE scan_id = ANY(@named)", new { named }, transaction, cancellationToken: cancellationToken))).ToHashSet(StringComparer.Ordinal);
            if (present.Count > 0)
            {
                events = [.. events.Where(e => e.ScanId is null || !present.Contains(e.ScanId))];
            }
        }

        if (events.Count == 0)
        {
            await transaction.CommitAsync(cancellationToken);
            return new AuditHead(seq, previous);
        }
        // One statement for the whole batch, its columns as arrays (unnest): the head row stays locked for four round
        // trips whatever the batch's size, not one per entry, so the instances sharing the chain wait less for it.
        var count = events.Count;
        var seqs = new long[count];
        var ats = new long[count];
        var checkpoints = new string[count];
        var staff = new string[count];
        var actions = new string[count];
        var issuers = new string?[count];
        var codes = new string?[count];
        var outcomes = new string[count];
        var previousHashes = new string[count];
        var hashes = new string[count];
        var actorIds = new string?[count];
        var actorNames = new string?[count];
        var targets = new string?[count];
        var scanIds = new string?[count];
        for (var i = 0; i < count; i++)
        {
            var e = events[i];
            seq++;
            var hash = AuditChain.Hash(seq, e, previous);
            (seqs[i], ats[i], checkpoints[i], staff[i], actions[i], issuers[i], codes[i], outcomes[i]) =
                (seq, e.At.ToUnixTimeMilliseconds(), e.CheckpointId, e.StaffId, e.Action, e.Issuer, e.CodeId, e.Outcome);
            (previousHashes[i], hashes[i], actorIds[i], actorNames[i], targets[i], scanIds[i]) = (previous, hash, e.Actor?.OperatorId, e.Actor?.Name, e.Target, e.ScanId);
            previous = hash;
        }

        await using (var insert = new NpgsqlCommand(
            """
            INSERT INTO audit (seq, at, checkpoint_id, staff_id, action, issuer, code_id, outcome, prev_hash, hash, actor_id, actor_name, target, scan_id)
            SELECT * FROM unnest(@seq, @at, @checkpoint, @staff, @action, @issuer, @code, @outcome, @previous, @hash, @actorId, @actorName, @target, @scanId)
            """,
            connection,
            transaction))
        {
            insert.Parameters.Add(new NpgsqlParameter<long[]>("seq", seqs));
            insert.Parameters.Add(new NpgsqlParameter<long[]>("at", ats));
            insert.Parameters.Add(new NpgsqlParameter<string[]>("checkpoint", checkpoints));
            insert.Parameters.Add(new NpgsqlParameter<string[]>("staff", staff));
            insert.Parameters.Add(new NpgsqlParameter<string[]>("action", actions));
            insert.Parameters.Add(new NpgsqlParameter<string?[]>("issuer", issuers));
            insert.Parameters.Add(new NpgsqlParameter<string?[]>("code", codes));
            insert.Parameters.Add(new NpgsqlParameter<string[]>("outcome", outcomes));
            insert.Parameters.Add(new NpgsqlParameter<string[]>("previous", previousHashes));
            insert.Parameters.Add(new NpgsqlParameter<string[]>("hash", hashes));
            insert.Parameters.Add(new NpgsqlParameter<string?[]>("actorId", actorIds));
            insert.Parameters.Add(new NpgsqlParameter<string?[]>("actorName", actorNames));
            insert.Parameters.Add(new NpgsqlParameter<string?[]>("target", targets));
            insert.Parameters.Add(new NpgsqlParameter<string?[]>("scanId", scanIds));
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }

        // The head moves with the entries, in the same transaction: rows deleted from the end later leave it behind.
        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO audit_head (id, seq, hash) VALUES (1, @seq, @previous)
            ON CONFLICT(id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash
            """,
            new { seq, previous }, transaction, cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
        return new AuditHead(seq, previous);
    }

    public async Task<AuditHead> ReadHeadAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.DataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, cancellationToken);
        return await HeadAsync(connection, transaction, forUpdate: false, cancellationToken) ?? await TailAsync(connection, transaction, cancellationToken);
    }

    public async Task<IReadOnlyList<AuditEntry>> PageAsync(LogPage page, CancellationToken cancellationToken)
    {
        var parameters = new DynamicParameters();
        foreach (var (name, value) in page.Values)
        {
            parameters.Add(name, value);
        }

        await using var connection = await database.DataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<EntryRow>(new CommandDefinition(page.Sql(Columns, "audit"), parameters, cancellationToken: cancellationToken));
        return [.. rows.Select(r => r.ToEntry())];
    }

    public async Task<AuditChainReport> VerifyChainAsync(AuditHead? witness, CancellationToken cancellationToken)
    {
        await using var connection = await database.DataSource.OpenConnectionAsync(cancellationToken);
        // Repeatable read: the anchor, the head and the entries are one consistent snapshot.
        await using var transaction = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, cancellationToken);
        var anchor = await AnchorAsync(connection, transaction, cancellationToken);
        var head = await HeadAsync(connection, transaction, forUpdate: false, cancellationToken);
        var rows = await connection.QueryAsync<EntryRow>(new CommandDefinition(
            $"SELECT {Columns} FROM audit ORDER BY seq", transaction: transaction, cancellationToken: cancellationToken));
        return AuditChain.Verify(rows.Select(r => r.ToEntry()), anchor, head, witness);
    }

    public async Task<int> PurgeBeforeAsync(DateTimeOffset cutoff, CancellationToken cancellationToken)
    {
        await using var connection = await database.DataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        // The head is locked as an append locks it, so a purge and an append never interleave.
        await HeadAsync(connection, transaction, forUpdate: true, cancellationToken);
        // Purge a prefix of the chain: everything up to the last entry older than the cutoff.
        var last = await connection.QuerySingleOrDefaultAsync<HeadRow>(new CommandDefinition(
            "SELECT seq AS Seq, hash AS Hash FROM audit WHERE seq <= (SELECT max(seq) FROM audit WHERE at < @cutoff) ORDER BY seq DESC LIMIT 1",
            new { cutoff = cutoff.ToUnixTimeMilliseconds() }, transaction, cancellationToken: cancellationToken));
        if (last is null)
        {
            return 0;
        }

        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO audit_anchor (id, seq, hash) VALUES (1, @Seq, @Hash)
            ON CONFLICT(id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash
            """,
            last, transaction, cancellationToken: cancellationToken));
        var deleted = await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM audit WHERE seq <= @Seq", last, transaction, cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
        return deleted;
    }

    private static async Task<AuditHead?> HeadAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, bool forUpdate, CancellationToken cancellationToken) =>
        await SelectHeadAsync(connection, transaction, "SELECT seq AS Seq, hash AS Hash FROM audit_head WHERE id = 1" + (forUpdate ? " FOR UPDATE" : ""), cancellationToken);

    /// <summary>The last entry there is, for a store whose head row is gone: scans go on chaining, and the chain check reports the missing head.</summary>
    private static async Task<AuditHead> TailAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken) =>
        await SelectHeadAsync(connection, transaction, "SELECT seq AS Seq, hash AS Hash FROM audit ORDER BY seq DESC LIMIT 1", cancellationToken)
        ?? await AnchorAsync(connection, transaction, cancellationToken);

    private static async Task<AuditHead> AnchorAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken) =>
        await SelectHeadAsync(connection, transaction, "SELECT seq AS Seq, hash AS Hash FROM audit_anchor WHERE id = 1", cancellationToken)
        ?? new AuditHead(0, AuditChain.Genesis);

    private static async Task<AuditHead?> SelectHeadAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, CancellationToken cancellationToken)
    {
        var row = await connection.QuerySingleOrDefaultAsync<HeadRow>(new CommandDefinition(sql, transaction: transaction, cancellationToken: cancellationToken));
        return row is null ? null : new AuditHead(row.Seq, row.Hash);
    }

    private sealed class HeadRow
    {
        public long Seq { get; init; }

        public string Hash { get; init; } = "";
    }

    private sealed class EntryRow
    {
        public long Seq { get; init; }

        public long At { get; init; }

        public string CheckpointId { get; init; } = "";

        public string StaffId { get; init; } = "";

        public string Action { get; init; } = "";

        public string? Issuer { get; init; }

        public string? CodeId { get; init; }

        public string Outcome { get; init; } = "";

        public string PrevHash { get; init; } = "";

        public string Hash { get; init; } = "";

        public string? ActorId { get; init; }

        public string? ActorName { get; init; }

        public string? Target { get; init; }

        public string? ScanId { get; init; }

        public AuditEntry ToEntry() => new(
            Seq,
            new AuditEvent(DateTimeOffset.FromUnixTimeMilliseconds(At), CheckpointId, StaffId, Action, Issuer, CodeId, Outcome)
            {
                // Half an actor is a changed entry, for the chain check to name, not a failure to read it.
                Actor = ActorId is null && ActorName is null ? null : new AuditActor(ActorId ?? "", ActorName ?? ""),
                Target = Target,
                ScanId = ScanId,
            },
            PrevHash,
            Hash);
    }
}
