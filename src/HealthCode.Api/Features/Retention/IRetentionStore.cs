using System.Globalization;
using Dapper;
using HealthCode.Api.Infrastructure.Store;

namespace HealthCode.Api.Features.Retention;

/// <summary>Removes personal data past its retention (<see cref="RetentionModule"/>), in small deletes.</summary>
internal interface IRetentionStore
{
    /// <summary>
    /// Declarations submitted, person moves made and sessions expired before <paramref name="cutoff"/>: an expired session
    /// is kept until then, so that its token is still answered <c>session_expired</c> (log in again), not unknown.
    /// </summary>
    Task<ResidentDataPurged> PurgeResidentDataAsync(DateTimeOffset cutoff, CancellationToken cancellationToken);

    /// <summary>
    /// The dated facts of every source older than <paramref name="retentionDays"/> or the source's catalogue retention,
    /// whichever is shorter: tests by sampling time, journeys by their day, close-contact notices by their until day.
    /// </summary>
    Task<FactsPurged> PurgeFactsAsync(DateTimeOffset now, int retentionDays, CancellationToken cancellationToken);
}

internal sealed record ResidentDataPurged(int Declarations, int Sessions, int PersonMoves);

/// <summary>How many facts of each kind were removed, and the persons they were about (each once).</summary>
internal sealed record FactsPurged(int Tests, int Travel, int CloseContacts, IReadOnlyList<string> Persons);

internal sealed class RetentionStore(IStoreDatabase database) : IRetentionStore
{
    /// <summary>
    /// Rows removed by one statement: each delete holds SQLite's one write lock for a few milliseconds, in turn with the
    /// scans and declarations, rather than for as long as a first purge of months of data would take.
    /// </summary>
    private const int Chunk = 1000;

    public async Task<ResidentDataPurged> PurgeResidentDataAsync(DateTimeOffset cutoff, CancellationToken cancellationToken)
    {
        var before = new
        {
            cutoff = cutoff.ToUnixTimeMilliseconds(),
            // A declaration's day is the province's (UTC+8) date of its submission: a day after the cutoff's UTC date covers it.
            regionDay = cutoff.UtcDateTime.AddDays(1).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            chunk = Chunk,
        };
        // The oldest first, in key order: a chunk's scan stops at its thousandth old row instead of reading the table.
        var declarations = await DeleteAllAsync(
            "DELETE FROM declarations WHERE id IN (SELECT id FROM declarations WHERE submitted_at < @cutoff ORDER BY id LIMIT @chunk) RETURNING resident_id",
            before, cancellationToken);
        // Then the regions those declarations named (kept in clear beside them for re-scoring, not inside the payload):
        // all of them are of the purged declarations' days or before, so the day's index bounds the search.
        await DeleteAllAsync(
            """
            DELETE FROM declaration_regions WHERE declaration_id IN (
                SELECT r.declaration_id FROM declaration_regions r
                WHERE r.day <= @regionDay AND NOT EXISTS (SELECT 1 FROM declarations d WHERE d.id = r.declaration_id)
                LIMIT @chunk)
            RETURNING CAST(declaration_id AS TEXT)
            """,
            before, cancellationToken);
        var sessions = await DeleteAllAsync(
            "DELETE FROM sessions WHERE token_hash IN (SELECT token_hash FROM sessions WHERE expires_at < @cutoff LIMIT @chunk) RETURNING resident_id",
            before, cancellationToken);
        var moves = await DeleteAllAsync(
            "DELETE FROM person_transfers WHERE id IN (SELECT id FROM person_transfers WHERE at < @cutoff ORDER BY id LIMIT @chunk) RETURNING person_id",
            before, cancellationToken);
        return new ResidentDataPurged(declarations.Count, sessions.Count, moves.Count);
    }

    public async Task<FactsPurged> PurgeFactsAsync(DateTimeOffset now, int retentionDays, CancellationToken cancellationToken)
    {
        List<(string Source, long? Days)> sources;
        await using (var connection = await database.OpenConnectionAsync(cancellationToken))
        {
            // Every source that holds dated facts, with its catalogue retention (none for a source no longer listed).
            sources = [.. await connection.QueryAsync<(string, long?)>(new CommandDefinition(
                """
                SELECT s.source, c.retention_days FROM (
                    SELECT DISTINCT source FROM fact_tests UNION SELECT DISTINCT source FROM fact_travel UNION SELECT DISTINCT source FROM fact_close_contacts
                ) s LEFT JOIN catalog c ON c.code = s.source
                """, cancellationToken: cancellationToken))];
        }

        List<string> tests = [], travel = [], contacts = [];
        foreach (var (source, days) in sources)
        {
            var cutoff = now.AddDays(-Math.Min(retentionDays, days ?? retentionDays));
            var before = new
            {
                source,
                cutoff = cutoff.ToUnixTimeMilliseconds(),
                day = cutoff.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                chunk = Chunk,
            };
            tests.AddRange(await DeleteAllAsync(
                """
                DELETE FROM fact_tests WHERE (person_id, sampled_at, lab) IN (
                    SELECT person_id, sampled_at, lab FROM fact_tests WHERE source = @source AND sampled_at < @cutoff LIMIT @chunk)
                RETURNING person_id
                """, before, cancellationToken));
            travel.AddRange(await DeleteAllAsync(
                """
                DELETE FROM fact_travel WHERE (person_id, mode, service, day) IN (
                    SELECT person_id, mode, service, day FROM fact_travel WHERE source = @source AND day < @day LIMIT @chunk)
                RETURNING person_id
                """, before, cancellationToken));
            contacts.AddRange(await DeleteAllAsync(
                """
                DELETE FROM fact_close_contacts WHERE (person_id, case_ref) IN (
                    SELECT person_id, case_ref FROM fact_close_contacts WHERE source = @source AND until_day < @day LIMIT @chunk)
                RETURNING person_id
                """, before, cancellationToken));
        }

        return new FactsPurged(tests.Count, travel.Count, contacts.Count, [.. tests.Concat(travel).Concat(contacts).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)]);
    }

    /// <summary>Runs <paramref name="sql"/>, a delete of at most <see cref="Chunk"/> rows, until it deletes fewer; the column each deleted row returned.</summary>
    private async Task<List<string>> DeleteAllAsync(string sql, object parameters, CancellationToken cancellationToken)
    {
        List<string> deleted = [];
        // Each round deletes what it finds, so the rounds end; the bound is there should a writer keep adding old rows.
        for (var round = 0; round < 100_000; round++)
        {
            List<string> chunk;
            using (await database.TakeWriteTurnAsync(cancellationToken))
            {
                await using var connection = await database.OpenConnectionAsync(cancellationToken);
                chunk = [.. await connection.QueryAsync<string>(new CommandDefinition(sql, parameters, cancellationToken: cancellationToken))];
            }

            deleted.AddRange(chunk);
            if (chunk.Count < Chunk)
            {
                break;
            }
        }

        return deleted;
    }
}
