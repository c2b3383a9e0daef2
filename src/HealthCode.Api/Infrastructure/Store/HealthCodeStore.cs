using System.Data.Common;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Dapper;
using HealthCode.Api.Features.DataUseLog;
using HealthCode.Api.Infrastructure.Privacy;
using HealthCode.Trust;
using Microsoft.Data.Sqlite;

namespace HealthCode.Api.Infrastructure.Store;

/// <summary>
/// Accounts, sessions, declarations and codes, through Dapper, on either engine (<see cref="IStoreDatabase"/>). Every
/// multi-row change runs in one transaction. Codes and declaration histories are keyed by person
/// (DESIGN §8); a declaration also keeps the account that sent it. Phones and declaration payloads are stored encrypted,
/// an account found by its phone's blind index (DESIGN §11, <see cref="PersonalFields"/>).
/// </summary>
internal sealed class HealthCodeStore(IStoreDatabase database, PersonalFields personal) : IHealthCodeStore
{
    private const string DayFormat = "yyyy-MM-dd";

    private const string CodeColumns = """
        person_id AS PersonId, code_id AS CodeId, color AS Color, reasons AS Reasons, green_after AS GreenAfter, status_version AS StatusVersion,
        updated_at AS UpdatedAt, masked_name AS MaskedName, id_tail AS IdTail
        """;

    /// <summary>SQLite's steps run here; PostgreSQL's scripts ran before any store started (<see cref="StoreSetup.MigrateAsync"/>).</summary>
    public Task InitializeAsync(CancellationToken cancellationToken) =>
        database is SqliteDatabase sqlite ? sqlite.MigrateAsync(cancellationToken) : Task.CompletedTask;

    public async Task<bool> IsHealthyAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await connection.ExecuteScalarAsync(new CommandDefinition("SELECT count(*) FROM residents WHERE 1 = 0", cancellationToken: cancellationToken));
        return true;
    }

    public async Task<string> GetOrCreateResidentAsync(string phone, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        // An insert that yields to the row already there, then a read: two first logins at once cannot create two accounts.
        var id = NewId();
        var index = personal.Index(PrivacyField.Phone, phone);
        await connection.ExecuteAsync(new CommandDefinition(
            "INSERT INTO residents (id, phone, phone_index, created_at) VALUES (@id, @phone, @index, @now) ON CONFLICT(phone_index) DO NOTHING",
            new { id, phone = personal.Seal(PrivacyField.Phone, phone, id), index, now = now.ToUnixTimeMilliseconds() },
            cancellationToken: cancellationToken));
        return await connection.ExecuteScalarAsync<string>(new CommandDefinition(
            "SELECT id FROM residents WHERE phone_index = @index", new { index }, cancellationToken: cancellationToken))
            ?? throw new InvalidOperationException("The account was not stored.");
    }

    public async Task CreateSessionAsync(string tokenHash, string residentId, DateTimeOffset expiresAt, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            "INSERT INTO sessions (token_hash, resident_id, expires_at) VALUES (@tokenHash, @residentId, @expires)",
            new { tokenHash, residentId, expires = expiresAt.ToUnixTimeMilliseconds() },
            cancellationToken: cancellationToken));
    }

    public async Task<SessionRecord?> FindSessionAsync(string tokenHash, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        var session = await connection.QuerySingleOrDefaultAsync<(string? ResidentId, long ExpiresAt)>(new CommandDefinition(
            "SELECT resident_id, expires_at FROM sessions WHERE token_hash = @tokenHash", new { tokenHash }, cancellationToken: cancellationToken));
        return session.ResidentId is null ? null : new SessionRecord(session.ResidentId, DateTimeOffset.FromUnixTimeMilliseconds(session.ExpiresAt));
    }

    public async Task<IReadOnlyList<DeclarationOutcome>> GetDeclarationHistoryAsync(string personId, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<(string Day, long RawColor, long NegativeTest)>(new CommandDefinition(
            "SELECT day, raw_color, negative_test FROM declarations WHERE person_id = @personId ORDER BY day, id",
            new { personId }, cancellationToken: cancellationToken));
        return [.. rows.Select(r => new DeclarationOutcome(ParseDay(r.Day), (CodeColor)r.RawColor, r.NegativeTest != 0))];
    }

    public async Task<SavedDeclaration> SaveDeclarationAsync(DeclarationTarget target, NewDeclaration declaration, IReadOnlyList<DataUse> uses, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        // In turn with a batch's chunks, which otherwise keep the write lock while a declaration polls for it.
        using var turn = await database.TakeWriteTurnAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var personId = target.PersonId;
        if (target.BindAsHolder)
        {
            var bound = await PersonStore.BindAsync(
                connection, transaction, database.Dialect, personal, target.AccountId, target.IdNumber, target.FullName, PersonRole.Holder, declaration.SubmittedAt, cancellationToken);
            if (bound.Outcome != BindOutcome.Bound)
            {
                return new SavedDeclaration(null, null, bound);
            }

            personId = bound.Person!.Id;
        }

        ArgumentNullException.ThrowIfNull(personId, nameof(target));

        var at = declaration.SubmittedAt.ToUnixTimeMilliseconds();
        var day = declaration.Date.ToString(DayFormat, CultureInfo.InvariantCulture);
        // The payload is sealed to its row, whose id the insert gives: a payload copied to another declaration does not read.
        var declarationId = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            """
            INSERT INTO declarations (resident_id, person_id, submitted_at, day, payload, raw_color, color, negative_test, policy_version)
            VALUES (@accountId, @personId, @at, @day, '', @raw, @color, @negative, @policy) RETURNING id
            """,
            new
            {
                accountId = target.AccountId, personId, at, day, raw = (int)declaration.RawColor, color = (int)declaration.Color,
                negative = declaration.NegativeTest ? 1 : 0, policy = declaration.PolicyVersion,
            },
            transaction,
            cancellationToken: cancellationToken));
        var (region, travel) = DeclaredRegions(declaration.PayloadJson);
        // The region codes stay in clear beside the encrypted payload, for the offices (codes.region) and for re-scoring
        // by risk area (declaration_regions): codes of a county or wider, keyed by the pseudonymous person, identify no one.
        List<string> regions = region is null ? travel : [region, .. travel];
        if (regions.Count > 0)
        {
            await connection.ExecuteAsync(new CommandDefinition(
                "INSERT INTO declaration_regions (declaration_id, person_id, day, region) VALUES (@declarationId, @personId, @day, @region)",
                regions.Select(r => new { declarationId, personId, day, region = r }),
                transaction,
                cancellationToken: cancellationToken));
        }

        // The status version rises when the colour changes, so a token showing the old colour is
        // recognisably stale (DESIGN §4.1); a declaration that keeps the colour leaves the code on
        // screen (and a printed code) valid. color_since moves only with the colour; region is the
        // person's area from now on: the region this, their latest, declaration names (DESIGN §10).
        await connection.ExecuteAsync(new CommandDefinition(
            """
            UPDATE declarations SET payload = @payload WHERE id = @declarationId;
            INSERT INTO codes (person_id, code_id, color, reasons, green_after, status_version, updated_at, masked_name, id_tail, color_since, region)
            VALUES (@personId, @codeId, @color, @reasons, @greenAfter, 1, @at, @masked, @tail, @at, @region)
            ON CONFLICT(person_id) DO UPDATE SET
                status_version = codes.status_version
                    + CASE WHEN codes.color <> excluded.color OR codes.masked_name <> excluded.masked_name OR codes.id_tail <> excluded.id_tail THEN 1 ELSE 0 END,
                color_since = CASE WHEN codes.color <> excluded.color THEN excluded.color_since ELSE codes.color_since END,
                color = excluded.color, reasons = excluded.reasons, green_after = excluded.green_after,
                updated_at = excluded.updated_at, masked_name = excluded.masked_name, id_tail = excluded.id_tail, region = excluded.region;
            """,
            new
            {
                declarationId,
                payload = personal.Seal(PrivacyField.Declaration, declaration.PayloadJson, DeclarationRow(declarationId)),
                region,
                personId,
                at,
                color = (int)declaration.Color,
                codeId = NewId(),
                reasons = declaration.ReasonsJson,
                greenAfter = declaration.GreenAfter?.ToString(DayFormat, CultureInfo.InvariantCulture),
                masked = declaration.MaskedName,
                tail = declaration.IdTail,
            },
            transaction,
            cancellationToken: cancellationToken));

        var code = await QueryCodeAsync(connection, transaction, $"SELECT {CodeColumns} FROM codes WHERE person_id = @personId", new { personId }, cancellationToken);
        await DataUseStore.AppendAsync(connection, transaction, database.Dialect, uses, declaration.SubmittedAt, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return new SavedDeclaration(code, personId, null);
    }

    public Task<CodeRecord?> FindCodeAsync(string personId, CancellationToken cancellationToken) =>
        FindCodeAsync($"SELECT {CodeColumns} FROM codes WHERE person_id = @personId", new { personId }, cancellationToken);

    public async Task<LatestDeclaration?> GetLatestDeclarationAsync(string personId, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        var latest = await connection.QuerySingleOrDefaultAsync<(long Id, string? Day, string? Payload)>(new CommandDefinition(
            "SELECT id, day, payload FROM declarations WHERE person_id = @personId ORDER BY submitted_at DESC, id DESC LIMIT 1",
            new { personId }, cancellationToken: cancellationToken));
        return latest.Day is null
            ? null
            : new LatestDeclaration(ParseDay(latest.Day), personal.Open(PrivacyField.Declaration, latest.Payload!, DeclarationRow(latest.Id)));
    }

    public async Task<IReadOnlyList<CodeRecord?>> UpdateCodesAsync(IReadOnlyList<CodeUpdate> updates, CommitSync sync, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        // Deferred sync is SQLite's (see DeferredSync); PostgreSQL's commits are the server's to make durable.
        await using var deferred = sync == CommitSync.Deferred && connection is SqliteConnection sqlite
            ? await DeferredSync.BeginAsync(sqlite, withoutAutoCheckpoint: false, cancellationToken)
            : null;
        // In turn with the store's other writers (a batch's chunks, declarations): a group of re-scorings holds the write lock for its writes only.
        using var turn = await database.TakeWriteTurnAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var codes = new List<CodeRecord?>(updates.Count);
        foreach (var update in updates)
        {
            var green = update.GreenAfter?.ToString(DayFormat, CultureInfo.InvariantCulture);
            // As a declaration does: only a colour change makes the tokens out there stale (DESIGN §4.1).
            await connection.ExecuteAsync(new CommandDefinition(
                """
                UPDATE codes SET status_version = status_version + CASE WHEN color <> @color THEN 1 ELSE 0 END,
                    color_since = CASE WHEN color <> @color THEN @at ELSE color_since END, color = @color, reasons = @reasons,
                    green_after = @green, updated_at = @at
                WHERE person_id = @personId AND updated_at = @readAt AND (color <> @color OR reasons <> @reasons OR green_after IS DISTINCT FROM @green)
                """,
                new
                {
                    personId = update.PersonId, color = (int)update.Color, reasons = update.ReasonsJson, green,
                    at = update.At.ToUnixTimeMilliseconds(), readAt = update.ReadAt.ToUnixTimeMilliseconds(),
                },
                transaction,
                cancellationToken: cancellationToken));
            codes.Add(await QueryCodeAsync(connection, transaction, $"SELECT {CodeColumns} FROM codes WHERE person_id = @personId", new { personId = update.PersonId }, cancellationToken));
        }

        var at = updates.Count == 0 ? default : updates[^1].At;
        await DataUseStore.AppendAsync(connection, transaction, database.Dialect, [.. updates.SelectMany(u => u.Uses)], at, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return codes;
    }

    public Task<CodeRecord?> FindCodeByIdAsync(string codeId, CancellationToken cancellationToken) =>
        FindCodeAsync($"SELECT {CodeColumns} FROM codes WHERE code_id = @codeId", new { codeId }, cancellationToken);

    /// <remarks>
    /// The person is found by the blind index of the ID number and the name compared once decrypted, not through an index
    /// of names: equal name indexes would show a reader of the store which persons share a name. One query reads the code
    /// with the person's sealed name (one round trip for a checkpoint's lookup, not two); a person without a code is not
    /// found either way.
    /// </remarks>
    public async Task<CodeRecord?> FindCodeByIdCardAsync(string idNumber, string fullName, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<CodeRow>(new CommandDefinition(
            $"""
            SELECT {CodeColumns}, persons.full_name AS FullName
            FROM persons JOIN codes ON codes.person_id = persons.id
            WHERE persons.id_number_index = @index
            """,
            new { index = personal.Index(PrivacyField.IdNumber, idNumber) }, cancellationToken: cancellationToken));
        return row is null || personal.Open(PrivacyField.FullName, row.FullName!, row.PersonId) != fullName ? null : ToRecord(row);
    }

    /// <summary>The row context a declaration's payload is sealed to: its id.</summary>
    internal static string DeclarationRow(long id) => id.ToString(CultureInfo.InvariantCulture);

    /// <summary>The region codes a declaration's payload names: its region and each travel entry's (DESIGN §5).</summary>
    internal static (string? Region, List<string> Travel) DeclaredRegions(string payloadJson)
    {
        using var document = JsonDocument.Parse(payloadJson);
        var root = document.RootElement;
        var travel = new List<string>();
        if (root.ValueKind != JsonValueKind.Object)
        {
            return (null, travel);
        }

        var region = root.TryGetProperty("region", out var r) && r.ValueKind == JsonValueKind.String ? r.GetString() : null;
        if (root.TryGetProperty("travel", out var t) && t.ValueKind == JsonValueKind.Array)
        {
            foreach (var entry in t.EnumerateArray())
            {
                if (entry.ValueKind == JsonValueKind.Object && entry.TryGetProperty("region", out var e) && e.ValueKind == JsonValueKind.String)
                {
                    travel.Add(e.GetString()!);
                }
            }
        }

        return (region, travel);
    }

    public async IAsyncEnumerable<(string CodeId, int StatusVersion)> GetStatusVersionsAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT code_id, status_version FROM codes";
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            yield return (reader.GetString(0), checked((int)reader.GetInt64(1)));
        }
    }

    private async Task<CodeRecord?> FindCodeAsync(string sql, object parameters, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return await QueryCodeAsync(connection, null, sql, parameters, cancellationToken);
    }

    private static async Task<CodeRecord?> QueryCodeAsync(DbConnection connection, DbTransaction? transaction, string sql, object parameters, CancellationToken cancellationToken)
    {
        var row = await connection.QuerySingleOrDefaultAsync<CodeRow>(new CommandDefinition(sql, parameters, transaction, cancellationToken: cancellationToken));
        return row is null ? null : ToRecord(row);
    }

    private static CodeRecord ToRecord(CodeRow row) =>
        new(
            row.CodeId,
            (CodeColor)row.Color,
            row.Reasons,
            row.GreenAfter is null ? null : ParseDay(row.GreenAfter),
            (int)row.StatusVersion,
            DateTimeOffset.FromUnixTimeMilliseconds(row.UpdatedAt),
            row.MaskedName,
            row.IdTail)
        {
            PersonId = row.PersonId,
        };

    private static DateOnly ParseDay(string day) => DateOnly.ParseExact(day, DayFormat, CultureInfo.InvariantCulture);

    /// <summary>An opaque random id: 12 bytes, 16 base64url characters, short enough for the QR.</summary>
    private static string NewId() => System.Buffers.Text.Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(12));

    private Task<DbConnection> OpenAsync(CancellationToken cancellationToken) => database.OpenConnectionAsync(cancellationToken);

    private sealed class CodeRow
    {
        public string PersonId { get; init; } = "";

        public string CodeId { get; init; } = "";

        public long Color { get; init; }

        public string Reasons { get; init; } = "";

        public string? GreenAfter { get; init; }

        public long StatusVersion { get; init; }

        public long UpdatedAt { get; init; }

        public string MaskedName { get; init; } = "";

        public string IdTail { get; init; } = "";

        /// <summary>The person's sealed name, where a query reads it beside the code (an ID-card lookup).</summary>
        public string? FullName { get; init; }
    }
}
