using System.Data.Common;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;
using Dapper;
using HealthCode.Api.Infrastructure.Ops;
using HealthCode.Api.Infrastructure.Store;

namespace HealthCode.Api.Infrastructure.Privacy;

/// <summary>
/// The re-encryption job of DESIGN §11. It rewrites every personal value the store holds under a data key other than the
/// current one (<see cref="FieldCipher.NeedsRewrap"/>), so that an old key can be retired, and encrypts and indexes values
/// still in clear, from a database written before encryption. It runs once at start for the clear values
/// (<see cref="EncryptClearAsync"/>, before the service serves: a look-up by blind index would miss them), then every
/// <c>HealthCode:Privacy:RewrapEvery</c> for both (<see cref="RewrapAsync"/>, as <see cref="PeriodicWork"/>): the pass
/// at start already counted what is left, for the gauge, so the first periodic run waits one period rather than scan
/// every personal table again beside the start.
/// </summary>
/// <remarks>
/// <para>Rows are read in batches of <see cref="BatchRows"/> in key order, each batch one transaction. Every row is
/// rewritten by <c>UPDATE … WHERE key = @key AND column = @old</c>: when several instances run the job at once, the
/// one that comes second changes nothing, and a value a store rewrote meanwhile is left as it is.</para>
/// <para>A value under a data key newer than this instance's current one is left as it is: another instance already
/// writes with that key, and rewriting it back would undo its work (<see cref="FieldCipher.IsUnderNewerKey"/>).</para>
/// <para>A value that does not read (tampered, moved, or its key removed) is left for someone to look at, counted and
/// logged by table, never by value; so is a clear value whose index another row already holds (two spellings of one
/// phone from before encryption).</para>
/// </remarks>
internal sealed partial class PersonalDataJob
{
    /// <summary>Rows read and rewritten per transaction: short enough that a declaration waiting for the write lock hardly notices.</summary>
    public const int BatchRows = 300;

    /// <summary>
    /// Every encrypted column. A row's values are sealed to its key, or for the population register, which has no id of
    /// its own, to the ID number's blind index. The first column of a table with an index is the one it indexes.
    /// </summary>
    private static readonly Table[] Tables =
    [
        new("residents", "id", "phone_index", SealedToIndex: false, [new("phone", PrivacyField.Phone)]),
        new("persons", "id", "id_number_index", SealedToIndex: false, [new("id_number", PrivacyField.IdNumber), new("full_name", PrivacyField.FullName)]),
        new("declarations", "id", null, SealedToIndex: false, [new("payload", PrivacyField.Declaration)]),
        new("fact_population", "id_number", "id_number_index", SealedToIndex: true, [new("id_number", PrivacyField.IdNumber), new("name", PrivacyField.FullName)]),
    ];

    private readonly IStoreDatabase database;
    private readonly FieldCipher cipher;
    private readonly BlindIndex index;
    private readonly ILogger<PersonalDataJob> logger;

    /// <summary>Values left under an old key or in clear at the end of the last run; -1 before the first.</summary>
    private long left = -1;

    public PersonalDataJob(
        IStoreDatabase database, FieldCipher cipher, BlindIndex index, ILogger<PersonalDataJob> logger,
        IMeterFactory? meters = null)
    {
        this.database = database;
        this.cipher = cipher;
        this.index = index;
        this.logger = logger;
        meters?.Create(Telemetry.MeterPrefix + "Privacy").CreateObservableGauge(
            "healthcode.privacy.values_left", () => Interlocked.Read(ref left),
            description: "Personal values under a data key other than the current one, or in clear, after the re-encryption job's last run; -1 before it.");
    }

    /// <summary>Encrypts and indexes every value still in clear; values under an old data key are left to <see cref="RunAsync"/>.</summary>
    public async Task<JobResult> EncryptClearAsync(CancellationToken cancellationToken)
    {
        var result = await RunAsync(rewrap: false, cancellationToken);
        if (result.Rewritten > 0 || result.Refused > 0)
        {
            LogEncrypted(logger, result.Rewritten, result.Refused);
        }

        return result;
    }

    /// <summary>One run over every table: clear values encrypted and, with <paramref name="rewrap"/>, old keys' values rewrapped.</summary>
    public async Task<JobResult> RunAsync(bool rewrap, CancellationToken cancellationToken)
    {
        var result = new JobResult(0, 0, 0);
        foreach (var table in Tables)
        {
            result += await RunAsync(table, rewrap, cancellationToken);
        }

        result = result with { Left = await CountLeftAsync(cancellationToken) };
        Interlocked.Exchange(ref left, result.Left);
        return result;
    }

    /// <summary>The values under a data key other than the current one, or in clear, or not indexed yet.</summary>
    public async Task<long> CountLeftAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        long left = 0;
        foreach (var table in Tables)
        {
            left += await connection.ExecuteScalarAsync<long>(new CommandDefinition(
                $"SELECT count(*) FROM {table.Name} WHERE {Pending(table, rewrap: true)}", new { current = CurrentPrefix() }, cancellationToken: cancellationToken));
        }

        return left;
    }

    /// <summary>The periodic run: clear values encrypted, old keys' values rewrapped, what is left counted and logged.</summary>
    public async Task RewrapAsync(CancellationToken cancellationToken)
    {
        var result = await RunAsync(rewrap: true, cancellationToken);
        LogRun(logger, result.Rewritten, result.Refused, result.Left);
    }

    private async Task<JobResult> RunAsync(Table table, bool rewrap, CancellationToken cancellationToken)
    {
        var result = new JobResult(0, 0, 0);
        var columns = string.Join(", ", table.Columns.Select(c => c.Name));
        var indexColumn = table.Index ?? "NULL";
        var pending = Pending(table, rewrap);
        object? after = null;
        // Key order, from after the last row read: each run passes every row once, however many it leaves as they are.
        while (true)
        {
            await using var connection = await database.OpenConnectionAsync(cancellationToken);
            var rows = new List<StoredRow>(BatchRows);
            await using (var read = connection.CreateCommand())
            {
                read.CommandText = $"SELECT {table.Key}, {columns}, {indexColumn} FROM {table.Name} WHERE ({pending})"
                    + (after is null ? "" : $" AND {table.Key} > @after") + $" ORDER BY {table.Key} LIMIT {BatchRows}";
                if (rewrap)
                {
                    AddParameter(read, "@current", CurrentPrefix());
                }

                if (after is not null)
                {
                    AddParameter(read, "@after", after);
                }

                await using var reader = await read.ExecuteReaderAsync(cancellationToken);
                while (await reader.ReadAsync(cancellationToken))
                {
                    var values = new string[table.Columns.Length];
                    for (var i = 0; i < values.Length; i++)
                    {
                        values[i] = reader.GetString(i + 1);
                    }

                    rows.Add(new StoredRow(reader.GetValue(0), values, reader.IsDBNull(values.Length + 1) ? null : reader.GetString(values.Length + 1)));
                }
            }

            if (rows.Count == 0)
            {
                return result;
            }

            after = rows[^1].Key;
            result += await RewriteAsync(connection, table, rows, rewrap, cancellationToken);
            if (rows.Count < BatchRows)
            {
                return result;
            }
        }
    }

    private async Task<JobResult> RewriteAsync(DbConnection connection, Table table, List<StoredRow> rows, bool rewrap, CancellationToken cancellationToken)
    {
        var result = new JobResult(0, 0, 0);
        var savepoints = database.Dialect.Engine == StoreEngine.Postgres;
        using var turn = await database.TakeWriteTurnAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using var update = connection.CreateCommand();
        update.Transaction = transaction;
        update.CommandText = UpdateSql(table);
        foreach (var row in rows)
        {
            string?[] next;
            string? rowIndex;
            try
            {
                (next, rowIndex) = Rewrite(table, row, rewrap);
            }
            catch (ProtectedValueException)
            {
                result = result with { Refused = result.Refused + 1 };
                continue;
            }

            if (next.All(v => v is null) && rowIndex == row.Index)
            {
                continue;
            }

            update.Parameters.Clear();
            AddParameter(update, "@key", row.Key);
            if (table.Index is not null)
            {
                AddParameter(update, "@index", rowIndex);
            }

            for (var i = 0; i < next.Length; i++)
            {
                AddParameter(update, $"@old{i}", row.Values[i]);
                AddParameter(update, $"@new{i}", next[i] ?? row.Values[i]);
            }

            if (savepoints)
            {
                await transaction.SaveAsync("row", cancellationToken);
            }

            try
            {
                result = result with { Rewritten = result.Rewritten + (await update.ExecuteNonQueryAsync(cancellationToken) == 1 ? next.Count(v => v is not null) : 0) };
            }
            catch (DbException e) when (SqlDialect.IsConstraintViolation(e))
            {
                // Another row holds this index: two spellings of one number, stored apart before encryption.
                result = result with { Refused = result.Refused + 1 };
                if (savepoints)
                {
                    await transaction.RollbackAsync("row", cancellationToken);
                }
            }
        }

        await transaction.CommitAsync(cancellationToken);
        return result;
    }

    /// <summary>The row's new values (null where one stays as it is) and its index.</summary>
    private (string?[] Values, string? Index) Rewrite(Table table, StoredRow row, bool rewrap)
    {
        var key = Convert.ToString(row.Key, CultureInfo.InvariantCulture)!;
        var rowIndex = row.Index;
        if (table.Index is not null && rowIndex is null)
        {
            // Indexed from the clear value; a sealed value of a row without its index was sealed to the row's key.
            var first = table.Columns[0];
            var clear = FieldCipher.IsProtected(row.Values[0]) ? cipher.Unprotect(first.Field, row.Values[0], table.SealedToIndex ? null : key) : row.Values[0];
            rowIndex = index.Compute(first.Field, clear);
        }

        var context = table.SealedToIndex ? rowIndex! : key;
        var next = new string?[row.Values.Length];
        for (var i = 0; i < next.Length; i++)
        {
            var (_, field) = table.Columns[i];
            var value = row.Values[i];
            if (!FieldCipher.IsProtected(value))
            {
                next[i] = cipher.Protect(field, value, context);
            }
            else if (rewrap && cipher.NeedsRewrap(value) && !cipher.IsUnderNewerKey(value))
            {
                next[i] = cipher.Rewrap(field, value, context);
            }
        }

        return (next, rowIndex);
    }

    /// <summary>The rows with work to do: a value not under the current key (with <paramref name="rewrap"/>) or not sealed at all, or no index yet.</summary>
    private static string Pending(Table table, bool rewrap)
    {
        var condition = new StringBuilder();
        foreach (var (name, _) in table.Columns)
        {
            condition.Append(condition.Length == 0 ? "" : " OR ").Append(rewrap ? $"{name} NOT LIKE @current" : $"{name} NOT LIKE '{FieldCipher.Version}.%'");
        }

        return table.Index is null ? condition.ToString() : $"{condition} OR {table.Index} IS NULL";
    }

    private static string UpdateSql(Table table)
    {
        var set = string.Join(", ", table.Columns.Select((c, i) => $"{c.Name} = @new{i}"));
        var same = string.Join(" AND ", table.Columns.Select((c, i) => $"{c.Name} = @old{i}"));
        var setIndex = table.Index is null ? "" : $", {table.Index} = @index";
        return $"UPDATE {table.Name} SET {set}{setIndex} WHERE {table.Key} = @key AND {same}";
    }

    /// <summary><c>v1.&lt;current kid&gt;.%</c>: a LIKE pattern of the values already under the current key (a kid is hex, no wildcard).</summary>
    private string CurrentPrefix() => $"{FieldCipher.Version}.{cipher.CurrentKid}.%";

    private static void AddParameter(DbCommand command, string name, object? value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value ?? DBNull.Value;
        command.Parameters.Add(parameter);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Personal data from before encryption: {Rewritten} values encrypted and indexed, {Refused} refused (see PersonalDataJob)")]
    private static partial void LogEncrypted(ILogger logger, long rewritten, long refused);

    [LoggerMessage(Level = LogLevel.Information, Message = "Re-encryption job: {Rewritten} values rewritten with the current data key, {Refused} refused, {Left} left under an old key or in clear")]
    private static partial void LogRun(ILogger logger, long rewritten, long refused, long left);

    private sealed record Column(string Name, PrivacyField Field);

    private sealed record Table(string Name, string Key, string? Index, bool SealedToIndex, Column[] Columns);

    private sealed record StoredRow(object Key, string[] Values, string? Index);
}

/// <summary>What a run of <see cref="PersonalDataJob"/> did: values rewritten, values it could not read or index, values left to do.</summary>
internal sealed record JobResult(long Rewritten, long Refused, long Left)
{
    public static JobResult operator +(JobResult a, JobResult b) => new(a.Rewritten + b.Rewritten, a.Refused + b.Refused, a.Left + b.Left);
}
