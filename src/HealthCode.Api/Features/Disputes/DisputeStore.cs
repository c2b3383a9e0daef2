using System.Data.Common;
using Dapper;
using HealthCode.Api.Features.DataUseLog;
using HealthCode.Api.Infrastructure.Privacy;
using HealthCode.Api.Infrastructure.Store;

namespace HealthCode.Api.Features.Disputes;

/// <summary>The states of a dispute (DESIGN §10, GB/T 38963 纠错): open, then one of the three ends.</summary>
internal static class DisputeStates
{
    public const string Open = "open";

    /// <summary>The department's batch retracted the disputed row, or replaced it with a row of a later batch.</summary>
    public const string Retracted = "retracted";

    /// <summary>A four-eyes override that answers the dispute took effect.</summary>
    public const string Overridden = "overridden";

    /// <summary>A health operator or the providing department answered that the fact stands, with a note.</summary>
    public const string Rejected = "rejected";

    public static readonly IReadOnlyList<string> All = [Open, Retracted, Overridden, Rejected];
}

/// <summary>A new dispute: the person (one of the filing account's), the fact's source and batch, and what is wrong.</summary>
internal sealed record NewDispute(string PersonId, string Source, string BatchId, string Reason, string FiledBy);

/// <summary>
/// A dispute as stored, with the person it is about and the catalogue entry of its source (<c>SourceName</c> falls back
/// to the code, <c>Provider</c> and <c>Kind</c> are null for a source no longer in the catalogue). <c>ResolvedBy</c> is
/// the name of the operator who answered it, or of the department whose batch retracted or replaced the row;
/// <c>OverrideId</c> the override that answered it.
/// </summary>
internal sealed record DisputeRecord(
    string Id,
    long Seq,
    string PersonId,
    string FullName,
    string IdNumber,
    string Source,
    string SourceName,
    string? Provider,
    string? Kind,
    string BatchId,
    string Reason,
    string State,
    DateTimeOffset FiledAt,
    DateTimeOffset? ResolvedAt,
    string? ResolvedBy,
    string? OverrideId,
    string? Note);

/// <summary>A page of the operators' queue: in a state (null: all), of these providers' sources (null: all), after a cursor.</summary>
internal sealed record DisputeQuery(string? State, IReadOnlyCollection<string>? Providers, long? After, int Limit);

/// <summary>
/// Disputes (DESIGN §10): filed by residents against a fact about one of their persons, answered by operators. Each
/// filing and each answer is a use of the person's data, appended to the data-use log in the same transaction.
/// </summary>
internal interface IDisputeStore
{
    /// <summary>
    /// Files a dispute when the person has a fact of this source and batch: the new dispute (<c>Created</c>), or the one
    /// already open for that fact. Null when the person has no such fact.
    /// </summary>
    Task<(DisputeRecord Dispute, bool Created)?> FileAsync(NewDispute dispute, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>These persons' disputes, newest first.</summary>
    Task<IReadOnlyList<DisputeRecord>> ForPersonsAsync(IReadOnlyCollection<string> personIds, CancellationToken cancellationToken);

    /// <summary>A page of the queue, oldest first.</summary>
    Task<IReadOnlyList<DisputeRecord>> QueueAsync(DisputeQuery query, CancellationToken cancellationToken);

    Task<DisputeRecord?> FindAsync(string disputeId, CancellationToken cancellationToken);

    /// <summary>Answers an open dispute: the fact stands. False when it is no longer open.</summary>
    Task<bool> RejectAsync(string disputeId, string note, string actor, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>
    /// Closes as retracted every open dispute (of these persons; null: of everyone) whose fact is gone: no row of that
    /// source and batch about the person is left, because the department retracted it or a later batch replaced it.
    /// </summary>
    Task SettleRetractedAsync(IReadOnlyCollection<string>? personIds, DateTimeOffset now, CancellationToken cancellationToken);
}

internal sealed class DisputeStore(IStoreDatabase database, PersonalFields personal) : IDisputeStore
{
    /// <summary>The facts a dispute can name: those about a person that scoring shows as reasons (DESIGN §9).</summary>
    private static readonly string[] PersonFactTables = ["fact_cases", "fact_close_contacts", "fact_tests", "fact_travel"];

    private const string Select = """
        SELECT d.id AS Id, d.seq AS Seq, d.person_id AS PersonId, p.full_name AS FullName, p.id_number AS IdNumber,
               d.source AS Source, coalesce(e.name, d.source) AS SourceName, e.provider AS Provider, e.kind AS Kind,
               d.batch_id AS BatchId, d.reason AS Reason, d.state AS State, d.filed_at AS FiledAt, d.resolved_at AS ResolvedAt,
               d.resolved_by AS ResolvedBy, d.override_id AS OverrideId, d.note AS Note
        FROM disputes d JOIN persons p ON p.id = d.person_id LEFT JOIN catalog e ON e.code = d.source
        """;

    public async Task<(DisputeRecord Dispute, bool Created)?> FileAsync(NewDispute dispute, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var fact = new { person = dispute.PersonId, source = dispute.Source, batch = dispute.BatchId };
        // One open dispute per fact: on PostgreSQL, where transactions run side by side, the person's row is locked
        // first, so a second filing waits and then finds this one (SQLite's write transaction already excludes it).
        await connection.ExecuteAsync(new CommandDefinition(
            "SELECT id FROM persons WHERE id = @person" + database.Dialect.ForUpdate, fact, transaction, cancellationToken: cancellationToken));
        var open = await connection.ExecuteScalarAsync<string?>(new CommandDefinition(
            "SELECT id FROM disputes WHERE person_id = @person AND source = @source AND batch_id = @batch AND state = 'open'",
            fact, transaction, cancellationToken: cancellationToken));
        if (open is not null)
        {
            return (await FindAsync(connection, transaction, open, cancellationToken), false);
        }

        if (!await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
                $"SELECT {FactExists("@person", "@source", "@batch")}", fact, transaction, cancellationToken: cancellationToken)))
        {
            return null;
        }

        var id = Infrastructure.Auth.Secrets.NewId("dp_");
        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO disputes (id, person_id, source, batch_id, reason, filed_at, filed_by, state)
            VALUES (@id, @person, @source, @batch, @reason, @at, @filedBy, 'open')
            """,
            new { id, fact.person, fact.source, fact.batch, reason = dispute.Reason, at = now.ToUnixTimeMilliseconds(), filedBy = dispute.FiledBy },
            transaction, cancellationToken: cancellationToken));
        await DataUseStore.AppendAsync(
            connection, transaction, database.Dialect, [new DataUse(dispute.PersonId, DataUsePurposes.Dispute, DataUseActors.Resident, dispute.Source, dispute.BatchId)], now, cancellationToken);
        var filed = await FindAsync(connection, transaction, id, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return (filed, true);
    }

    public async Task<IReadOnlyList<DisputeRecord>> ForPersonsAsync(IReadOnlyCollection<string> personIds, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<Row>(new CommandDefinition(
            $"{Select} WHERE {database.Dialect.In("d.person_id", "@personIds")} ORDER BY d.seq DESC", new { personIds = personIds.ToArray() }, cancellationToken: cancellationToken));
        return [.. rows.Select(r => r.ToRecord(personal))];
    }

    public async Task<IReadOnlyList<DisputeRecord>> QueueAsync(DisputeQuery query, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        var providers = query.Providers is null ? "" : $"AND {database.Dialect.In("e.provider", "@providers")}";
        var state = query.State is null ? "" : "AND d.state = @state";
        var rows = await connection.QueryAsync<Row>(new CommandDefinition(
            $"{Select} WHERE d.seq > @after {state} {providers} ORDER BY d.seq LIMIT @limit",
            new { after = query.After ?? 0, state = query.State, providers = query.Providers?.ToArray() ?? [], limit = query.Limit },
            cancellationToken: cancellationToken));
        return [.. rows.Select(r => r.ToRecord(personal))];
    }

    public async Task<DisputeRecord?> FindAsync(string disputeId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(
            $"{Select} WHERE d.id = @disputeId", new { disputeId }, cancellationToken: cancellationToken));
        return row?.ToRecord(personal);
    }

    public async Task<bool> RejectAsync(string disputeId, string note, string actor, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var closed = await CloseAsync(connection, transaction, database.Dialect, disputeId, new Resolution(DisputeStates.Rejected, actor, Note: note), now, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return closed;
    }

    /// <summary>
    /// Marks an open dispute overridden by <paramref name="overrideId"/>, inside the caller's transaction (the override's
    /// approval), with its data use; false when it is no longer open.
    /// </summary>
    public static Task<bool> MarkOverriddenAsync(
        DbConnection connection, DbTransaction transaction, SqlDialect dialect, string disputeId, string overrideId, string actor, DateTimeOffset now, CancellationToken cancellationToken) =>
        CloseAsync(connection, transaction, dialect, disputeId, new Resolution(DisputeStates.Overridden, actor, OverrideId: overrideId), now, cancellationToken);

    public async Task SettleRetractedAsync(IReadOnlyCollection<string>? personIds, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        // A read first: most runs find nothing to close, and take no write lock for it.
        var scope = personIds is null ? "" : $"AND {database.Dialect.In("d.person_id", "@personIds")}";
        var gone = (await connection.QueryAsync<string>(new CommandDefinition(
            $"SELECT d.id FROM disputes d WHERE d.state = 'open' {scope} AND NOT ({FactExists("d.person_id", "d.source", "d.batch_id")})",
            new { personIds = personIds?.ToArray() ?? [] }, cancellationToken: cancellationToken))).ToList();
        if (gone.Count == 0)
        {
            return;
        }

        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        foreach (var id in gone)
        {
            // The department did it, by a batch; the log names the department (which batch is not kept once applied).
            var department = await connection.QuerySingleAsync<string>(new CommandDefinition(
                """
                SELECT coalesce(dep.name, e.provider, d.source)
                FROM disputes d LEFT JOIN catalog e ON e.code = d.source LEFT JOIN departments dep ON dep.code = e.provider
                WHERE d.id = @id
                """,
                new { id }, transaction, cancellationToken: cancellationToken));
            // Checked again in the write transaction: a row may have come back since the read.
            await CloseAsync(connection, transaction, database.Dialect, id, new Resolution(DisputeStates.Retracted, department), now, cancellationToken,
                $"AND NOT ({FactExists("disputes.person_id", "disputes.source", "disputes.batch_id")})");
        }

        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>How a dispute ended, and who ended it: an operator's name, or the department whose batch retracted the row.</summary>
    private sealed record Resolution(string State, string Actor, string? Note = null, string? OverrideId = null);

    /// <summary>
    /// Closes an open dispute as <paramref name="resolution"/> says, and logs the use of the person's data under its actor.
    /// False when the dispute is not open (or <paramref name="condition"/> no longer holds).
    /// </summary>
    private static async Task<bool> CloseAsync(
        DbConnection connection, DbTransaction transaction, SqlDialect dialect, string id, Resolution resolution, DateTimeOffset now, CancellationToken cancellationToken, string condition = "")
    {
        var closed = await connection.QuerySingleOrDefaultAsync<(string? PersonId, string Source, string BatchId)>(new CommandDefinition(
            $"""
            UPDATE disputes SET state = @State, resolved_at = @at, resolved_by = @Actor, note = @Note, override_id = @OverrideId
            WHERE id = @id AND state = 'open' {condition}
            RETURNING person_id, source, batch_id
            """,
            new { id, at = now.ToUnixTimeMilliseconds(), resolution.State, resolution.Actor, resolution.Note, resolution.OverrideId },
            transaction, cancellationToken: cancellationToken));
        if (closed.PersonId is not { } personId)
        {
            return false;
        }

        await DataUseStore.AppendAsync(
            connection, transaction, dialect, [new DataUse(personId, DataUsePurposes.Dispute, resolution.Actor, closed.Source, closed.BatchId)], now, cancellationToken);
        return true;
    }

    /// <summary>SQL that is true when the person has a fact of the source and batch (each argument a column or a parameter).</summary>
    private static string FactExists(string person, string source, string batch) => string.Join(" OR ", PersonFactTables.Select(table =>
        $"EXISTS (SELECT 1 FROM {table} f WHERE f.person_id = {person} AND f.source = {source} AND f.batch_id = {batch})"));

    private async Task<DisputeRecord> FindAsync(DbConnection connection, DbTransaction transaction, string id, CancellationToken cancellationToken) =>
        (await connection.QuerySingleAsync<Row>(new CommandDefinition($"{Select} WHERE d.id = @id", new { id }, transaction, cancellationToken: cancellationToken))).ToRecord(personal);

    private sealed class Row
    {
        public string Id { get; init; } = "";

        public long Seq { get; init; }

        public string PersonId { get; init; } = "";

        public string FullName { get; init; } = "";

        public string IdNumber { get; init; } = "";

        public string Source { get; init; } = "";

        public string SourceName { get; init; } = "";

        public string? Provider { get; init; }

        public string? Kind { get; init; }

        public string BatchId { get; init; } = "";

        public string Reason { get; init; } = "";

        public string State { get; init; } = "";

        public long FiledAt { get; init; }

        public long? ResolvedAt { get; init; }

        public string? ResolvedBy { get; init; }

        public string? OverrideId { get; init; }

        public string? Note { get; init; }

        /// <summary>The dispute, with the person's name and ID number decrypted for the page that shows them.</summary>
        public DisputeRecord ToRecord(PersonalFields personal) => new(
            Id, Seq, PersonId, personal.Open(PrivacyField.FullName, FullName, PersonId), personal.Open(PrivacyField.IdNumber, IdNumber, PersonId), Source, SourceName, Provider, Kind, BatchId, Reason, State,
            DateTimeOffset.FromUnixTimeMilliseconds(FiledAt), ResolvedAt is { } at ? DateTimeOffset.FromUnixTimeMilliseconds(at) : null,
            ResolvedBy, OverrideId, Note);
    }
}
