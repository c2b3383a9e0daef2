using System.Collections.Concurrent;
using System.Data.Common;
using Dapper;
using HealthCode.Api.Infrastructure.Store;

namespace HealthCode.Api.Features.DataUseLog;

/// <summary>
/// The data-use log (DESIGN §10): appended to in the transaction of the use itself where there is one (a score and the
/// uses behind it are one commit), else in one of its own before the use is answered; read per person, per source in
/// aggregate, and in pages by auditors.
/// </summary>
internal interface IDataUseStore
{
    /// <summary>
    /// Appends uses in a transaction of their own, shared with the appends made at the same moment (a group commit); done
    /// (durable) when this completes.
    /// </summary>
    Task AppendAsync(IReadOnlyList<DataUse> uses, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>The uses of these persons' data, newest first, older than <paramref name="beforeSeq"/> when given.</summary>
    Task<IReadOnlyList<DataUseEntry>> ForPersonsAsync(IReadOnlyCollection<string> personIds, long? beforeSeq, int limit, CancellationToken cancellationToken);

    /// <summary>A page of the whole log for auditors: after (or, newest first, before) the cursor, within the times given.</summary>
    Task<IReadOnlyList<DataUseEntry>> PageAsync(LogPage page, CancellationToken cancellationToken);

    /// <summary>How a source's data was used, counted by day (China Standard Time) and purpose.</summary>
    Task<IReadOnlyList<DataUseCount>> UsageAsync(string source, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken);

    Task<DataUseChainReport> VerifyAsync(CancellationToken cancellationToken);
}

/// <summary>Uses of one source's data on one day for one purpose.</summary>
internal sealed record DataUseCount(DateOnly Day, string Purpose, long Uses, long Persons);

/// <summary>
/// The data-use log on either engine (<see cref="IStoreDatabase"/>). Appends read the chain's head row with
/// <see cref="SqlDialect.ForUpdate"/>: on PostgreSQL, instances appending at once queue at that row, so each extends the
/// head the one before it committed and the log stays one chain. The appends of their own (a lookup's, a prefill's, an
/// office's view) are committed in groups, as the scan audit's are: while one commit runs, those that arrive queue up,
/// and the next commit carries all of them (up to <see cref="MaxGroup"/> uses), so concurrent lookups share one
/// transaction, one wait at the head row and one fsync rather than queueing one by one behind it (docs/PERFORMANCE.md,
/// "ID-card lookups and the data-use log's group commit"). Each caller is answered once the commit that holds its uses
/// is done, or hears the commit's failure.
/// </summary>
internal sealed class DataUseStore(IStoreDatabase database, DataUseWitness? witness = null) : IDataUseStore
{
    /// <summary>Uses in one group commit at most (one caller's are never split).</summary>
    public const int MaxGroup = 1_000;

    private static readonly string[] InsertParameters = ["@seq", "@at", "@person", "@purpose", "@actor", "@source", "@batch", "@previous", "@hash"];

    private readonly ConcurrentQueue<PendingUses> queue = new();

    // 1 while a writer drains the queue: the caller that finds it 0 becomes the writer.
    private int draining;

    private const string Columns =
        "seq AS Seq, at AS At, person_id AS PersonId, purpose AS Purpose, actor AS Actor, source AS Source, batch_id AS BatchId, prev_hash AS PrevHash, hash AS Hash";

    public async Task AppendAsync(IReadOnlyList<DataUse> uses, DateTimeOffset at, CancellationToken cancellationToken)
    {
        if (uses.Count == 0)
        {
            return;
        }

        var pending = new PendingUses(uses, at);
        queue.Enqueue(pending);
        if (Interlocked.CompareExchange(ref draining, 1, 0) == 0)
        {
            _ = Task.Run(DrainAsync, CancellationToken.None);
        }

        await pending.Task.WaitAsync(cancellationToken);
    }

    /// <summary>
    /// Commits what is queued, a group at a time, until the queue is empty; then lets the next caller be the writer. A
    /// caller that queued just as the writer found the queue empty is taken up by the check after the flag is cleared.
    /// </summary>
    private async Task DrainAsync()
    {
        var group = new List<PendingUses>();
        do
        {
            while (!queue.IsEmpty)
            {
                var count = 0;
                while (queue.TryPeek(out var next) && (group.Count == 0 || count + next.Uses.Count <= MaxGroup) && queue.TryDequeue(out next))
                {
                    group.Add(next);
                    count += next.Uses.Count;
                }

                try
                {
                    await CommitAsync(group);
                    group.ForEach(p => p.TrySetResult());
                }
                catch (Exception e)
                {
                    // Every caller of this group hears that its uses are not stored (503 store_unavailable, or a 500).
                    group.ForEach(p => p.TrySetException(e));
                }

                group.Clear();
            }

            Volatile.Write(ref draining, 0);
        }
        while (!queue.IsEmpty && Interlocked.CompareExchange(ref draining, 1, 0) == 0);
    }

    private async Task CommitAsync(List<PendingUses> group)
    {
        await using var connection = await database.OpenConnectionAsync(CancellationToken.None);
        // In turn with the store's other writers: a batch's chunks, re-scorings, declarations.
        using var turn = await database.TakeWriteTurnAsync(CancellationToken.None);
        await using var transaction = await connection.BeginTransactionAsync(CancellationToken.None);
        await AppendAsync(connection, transaction, database.Dialect, [.. group.SelectMany(p => p.Uses.Select(u => (u, p.At)))], CancellationToken.None);
        await transaction.CommitAsync(CancellationToken.None);
    }

    /// <summary>Appends to the chain inside the caller's (write) transaction: the uses are committed with what used the data.</summary>
    public static Task AppendAsync(DbConnection connection, DbTransaction transaction, SqlDialect dialect, IReadOnlyList<DataUse> uses, DateTimeOffset at, CancellationToken cancellationToken) =>
        AppendAsync(connection, transaction, dialect, [.. uses.Select(u => (u, at))], cancellationToken);

    /// <summary>Appends uses, each at its own time, inside the caller's (write) transaction.</summary>
    private static async Task AppendAsync(DbConnection connection, DbTransaction transaction, SqlDialect dialect, IReadOnlyList<(DataUse Use, DateTimeOffset At)> uses, CancellationToken cancellationToken)
    {
        if (uses.Count == 0)
        {
            return;
        }

        var (seq, previous) = await connection.QuerySingleAsync<(long Seq, string Hash)>(new CommandDefinition(
            "SELECT seq, hash FROM data_use_head WHERE id = 1" + dialect.ForUpdate, transaction: transaction, cancellationToken: cancellationToken));
        // One prepared statement for every use (a batch's re-scoring appends two or three a person): its parameters are
        // bound anew for each row, never parsed or mapped again.
        await using var insert = connection.CreateCommand();
        insert.Transaction = transaction;
        insert.CommandText = """
            INSERT INTO data_use (seq, at, person_id, purpose, actor, source, batch_id, prev_hash, hash)
            VALUES (@seq, @at, @person, @purpose, @actor, @source, @batch, @previous, @hash)
            """;
        var values = InsertParameters.Select(name =>
        {
            var parameter = insert.CreateParameter();
            parameter.ParameterName = name;
            insert.Parameters.Add(parameter);
            return parameter;
        }).ToArray();
        foreach (var (use, at) in uses)
        {
            seq++;
            var hash = DataUseChain.Hash(seq, at, use, previous);
            values[0].Value = seq;
            values[1].Value = at.ToUnixTimeMilliseconds();
            values[2].Value = use.PersonId;
            values[3].Value = use.Purpose;
            values[4].Value = use.Actor;
            values[5].Value = (object?)use.Source ?? DBNull.Value;
            values[6].Value = (object?)use.BatchId ?? DBNull.Value;
            values[7].Value = previous;
            values[8].Value = hash;
            await insert.ExecuteNonQueryAsync(cancellationToken);
            previous = hash;
        }

        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE data_use_head SET seq = @seq, hash = @previous WHERE id = 1", new { seq, previous }, transaction, cancellationToken: cancellationToken));
    }

    public async Task<IReadOnlyList<DataUseEntry>> ForPersonsAsync(IReadOnlyCollection<string> personIds, long? beforeSeq, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<EntryRow>(new CommandDefinition(
            $"SELECT {Columns} FROM data_use WHERE {database.Dialect.In("person_id", "@personIds")} AND seq < @before ORDER BY seq DESC LIMIT @limit",
            new { personIds = personIds.ToArray(), before = beforeSeq ?? long.MaxValue, limit }, cancellationToken: cancellationToken));
        return [.. rows.Select(r => r.ToEntry())];
    }

    public async Task<IReadOnlyList<DataUseEntry>> PageAsync(LogPage page, CancellationToken cancellationToken)
    {
        var parameters = new DynamicParameters();
        foreach (var (name, value) in page.Values)
        {
            parameters.Add(name, value);
        }

        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<EntryRow>(new CommandDefinition(page.Sql(Columns, "data_use"), parameters, cancellationToken: cancellationToken));
        return [.. rows.Select(r => r.ToEntry())];
    }

    public async Task<IReadOnlyList<DataUseCount>> UsageAsync(string source, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        // Days in China Standard Time (UTC+08:00, DESIGN §9): the offset in milliseconds before the division.
        var rows = await connection.QueryAsync<(string Day, string Purpose, long Uses, long Persons)>(new CommandDefinition(
            $"""
            SELECT {database.Dialect.UtcDay("at + 28800000")} AS day, purpose, count(*) AS uses, count(DISTINCT person_id) AS persons
            FROM data_use WHERE source = @source AND at >= @from AND at < @to
            GROUP BY day, purpose ORDER BY day, purpose
            """,
            new { source, from = from.ToUnixTimeMilliseconds(), to = to.ToUnixTimeMilliseconds() }, cancellationToken: cancellationToken));
        return [.. rows.Select(r => new DataUseCount(DateOnly.ParseExact(r.Day, "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), r.Purpose, r.Uses, r.Persons))];
    }

    public async Task<DataUseChainReport> VerifyAsync(CancellationToken cancellationToken)
    {
        // The witness first: it is copied from the head, so rows read after it can only be further ahead.
        var witnessed = witness is null ? null : await witness.ReadAsync(cancellationToken);
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        // One read transaction: the head and the entries are one snapshot.
        await using var transaction = await database.BeginSnapshotAsync(connection, cancellationToken);
        var head = await connection.QuerySingleAsync<(long Seq, string Hash)>(new CommandDefinition(
            "SELECT seq, hash FROM data_use_head WHERE id = 1", transaction: transaction, cancellationToken: cancellationToken));
        // Unbuffered: the entries are checked as they are read, however long the log.
        var rows = connection.QueryUnbufferedAsync<EntryRow>($"SELECT {Columns} FROM data_use ORDER BY seq", transaction: transaction);
        return await DataUseChain.VerifyAsync(rows.Select(r => r.ToEntry()), head, witness is not null, witnessed, cancellationToken);
    }

    /// <summary>One caller's uses, waiting for the group commit that holds them.</summary>
    private sealed class PendingUses(IReadOnlyList<DataUse> uses, DateTimeOffset at) : TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)
    {
        public IReadOnlyList<DataUse> Uses { get; } = uses;

        public DateTimeOffset At { get; } = at;
    }

    private sealed class EntryRow
    {
        public long Seq { get; init; }

        public long At { get; init; }

        public string PersonId { get; init; } = "";

        public string Purpose { get; init; } = "";

        public string Actor { get; init; } = "";

        public string? Source { get; init; }

        public string? BatchId { get; init; }

        public string PrevHash { get; init; } = "";

        public string Hash { get; init; } = "";

        public DataUseEntry ToEntry() => new(
            Seq, DateTimeOffset.FromUnixTimeMilliseconds(At), new DataUse(PersonId, Purpose, Actor, Source, BatchId), PrevHash, Hash);
    }
}
