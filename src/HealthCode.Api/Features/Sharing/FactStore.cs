using System.Data.Common;
using System.Globalization;
using System.Text.Json;
using Dapper;
using HealthCode.Api.Features.Declarations;
using HealthCode.Api.Features.Overrides;
using HealthCode.Api.Infrastructure.Privacy;
using HealthCode.Api.Infrastructure.Store;
using Microsoft.Data.Sqlite;

namespace HealthCode.Api.Features.Sharing;

/// <summary>
/// Facts, on either engine (<see cref="IStoreDatabase"/>): reads through Dapper, batch rows through prepared statements.
/// On SQLite a batch's chunks take the write turn and are not synced one by one (<see cref="DeferredSync"/>); on PostgreSQL
/// each chunk is one transaction of its own. Scoring also takes the person's active override (DESIGN §10), which the
/// Overrides area keeps. The population register's ID numbers and names, like the persons', are stored encrypted and
/// found by the ID number's blind index (DESIGN §11): a register row is sealed to that index, its stable key.
/// </summary>
internal sealed class FactStore(IStoreDatabase database, IOverrideStore overrides, PersonalFields personal) : IFactStore
{
    private const string DayFormat = "yyyy-MM-dd";

    /// <summary>Batch rows between two checkpoints: SQLite's own default, 1,000 pages of log, is about as many rows.</summary>
    private const int CheckpointRows = 1000;

    /// <summary>Rows a batch writes, at the least, each time it takes the write turn.</summary>
    private const int RowsBeforeYield = 16;

    private long rowsSinceCheckpoint;

    public async Task<IReadOnlyDictionary<string, string>> PersonNamesAsync(IReadOnlyCollection<string> idNumbers, CancellationToken cancellationToken)
    {
        if (idNumbers.Count == 0)
        {
            return new Dictionary<string, string>();
        }

        // One JSON array, not Dapper's list expansion: SQLite finds each of a thousand named parameters by a linear
        // search of the names, so binding them took half of a batch's checking (docs/PERFORMANCE.md, issue 10).
        // PostgreSQL takes the array as one parameter.
        var byIndex = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var idNumber in idNumbers)
        {
            byIndex[personal.Index(PrivacyField.IdNumber, idNumber)] = idNumber;
        }

        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<(string Id, string Index, string FullName)>(database.Dialect.Engine == StoreEngine.Postgres
            ? new CommandDefinition(
                "SELECT id, id_number_index, full_name FROM persons WHERE id_number_index = ANY(@indexes)", new { indexes = byIndex.Keys.ToArray() }, cancellationToken: cancellationToken)
            : new CommandDefinition(
                "SELECT id, id_number_index, full_name FROM persons WHERE id_number_index IN (SELECT value FROM json_each(@indexes))",
                new { indexes = JsonSerializer.Serialize(byIndex.Keys) }, cancellationToken: cancellationToken));
        return rows.ToDictionary(r => byIndex[r.Index], r => personal.Open(PrivacyField.FullName, r.FullName, r.Id), StringComparer.Ordinal);
    }

    /// <remarks>
    /// A chunk holds the store's one write lock, so declarations and lookups wait for it: it is kept to the rows'
    /// own work. Its commits are not synced to disk (<see cref="DeferredSync"/>). Nobody has been told of a chunk: the
    /// batch stays <c>applying</c>, durably, until <see cref="FinishAsync"/> moves it to <c>rescoring</c> with a synced
    /// commit, which fsyncs the log with every chunk before it in it (a checkpoint syncs the log before it copies pages
    /// and the database after, so no chunk is in neither). A crash before then leaves it <c>applying</c>, and the next
    /// start applies it again from its file (kept until <c>applied</c>), every row an upsert or a retraction by its key,
    /// so the lost chunks come back and the others are unchanged. The checkpoint that copies the log into the database
    /// file runs after the chunk has given up its turn, every <see cref="CheckpointRows"/> rows, beside the other
    /// writers' commits rather than in their way. (Scans' audit commits have a file of their own: SqliteAuditDatabase.)
    /// </remarks>
    public async Task ApplyAsync(BatchRecord batch, IReadOnlyList<FactRow> rows, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        if (connection is not SqliteConnection sqlite)
        {
            await ApplyInTurnsAsync(connection, batch, rows, now, cancellationToken);
            return;
        }

        await using var deferred = await DeferredSync.BeginAsync(sqlite, withoutAutoCheckpoint: true, cancellationToken);
        await ApplyInTurnsAsync(connection, batch, rows, now, cancellationToken);
        if (Interlocked.Add(ref rowsSinceCheckpoint, rows.Count) >= CheckpointRows)
        {
            Interlocked.Exchange(ref rowsSinceCheckpoint, 0);
            await connection.ExecuteAsync(new CommandDefinition("PRAGMA wal_checkpoint(PASSIVE)", cancellationToken: cancellationToken));
        }
    }

    /// <summary>
    /// Writes the rows in the store's write turn, which chunks take in turn with declarations and data uses (they follow
    /// each other at once, and would otherwise keep the lock for the whole batch). When another writer waits for the
    /// turn, the rows written so far (at least <see cref="RowsBeforeYield"/>) are committed and the turn is handed
    /// over, so a declaration's commit waits for a few rows rather than for the rest of the chunk (docs/PERFORMANCE.md,
    /// "Batches from the departments"). A chunk committed in parts is as safe as one: see <see cref="ApplyAsync"/>.
    /// </summary>
    private async Task ApplyInTurnsAsync(DbConnection connection, BatchRecord batch, IReadOnlyList<FactRow> rows, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var next = 0;
        while (next < rows.Count)
        {
            using var turn = await database.TakeWriteTurnAsync(cancellationToken);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            using var writer = new FactWriter(connection, transaction, batch, now, personal);
            var first = next;
            while (next < rows.Count && (next - first < RowsBeforeYield || !database.WriteTurnWanted))
            {
                writer.Apply(rows[next++]);
            }

            await transaction.CommitAsync(cancellationToken);
        }
    }

    public async Task FinishAsync(BatchRecord batch, FactKind kind, DateTimeOffset at, CancellationToken cancellationToken)
    {
        var table = kind switch
        {
            FactKind.Population => "fact_population",
            FactKind.RiskAreas => "fact_risk_areas",
            FactKind.Cases => "fact_cases",
            FactKind.CloseContacts => "fact_close_contacts",
            FactKind.Tests => "fact_tests",
            _ => "fact_travel",
        };
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            $"""
            UPDATE catalog SET last_batch_at = @at, rows = (SELECT count(*) FROM {table} WHERE source = @source) WHERE code = @source;
            UPDATE batches SET status = 'rescoring' WHERE source = @source AND batch_id = @batchId;
            """,
            new { source = batch.Source, batchId = batch.BatchId, at = at.ToUnixTimeMilliseconds() }, cancellationToken: cancellationToken));
    }

    public async Task<IReadOnlyList<string>> PersonsToRescoreAsync(BatchRecord batch, DateOnly since, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        // Declared and travel regions from declaration_regions, in clear beside the encrypted payloads (DESIGN §11).
        var persons = await connection.QueryAsync<string>(new CommandDefinition(
            """
            SELECT person_id FROM (
                SELECT person_id FROM batch_persons WHERE source = @source AND batch_id = @batchId
                UNION
                SELECT t.person_id FROM batch_services s JOIN fact_travel t ON t.service = s.service AND t.day = s.day
                WHERE s.source = @source AND s.batch_id = @batchId
                UNION
                SELECT g.person_id FROM declaration_regions g JOIN batch_regions r ON r.source = @source AND r.batch_id = @batchId
                WHERE g.day >= @since AND g.person_id IS NOT NULL AND g.region LIKE r.prefix || '%'
                UNION
                SELECT t.person_id FROM fact_travel t JOIN batch_regions r ON r.source = @source AND r.batch_id = @batchId
                WHERE t.day >= @since AND (t.from_region LIKE r.prefix || '%' OR t.to_region LIKE r.prefix || '%')
            ) affected
            WHERE EXISTS (SELECT 1 FROM codes c WHERE c.person_id = affected.person_id)
            """,
            new { source = batch.Source, batchId = batch.BatchId, since = since.ToString(DayFormat, CultureInfo.InvariantCulture) },
            cancellationToken: cancellationToken));
        return [.. persons];
    }

    public async Task<ScoringFacts> ScoringFactsAsync(string? personId, CancellationToken cancellationToken, IReadOnlyList<SharedRiskArea>? areas = null)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        areas ??= [.. (await connection.QueryAsync<StoredArea>(new CommandDefinition(
            $"""
            SELECT a.region AS Region, a.level AS Level, a.from_day AS FromDay, a.to_day AS ToDay, {SourceColumns("a")}
            FROM fact_risk_areas a {SourceJoin("a")}
            """,
            cancellationToken: cancellationToken))).Select(a => a.ToArea())];
        if (personId is null)
        {
            return new ScoringFacts(PersonFacts.None, areas);
        }

        var p = new { personId };
        var reportedCase = await connection.QuerySingleOrDefaultAsync<StoredCase>(new CommandDefinition(
            $"SELECT f.status AS Status, f.at AS At, {SourceColumns("f")} FROM fact_cases f {SourceJoin("f")} WHERE f.person_id = @personId", p, cancellationToken: cancellationToken));
        var contacts = await connection.QueryAsync<StoredContact>(new CommandDefinition(
            $"SELECT f.notified_at AS NotifiedAt, f.until_day AS UntilDay, f.case_ref AS CaseRef, {SourceColumns("f")} FROM fact_close_contacts f {SourceJoin("f")} WHERE f.person_id = @personId",
            p, cancellationToken: cancellationToken));
        var tests = await connection.QueryAsync<StoredTest>(new CommandDefinition(
            $"SELECT f.sampled_at AS SampledAt, f.result AS Result, f.lab AS Lab, {SourceColumns("f")} FROM fact_tests f {SourceJoin("f")} WHERE f.person_id = @personId",
            p, cancellationToken: cancellationToken));
        var travel = await connection.QueryAsync<StoredTravel>(new CommandDefinition(
            $"SELECT f.mode AS Mode, f.service AS Service, f.day AS Day, f.from_region AS FromRegion, f.to_region AS ToRegion, {SourceColumns("f")} FROM fact_travel f {SourceJoin("f")} WHERE f.person_id = @personId",
            p, cancellationToken: cancellationToken));
        // A journey shared with a confirmed case: the same service on the same day (DESIGN §9 co_traveller).
        var coTravel = await connection.QueryAsync<StoredCoTravel>(new CommandDefinition(
            $"""
            SELECT DISTINCT f.service AS Service, f.day AS Day, {SourceColumns("f")}
            FROM fact_travel f {SourceJoin("f")}
            JOIN fact_travel o ON o.service = f.service AND o.day = f.day AND o.person_id <> f.person_id
            JOIN fact_cases c ON c.person_id = o.person_id AND c.status = 'confirmed'
            WHERE f.person_id = @personId
            """,
            p, cancellationToken: cancellationToken));
        return new ScoringFacts(
            new PersonFacts(
                reportedCase?.ToFact(),
                [.. contacts.Select(c => c.ToFact())],
                [.. tests.Select(t => t.ToFact())],
                [.. travel.Select(t => t.ToFact())],
                [.. coTravel.Select(t => t.ToFact())]),
            areas)
        {
            Override = await overrides.ActiveAsync(personId, cancellationToken),
        };
    }

    public async Task<RegisterCheck> CheckRegisterAsync(string idNumber, string fullName, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        // Found by the ID number's index, the name compared decrypted (an index of names would show who shares a name).
        var index = personal.Index(PrivacyField.IdNumber, idNumber);
        var held = await connection.QuerySingleOrDefaultAsync<(string? Source, string? BatchId, string? Name)>(new CommandDefinition(
            "SELECT source, batch_id, name FROM fact_population WHERE id_number_index = @index", new { index }, cancellationToken: cancellationToken));
        if (held.Source is not null && personal.Open(PrivacyField.FullName, held.Name!, index) == fullName)
        {
            return new RegisterCheck(RegisterAnswer.Holds, held.Source, held.BatchId);
        }

        var loaded = await connection.ExecuteScalarAsync<long>(new CommandDefinition("SELECT EXISTS (SELECT 1 FROM fact_population)", cancellationToken: cancellationToken));
        return new RegisterCheck(loaded == 0 ? RegisterAnswer.NotLoaded : RegisterAnswer.DoesNotHold, null, null);
    }

    private static string SourceColumns(string alias) => $"{alias}.source AS SourceCode, coalesce(e.name, {alias}.source) AS SourceName, {alias}.batch_id AS BatchId";

    private static string SourceJoin(string alias) => $"LEFT JOIN catalog e ON e.code = {alias}.source";

    private static DateOnly Day(string day) => DateOnly.ParseExact(day, DayFormat, CultureInfo.InvariantCulture);

    private static DateTimeOffset Instant(long milliseconds) => DateTimeOffset.FromUnixTimeMilliseconds(milliseconds);

    private abstract class SourcedRow
    {
        public string SourceCode { get; init; } = "";

        public string SourceName { get; init; } = "";

        public string BatchId { get; init; } = "";

        public FactSource Source => new(SourceCode, SourceName, BatchId);
    }

    private sealed class StoredArea : SourcedRow
    {
        public string Region { get; init; } = "";

        public string Level { get; init; } = "";

        public string FromDay { get; init; } = "";

        public string ToDay { get; init; } = "";

        public SharedRiskArea ToArea() => new(
            RiskArea.Of(Region, Level switch { "high" => RiskLevel.High, "medium" => RiskLevel.Medium, _ => RiskLevel.Low }, Day(FromDay), Day(ToDay)),
            Source);
    }

    private sealed class StoredCase : SourcedRow
    {
        public string Status { get; init; } = "";

        public long At { get; init; }

        public CaseFact ToFact() => new(Status, Instant(At), Source);
    }

    private sealed class StoredContact : SourcedRow
    {
        public long NotifiedAt { get; init; }

        public string UntilDay { get; init; } = "";

        public string CaseRef { get; init; } = "";

        public CloseContactFact ToFact() => new(Instant(NotifiedAt), Day(UntilDay), CaseRef, Source);
    }

    private sealed class StoredTest : SourcedRow
    {
        public long SampledAt { get; init; }

        public string Result { get; init; } = "";

        public string Lab { get; init; } = "";

        public TestFact ToFact() => new(Instant(SampledAt), Result == "positive", Lab, Source);
    }

    private sealed class StoredTravel : SourcedRow
    {
        public string Mode { get; init; } = "";

        public string Service { get; init; } = "";

        public string Day { get; init; } = "";

        public string FromRegion { get; init; } = "";

        public string ToRegion { get; init; } = "";

        public TravelFact ToFact() => new(Mode, Service, FactStore.Day(Day), FromRegion, ToRegion, Source);
    }

    private sealed class StoredCoTravel : SourcedRow
    {
        public string Service { get; init; } = "";

        public string Day { get; init; } = "";

        public CoTravelFact ToFact() => new(Service, FactStore.Day(Day), Source);
    }

    /// <summary>
    /// The prepared statements one chunk of rows runs through, inside the caller's transaction, in SQL both engines read
    /// alike. Run synchronously: SQLite is an in-process library whose calls complete on the calling thread anyway, and a
    /// batch is millions of rows, where a task per statement is measurable. (On PostgreSQL each statement is a round trip
    /// to the server: correct, not fast; its COPY path is still to come.)
    /// </summary>
    private sealed class FactWriter(DbConnection connection, DbTransaction transaction, BatchRecord batch, DateTimeOffset now, PersonalFields personal) : IDisposable
    {
        private readonly Dictionary<string, DbCommand> commands = new(StringComparer.Ordinal);

        /// <summary>
        /// Applies one row. A batch changes only its own entry's rows: a retraction deletes the row of this source, and an
        /// upsert whose key another entry holds leaves that row as it is (each upsert's <c>WHERE … source =
        /// excluded.source</c>), so no department takes over another's fact, to change or retract it (DESIGN §9, §10).
        /// </summary>
        public void Apply(FactRow row)
        {
            switch (row)
            {
                case PopulationRow p when p.Retract:
                    Run("DELETE FROM fact_population WHERE id_number_index = @index AND source = @source", ("@index", personal.Index(PrivacyField.IdNumber, p.IdNumber)));
                    break;
                case PopulationRow p:
                    // Sealed to the ID number's index, the row's key: the same on every batch that names the person.
                    var index = personal.Index(PrivacyField.IdNumber, p.IdNumber);
                    Run("""
                        INSERT INTO fact_population (id_number, id_number_index, name, region, source, batch_id) VALUES (@id, @index, @name, @region, @source, @batch)
                        ON CONFLICT(id_number_index) DO UPDATE SET name = excluded.name, region = excluded.region, batch_id = excluded.batch_id
                        WHERE fact_population.source = excluded.source
                        """,
                        ("@id", personal.Seal(PrivacyField.IdNumber, p.IdNumber, index)), ("@index", index),
                        ("@name", personal.Seal(PrivacyField.FullName, p.Name, index)), ("@region", p.Region));
                    break;
                case RiskAreaRow a:
                    var from = a.From.ToString(DayFormat, CultureInfo.InvariantCulture);
                    if (a.Retract)
                    {
                        Run("DELETE FROM fact_risk_areas WHERE region = @region AND from_day = @from AND source = @source", ("@region", a.Region), ("@from", from));
                    }
                    else
                    {
                        Run("""
                            INSERT INTO fact_risk_areas (region, from_day, to_day, level, source, batch_id) VALUES (@region, @from, @to, @level, @source, @batch)
                            ON CONFLICT(region, from_day) DO UPDATE SET to_day = excluded.to_day, level = excluded.level, batch_id = excluded.batch_id
                            WHERE fact_risk_areas.source = excluded.source
                            """, ("@region", a.Region), ("@from", from), ("@to", a.To!.Value.ToString(DayFormat, CultureInfo.InvariantCulture)), ("@level", a.Level));
                    }

                    Run("INSERT INTO batch_regions (source, batch_id, prefix) VALUES (@source, @batch, @prefix) ON CONFLICT DO NOTHING", ("@prefix", RiskArea.PrefixOf(a.Region)));
                    break;
                case CaseRow c when Person(c.IdNumber, c.Name, c.Retract) is { } person:
                    // The journeys of a case whose status changes: their travellers may become, or stop being, co-travellers.
                    Run("INSERT INTO batch_services (source, batch_id, service, day) SELECT @source, @batch, service, day FROM fact_travel WHERE person_id = @person ON CONFLICT DO NOTHING", ("@person", person));
                    Fact(c.Retract, person,
                        "DELETE FROM fact_cases WHERE person_id = @person AND source = @source",
                        """
                        INSERT INTO fact_cases (person_id, status, at, source, batch_id) VALUES (@person, @status, @at, @source, @batch)
                        ON CONFLICT(person_id) DO UPDATE SET status = excluded.status, at = excluded.at, batch_id = excluded.batch_id
                        WHERE fact_cases.source = excluded.source
                        """, ("@status", c.Status), ("@at", c.At?.ToUnixTimeMilliseconds()));
                    break;
                case CloseContactRow k when Person(k.IdNumber, k.Name, k.Retract) is { } person:
                    Fact(k.Retract, person,
                        "DELETE FROM fact_close_contacts WHERE person_id = @person AND case_ref = @ref AND source = @source",
                        """
                        INSERT INTO fact_close_contacts (person_id, case_ref, notified_at, until_day, source, batch_id) VALUES (@person, @ref, @notified, @until, @source, @batch)
                        ON CONFLICT(person_id, case_ref) DO UPDATE SET notified_at = excluded.notified_at, until_day = excluded.until_day, batch_id = excluded.batch_id
                        WHERE fact_close_contacts.source = excluded.source
                        """, ("@ref", k.CaseRef), ("@notified", k.NotifiedAt?.ToUnixTimeMilliseconds()), ("@until", k.Until?.ToString(DayFormat, CultureInfo.InvariantCulture)));
                    break;
                case TestRow t when Person(t.IdNumber, t.Name, t.Retract) is { } person:
                    Fact(t.Retract, person,
                        "DELETE FROM fact_tests WHERE person_id = @person AND sampled_at = @sampled AND lab = @lab AND source = @source",
                        """
                        INSERT INTO fact_tests (person_id, sampled_at, lab, result, source, batch_id) VALUES (@person, @sampled, @lab, @result, @source, @batch)
                        ON CONFLICT(person_id, sampled_at, lab) DO UPDATE SET result = excluded.result, batch_id = excluded.batch_id
                        WHERE fact_tests.source = excluded.source
                        """, ("@sampled", t.SampledAt.ToUnixTimeMilliseconds()), ("@lab", t.Lab), ("@result", t.Result));
                    break;
                case TravelRow j when Person(j.IdNumber, j.Name, j.Retract) is { } person:
                    var day = j.Date.ToString(DayFormat, CultureInfo.InvariantCulture);
                    Run("INSERT INTO batch_services (source, batch_id, service, day) VALUES (@source, @batch, @service, @day) ON CONFLICT DO NOTHING", ("@service", j.Service), ("@day", day));
                    Fact(j.Retract, person,
                        "DELETE FROM fact_travel WHERE person_id = @person AND mode = @mode AND service = @service AND day = @day AND source = @source",
                        """
                        INSERT INTO fact_travel (person_id, mode, service, day, from_region, to_region, source, batch_id) VALUES (@person, @mode, @service, @day, @from, @to, @source, @batch)
                        ON CONFLICT(person_id, mode, service, day) DO UPDATE SET from_region = excluded.from_region, to_region = excluded.to_region, batch_id = excluded.batch_id
                        WHERE fact_travel.source = excluded.source
                        """, ("@mode", j.Mode), ("@service", j.Service), ("@day", day), ("@from", j.From), ("@to", j.To));
                    break;
            }
        }

        public void Dispose()
        {
            foreach (var command in commands.Values)
            {
                command.Dispose();
            }
        }

        /// <summary>The person a row is about: created (without an account) for an upsert when new; null for a retraction of someone unknown.</summary>
        private string? Person(string idNumber, string? name, bool retract)
        {
            var index = personal.Index(PrivacyField.IdNumber, idNumber);
            var newId = retract ? null : PersonIds.New(now.ToUnixTimeMilliseconds());
            var found = retract
                ? Scalar("SELECT id FROM persons WHERE id_number_index = @index", ("@index", index))
                : Scalar(
                    """
                    INSERT INTO persons (id, id_number, id_number_index, full_name, created_at) VALUES (@newId, @id, @index, @name, @at)
                    ON CONFLICT(id_number_index) DO UPDATE SET id_number_index = excluded.id_number_index
                    RETURNING id
                    """,
                    ("@newId", newId), ("@id", personal.Seal(PrivacyField.IdNumber, idNumber, newId!)), ("@index", index),
                    ("@name", personal.Seal(PrivacyField.FullName, name, newId!)), ("@at", now.ToUnixTimeMilliseconds()));
            if (found is not null)
            {
                Run("INSERT INTO batch_persons (source, batch_id, person_id) VALUES (@source, @batch, @person) ON CONFLICT DO NOTHING", ("@person", found));
            }

            return found;
        }

        private void Fact(bool retract, string person, string delete, string upsert, params (string Name, object? Value)[] values) =>
            Run(retract ? delete : upsert, [("@person", person), .. values]);

        private void Run(string sql, params (string Name, object? Value)[] values) => Prepare(sql, values).ExecuteNonQuery();

        private string? Scalar(string sql, params (string Name, object? Value)[] values) => Prepare(sql, values).ExecuteScalar() as string;

        private DbCommand Prepare(string sql, (string Name, object? Value)[] values)
        {
            if (!commands.TryGetValue(sql, out var command))
            {
                command = connection.CreateCommand();
                command.Transaction = transaction;
                command.CommandText = sql;
                commands[sql] = command;
            }

            command.Parameters.Clear();
            Add(command, "@source", batch.Source);
            Add(command, "@batch", batch.BatchId);
            foreach (var (name, value) in values)
            {
                Add(command, name, value);
            }

            return command;
        }

        private static void Add(DbCommand command, string name, object? value)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = value ?? DBNull.Value;
            command.Parameters.Add(parameter);
        }
    }
}
